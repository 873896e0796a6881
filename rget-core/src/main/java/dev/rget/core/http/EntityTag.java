package dev.rget.core.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An entity tag (RFC 9110 section 8.8.3): an opaque quoted string, optionally marked weak
 * ({@code W/"..."}). Strong comparison needs both tags strong and equal; weak comparison ignores
 * the weakness marks.
 *
 * @param opaque the characters between the quotes
 * @param weak whether the tag carries {@code W/}
 */
public record EntityTag(String opaque, boolean weak) {

  /** Rejects characters that cannot appear in an etagc. */
  public EntityTag {
    for (int i = 0; i < opaque.length(); i++) {
      if (!isEtagc(opaque.charAt(i))) {
        throw new IllegalArgumentException("bad entity-tag character in " + opaque);
      }
    }
  }

  /** A strong tag. */
  public static EntityTag strong(String opaque) {
    return new EntityTag(opaque, false);
  }

  /** Parses one entity-tag; empty if malformed. */
  public static Optional<EntityTag> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    List<EntityTag> tags = new ArrayList<>();
    String v = value.trim();
    int end = parseOne(v, 0, tags);
    return end == v.length() ? Optional.of(tags.get(0)) : Optional.empty();
  }

  /**
   * Parses a list of entity-tags as in If-Match and If-None-Match (without {@code *}, which the
   * caller checks first). Empty if any element is malformed.
   */
  public static Optional<List<EntityTag>> parseList(String value) {
    List<EntityTag> tags = new ArrayList<>();
    int i = 0;
    int n = value.length();
    while (true) {
      while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t' || value.charAt(i) == ',')) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int end = parseOne(value, i, tags);
      if (end < 0) {
        return Optional.empty();
      }
      i = end;
      while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
        i++;
      }
      if (i < n && value.charAt(i) != ',') {
        return Optional.empty();
      }
    }
    return tags.isEmpty() ? Optional.empty() : Optional.of(tags);
  }

  private static int parseOne(String s, int i, List<EntityTag> out) {
    boolean weak = false;
    if (s.startsWith("W/", i)) {
      weak = true;
      i += 2;
    }
    if (i >= s.length() || s.charAt(i) != '"') {
      return -1;
    }
    int close = s.indexOf('"', i + 1);
    if (close < 0) {
      return -1;
    }
    String opaque = s.substring(i + 1, close);
    for (int k = 0; k < opaque.length(); k++) {
      if (!isEtagc(opaque.charAt(k))) {
        return -1;
      }
    }
    out.add(new EntityTag(opaque, weak));
    return close + 1;
  }

  private static boolean isEtagc(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
  }

  /** Strong comparison (RFC 9110 section 8.8.3.2): both strong, same opaque string. */
  public boolean strongMatch(EntityTag other) {
    return !weak && !other.weak && opaque.equals(other.opaque);
  }

  /** Weak comparison: same opaque string, weakness ignored. */
  public boolean weakMatch(EntityTag other) {
    return opaque.equals(other.opaque);
  }

  /** The header form, {@code "x"} or {@code W/"x"}. */
  public String format() {
    return (weak ? "W/\"" : "\"") + opaque + "\"";
  }

  @Override
  public String toString() {
    return format();
  }
}
