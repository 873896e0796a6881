package dev.rget.core.engine;

import dev.rget.core.http.Validators;
import java.net.URI;

/**
 * What the probe learnt about the remote file.
 *
 * @param finalUri where the redirects led
 * @param validators length and version validators
 * @param rangesWork whether the server answered the probe's Range with a 206 and a known length
 * @param fileName a file name suggested by the server or the URL path
 * @param contentCoding the Content-Encoding the server labels the file with although rget asks
 *     for identity ({@code null} for none); later responses must carry the same
 */
record RemoteFile(URI finalUri, Validators validators, boolean rangesWork, String fileName,
    String contentCoding) {

  long length() {
    return validators.length();
  }
}
