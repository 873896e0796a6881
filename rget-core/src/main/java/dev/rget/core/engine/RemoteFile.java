package dev.rget.core.engine;

import dev.rget.core.http.Validators;
import java.net.URI;
import java.time.Instant;

/**
 * What the probe learnt about the remote file.
 *
 * @param finalUri where the redirects led
 * @param validators length and version validators
 * @param rangesWork whether the server answered the probe's Range with a 206 and a known length
 * @param fileName a file name suggested by the server or the URL path
 * @param contentCoding the Content-Encoding the server labels the file with although rget asks
 *     for identity ({@code null} for none); later responses must carry the same
 * @param serverDate the probe response's {@code Date} ({@code null}: none), which tells whether
 *     its Last-Modified is old enough to be a strong validator (see {@link #ifRange()})
 */
record RemoteFile(URI finalUri, Validators validators, boolean rangesWork, String fileName,
    String contentCoding, Instant serverDate) {

  /** Without a server date: for answers whose ranges are not used. */
  RemoteFile(URI finalUri, Validators validators, boolean rangesWork, String fileName,
      String contentCoding) {
    this(finalUri, validators, rangesWork, fileName, contentCoding, null);
  }

  /** The If-Range value ranged requests for this version may carry, or {@code null}. */
  String ifRange() {
    return validators.ifRangeValue(serverDate);
  }

  long length() {
    return validators.length();
  }
}
