package dev.rget.core.http;

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
