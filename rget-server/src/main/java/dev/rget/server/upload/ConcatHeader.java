package dev.rget.server.upload;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tus concatenation extension's {@code Upload-Concat} request header: {@code partial}, or
 * {@code final;URL URL ...} naming partial uploads in order. The URLs of a final upload are hostile
 * input: each must be a path {@code /uploads/ID} on this server, or an absolute {@code http(s)} URL
 * whose authority is the request's own {@code Host}, with nothing else (no query, no fragment, no
 * escapes, no dot segments); at most {@value #MAX_PARTS}, none twice. Pure: no I/O.
 */
record ConcatHeader(boolean isFinal, List<String> ids) {
  /** The most partial uploads one final upload may name. */
  static final int MAX_PARTS = 256;
  private static final String PREFIX = "/uploads/";

  /** Thrown for a header that breaks the rules above (400). */
  static final class BadConcatException extends Exception {
    BadConcatException(String why) {
      super(why);
    }
  }

  /**
   * Parses the header.
   *
   * @param host the request's {@code Host} (null if none): the only authority an absolute URL may name
   */
  static ConcatHeader parse(String header, String host) throws BadConcatException {
    String h = header.strip();
    if (h.equals("partial")) {
      return new ConcatHeader(false, List.of());
    }
    if (!h.startsWith("final;")) {
      throw new BadConcatException("Upload-Concat: expected 'partial' or 'final;URL ...'");
    }
    String list = h.substring("final;".length()).strip();
    if (list.isEmpty()) {
      throw new BadConcatException("Upload-Concat: a final upload names no partial upload");
    }
    String[] urls = list.split(" +");
    if (urls.length > MAX_PARTS) {
      throw new BadConcatException("Upload-Concat: more than " + MAX_PARTS + " partial uploads");
    }
    List<String> ids = new ArrayList<>(urls.length);
    Set<String> seen = new HashSet<>();
    for (String url : urls) {
      String id = idOf(url, host);
      if (!seen.add(id)) {
        throw new BadConcatException("Upload-Concat: a partial upload is named twice");
      }
      ids.add(id);
    }
    return new ConcatHeader(true, List.copyOf(ids));
  }

  private static String idOf(String url, String host) throws BadConcatException {
    String path = url;
    String lower = url.toLowerCase(Locale.ROOT);
    int schemeEnd = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
    if (schemeEnd > 0) {
      int slash = url.indexOf('/', schemeEnd);
      String authority = slash < 0 ? url.substring(schemeEnd) : url.substring(schemeEnd, slash);
      if (host == null || !authority.equalsIgnoreCase(host.strip())) {
        throw new BadConcatException("Upload-Concat: only partial uploads of this server can be concatenated");
      }
      path = slash < 0 ? "" : url.substring(slash);
    }
    if (!path.startsWith(PREFIX)) {
      throw new BadConcatException("Upload-Concat: '" + abbreviate(url) + "' is not an upload of this server");
    }
    String id = path.substring(PREFIX.length());
    if (!UploadStore.ID.matcher(id).matches()) {
      throw new BadConcatException("Upload-Concat: '" + abbreviate(url) + "' is not an upload URL");
    }
    return id;
  }

  private static String abbreviate(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    StringBuilder b = new StringBuilder(t.length());
    t.chars().forEach(c -> b.append(c < 0x20 || c >= 0x7f ? '?' : (char) c)); // never echo control bytes
    return b.toString();
  }

  /** The header value a {@code HEAD} of a final upload shows. */
  static String finalValue(List<String> ids) {
    StringBuilder b = new StringBuilder("final;");
    for (int i = 0; i < ids.size(); i++) {
      b.append(i == 0 ? "" : " ").append(PREFIX).append(ids.get(i));
    }
    return b.toString();
  }
}
