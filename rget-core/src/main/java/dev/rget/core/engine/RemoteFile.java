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
 * @param contentCoding the Content-Encoding the server labels the file with although rget asks
 *     for identity (a {@code .tar.gz} served as {@code gzip}, say), or {@code null} for none;
 *     every later response must carry the same, or its bytes belong to another representation
 */
record RemoteFile(URI finalUri, Validators validators, RangeSupport ranges, String fileName,
    String contentCoding) {

  /** What is known of the server's range support. */
  enum RangeSupport {
    /** A 206 seen. */
    YES,
    /** {@code Accept-Ranges: none}, or a 200 answer to a ranged probe. */
    NO,
    /**
     * No 206 seen yet, whatever Accept-Ranges said (servers that claim {@code bytes} and then
     * ignore Range exist): the first ranged request will tell.
     */
    UNKNOWN
  }

  long length() {
    return validators.length();
  }

  /** The same file with other range support. */
  RemoteFile withRanges(RangeSupport r) {
    return new RemoteFile(finalUri, validators, r, fileName, contentCoding);
  }
}
