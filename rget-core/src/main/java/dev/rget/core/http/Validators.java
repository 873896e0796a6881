package dev.rget.core.http;

import java.time.Instant;
import java.util.Objects;

/**
 * What identifies one version of a remote file: its length, ETag and Last-Modified, as the server
 * sent them. Two downloads may be spliced together only when their validators say "same version".
 *
 * @param length total length in bytes, or -1 if unknown
 * @param etag the ETag, or {@code null}
 * @param lastModified the Last-Modified header value exactly as sent, or {@code null}
 */
public record Validators(long length, EntityTag etag, String lastModified) {

  /**
   * The value to send in If-Range ({@link IfRange#toSend}): the strong ETag, else a strong
   * Last-Modified date; {@code null} when neither may be used, in which case the server cannot
   * check a resumed part and the client must.
   *
   * @param serverDate the {@code Date} of the response these validators came from, or
   *     {@code null} when it had none
   */
  public String ifRangeValue(Instant serverDate) {
    return IfRange.toSend(etag, lastModified, serverDate).orElse(null);
  }

  /** Whether there is anything at all to tell versions apart with. */
  public boolean hasValidator() {
    return etag != null || lastModified != null;
  }

  /**
   * Whether {@code other} describes the same version: equal lengths, and every validator that
   * both sides have is equal (ETags compared with their weakness flag).
   */
  public boolean sameVersionAs(Validators other) {
    if (length != other.length) {
      return false;
    }
    if (etag != null && other.etag != null && !etag.equals(other.etag)) {
      return false;
    }
    return lastModified == null || other.lastModified == null
        || Objects.equals(lastModified, other.lastModified);
  }

  /** A short human description, for messages. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(length < 0 ? "unknown length" : length + " bytes");
    if (etag != null) {
      sb.append(", ETag ").append(etag.format());
    }
    if (lastModified != null) {
      sb.append(", Last-Modified ").append(lastModified);
    }
    return sb.toString();
  }
}
