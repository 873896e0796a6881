package dev.rget.core;

import dev.rget.core.engine.DownloadJob;
import dev.rget.core.http.HttpUrl;
import dev.rget.core.transport.Http1Transport;
import dev.rget.core.transport.Http2Transport;
import dev.rget.core.transport.Transport;
import dev.rget.core.upload.UploadJob;
import dev.rget.core.upload.UploadOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Entry point of the rget library.
 *
 * <pre>{@code
 * Download d = Rget.download(URI.create("https://example.org/big.iso"), Path.of("big.iso"),
 *     DownloadOptions.builder().connections(8).build());
 * DownloadResult r = d.result().join();
 * }</pre>
 *
 * <p>A download writes {@code FILE.part} in place and keeps {@code FILE.rget} beside it; calling
 * the same download again after a crash resumes. {@code FILE} appears only complete.
 */
public final class Rget {
  private Rget() {}

  /** Starts downloading {@code uri} to the file {@code output}. */
  public static Download download(URI uri, Path output, DownloadOptions options) {
    return new DownloadJob(uri, output, false, options, newTransport(options), true).start();
  }

  /**
   * Starts downloading {@code uri} into {@code directory}, naming the file after the server's
   * Content-Disposition or the URL path.
   */
  public static Download downloadInto(URI uri, Path directory, DownloadOptions options) {
    return new DownloadJob(uri, directory, true, options, newTransport(options), true).start();
  }

  /**
   * Starts a download over a transport shared with other downloads (for example the downloads of
   * a URL list); the transport is not closed when the download ends.
   */
  public static Download download(URI uri, Path target, boolean targetIsDirectory,
      DownloadOptions options, Transport shared) {
    return new DownloadJob(uri, target, targetIsDirectory, options, shared, false).start();
  }

  /**
   * Starts uploading {@code file} to the tus 1.0.0 creation URL {@code endpoint} (for example
   * {@code http://host:8080/uploads/} of {@code rget serve --uploads}). The upload URL is
   * remembered in {@link UploadOptions#stateDir()}, keyed on the file's path and the endpoint, so
   * the same call after a crash resumes from what the server holds. The server is reached with
   * the options' headers, login, proxies and TLS trust, as downloads reach theirs; a
   * {@code user:pass@} in {@code endpoint} is a login, never stored.
   */
  public static Upload upload(Path file, URI endpoint, UploadOptions options) {
    return UploadJob.start(file, endpoint, options);
  }

  /**
   * A transport configured from the options' timeouts, User-Agent, TLS settings and proxies: HTTP/2 where
   * the server offers it when {@link DownloadOptions#http2()} is on, else HTTP/1.1.
   */
  public static Transport newTransport(DownloadOptions options) {
    Duration headerTimeout = options.stallTimeout();
    if (options.http2()) {
      // HTTP/2 readers run on the options' executor, like the downloads' own threads.
      return new Http2Transport(options.connectTimeout(), headerTimeout, options.userAgent(),
          options.sslContext(), options.proxies(), options.executor());
    }
    return new Http1Transport(options.connectTimeout(), headerTimeout, options.userAgent(),
        options.sslContext(), options.proxies());
  }

  /**
   * Parses a URL typed by a user.
   *
   * @throws DownloadException of kind {@link FailureKind#USAGE} with a one-line reason
   */
  public static URI parseUrl(String text) throws DownloadException {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new DownloadException(FailureKind.USAGE, "malformed URL '" + text + "': "
          + e.getReason(), e);
    }
    String problem = HttpUrl.problem(uri);
    if (problem != null) {
      throw new DownloadException(FailureKind.USAGE, "cannot use URL '" + text + "': " + problem);
    }
    return uri;
  }
}
