package dev.rget.core.engine;

import dev.rget.core.http.Validators;
import java.net.URI;

/**
 * What the probe learnt about the remote file.
 *
 * @param finalUri where the redirects led
 * @param validators length and version validators
 * @param ranges whether ranges are known to work, known not to work, or untested
 * @param fileName a file name suggested by the server or the URL path
 */
record RemoteFile(URI finalUri, Validators validators, RangeSupport ranges, String fileName) {

  /** What is known of the server's range support. */
  enum RangeSupport {
    /** {@code Accept-Ranges: bytes}, or a 206 seen. */
    YES,
    /** {@code Accept-Ranges: none}, or a 200 answer to a ranged probe. */
    NO,
    /** No Accept-Ranges header: the first ranged request will tell. */
    UNKNOWN
  }

  long length() {
    return validators.length();
  }
}
