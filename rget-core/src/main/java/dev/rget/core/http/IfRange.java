package dev.rget.core.http;

import java.time.Instant;
import java.util.Optional;

/**
 * The If-Range rule of RFC 9110 section 13.1.5, for both ends: what a client may send, and
 * whether a server's current representation matches what it received. One rule for the client
 * (the engine's ranged requests) and the server ({@code rget serve}), so the two cannot drift.
 *
 * <ul>
 *   <li>An entity tag is used only when strong, and matches only by strong comparison.
 *   <li>A date is used only when the representation has no entity tag at all and Last-Modified is
 *       a strong validator (section 8.8.2.2): at least one second before the moment it is
 *       compared with (the client: the {@code Date} the server sent with it; the server: now),
 *       since a file can change twice within the second its timestamp names. A server matches
 *       a date only if it equals Last-Modified exactly, to the second.
 * </ul>
 */
public final class IfRange {
  private IfRange() {}

  /**
   * Whether a Last-Modified time is a strong validator at {@code at}: one second or more before
   * it. False when either is unknown.
   */
  public static boolean isStrongDate(Instant lastModified, Instant at) {
    return lastModified != null && at != null && !lastModified.plusSeconds(1).isAfter(at);
  }

  /**
   * The client side: the If-Range value to send for the version with these validators, whose
   * response carried {@code serverDate} (its {@code Date} header; {@code null} when absent):
   * the strong ETag; else, when there is no ETag at all, the Last-Modified value as the server
   * sent it if it is a strong date; else none, and every part must be checked by the client.
   */
  public static Optional<String> toSend(EntityTag etag, String lastModified, Instant serverDate) {
    if (etag != null) {
      // RFC 9110: a client must not send a weak tag, nor a date when it has any tag.
      return etag.weak() ? Optional.empty() : Optional.of(etag.format());
    }
    if (lastModified == null) {
      return Optional.empty();
    }
    Optional<Instant> date = HttpDate.parse(lastModified);
    return date.isPresent() && isStrongDate(date.get(), serverDate)
        ? Optional.of(lastModified) : Optional.empty();
  }

  /**
   * The server side: whether an If-Range value matches the current representation, so that the
   * Range applies (206); false means the whole representation is sent (200). Anything malformed
   * is false.
   *
   * @param value the If-Range header value
   * @param etag the current entity tag, or {@code null}
   * @param lastModified the current modification time at full precision, or {@code null}
   * @param now the server's clock
   */
  public static boolean matches(String value, EntityTag etag, Instant lastModified, Instant now) {
    String s = value.trim();
    if (s.startsWith("\"") || s.startsWith("W/")) {
      Optional<EntityTag> tag = EntityTag.parse(s);
      return etag != null && tag.isPresent() && tag.get().strongMatch(etag);
    }
    Optional<Instant> date = HttpDate.parse(s);
    return date.isPresent() && lastModified != null
        && date.get().getEpochSecond() == lastModified.getEpochSecond()
        && isStrongDate(lastModified, now);
  }
}
