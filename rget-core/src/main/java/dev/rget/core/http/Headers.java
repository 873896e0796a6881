package dev.rget.core.http;

import dev.rget.core.SafeText;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/** Header names the engine uses, and small helpers to read header values. */
public final class Headers {
  public static final String RANGE = "Range";
  public static final String IF_RANGE = "If-Range";
  public static final String ACCEPT_ENCODING = "Accept-Encoding";
  public static final String CONTENT_RANGE = "Content-Range";
  public static final String DATE = "Date";
  public static final String CONTENT_LENGTH = "Content-Length";
  public static final String CONTENT_ENCODING = "Content-Encoding";
  public static final String CONTENT_TYPE = "Content-Type";
  public static final String CONTENT_DISPOSITION = "Content-Disposition";
  public static final String TRANSFER_ENCODING = "Transfer-Encoding";
  public static final String ETAG = "ETag";
  public static final String LAST_MODIFIED = "Last-Modified";
  public static final String LOCATION = "Location";
  public static final String RETRY_AFTER = "Retry-After";

  private Headers() {}

  /**
   * Adds a header the user gave ({@code -H}) to {@code into}: the name is a token, the value has
   * no control character (tab aside) and stays within Latin-1, both are stripped, and a second
   * value for the same name (any case) is joined to the first with a comma ({@code Cookie}: a
   * semicolon).
   *
   * @param owned whether rget sets a header itself (given the lower-case name): refused
   * @throws IllegalArgumentException for a bad name or value, or an owned header
   */
  public static void addUserHeader(Map<String, String> into, String name, String value,
      Predicate<String> owned) {
    String n = name.strip();
    if (n.isEmpty() || !n.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ':')) {
      throw new IllegalArgumentException("bad header name '" + SafeText.of(name) + "'");
    }
    String lower = n.toLowerCase(Locale.ROOT);
    if (owned.test(lower)) {
      throw new IllegalArgumentException("header " + n + " is set by rget itself");
    }
    String v = value.strip();
    if (v.chars().anyMatch(c -> c < ' ' && c != '\t' || c == 0x7f || c > 0xff)) {
      throw new IllegalArgumentException("bad character in the value of header " + n);
    }
    for (Map.Entry<String, String> e : into.entrySet()) {
      if (e.getKey().equalsIgnoreCase(n)) {
        e.setValue(e.getValue() + (lower.equals("cookie") ? "; " : ", ") + v);
        return;
      }
    }
    into.put(n, v);
  }

  /** Whether a comma-separated header value lists {@code token} (case-insensitive). */
  public static boolean listContains(String value, String token) {
    if (value == null) {
      return false;
    }
    for (String part : value.split(",")) {
      if (part.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }

  /** A Content-Length value as a long, or -1 if absent or malformed. */
  public static long parseLength(String value) {
    if (value == null) {
      return -1;
    }
    String v = value.trim();
    if (v.isEmpty() || v.length() > 18) {
      return -1;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(v);
  }
}
