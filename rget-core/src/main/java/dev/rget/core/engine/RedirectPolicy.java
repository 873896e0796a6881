package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.FailureKind;
import dev.rget.core.transport.TransportRequest;
import java.net.URI;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Decides whether a redirect may be followed: a downgrade from https to plain http is followed
 * with a notice (the rest of the transfer can be read and altered on the way) or refused with
 * {@link DownloadOptions#httpsOnly()}. With {@link DownloadOptions#refusePrivateRedirects()}, every
 * request to a host other than the start URL's (that is, one a redirect led to) must connect to a
 * public address: the transport checks the address it actually connects to
 * ({@link TransportRequest#publicAddressOnly()}), so a name that resolves differently between a
 * check and the connection (DNS rebinding) cannot slip through.
 */
final class RedirectPolicy {
  private final boolean httpsOnly;
  private final boolean refusePrivate;
  private final String startHost;
  private final Consumer<String> notices;
  private boolean downgradeNoticed;

  RedirectPolicy(DownloadOptions options, URI start) {
    this(options.httpsOnly(), options.refusePrivateRedirects(), start, options.notices());
  }

  RedirectPolicy(boolean httpsOnly, boolean refusePrivate, URI start, Consumer<String> notices) {
    this.httpsOnly = httpsOnly;
    this.refusePrivate = refusePrivate;
    this.startHost = start.getHost();
    this.notices = notices;
  }

  /** Throws if the redirect from {@code from} to {@code to} must not be followed. */
  void check(URI from, URI to) throws DownloadException {
    if (isHttps(from) && !isHttps(to)) {
      if (httpsOnly) {
        throw new DownloadException(FailureKind.HTTP_STATUS, "refusing the redirect from "
            + from + " to plain http " + to + " (https only)");
      }
      if (!downgradeNoticed) {
        downgradeNoticed = true;
        notices.accept("redirected from https to plain http (" + to + "): the rest of the"
            + " transfer is not encrypted");
      }
    }
  }

  /** Whether a request to {@code uri} may only connect to a public address. */
  boolean publicOnly(URI uri) {
    return refusePrivate && !String.valueOf(uri.getHost()).equalsIgnoreCase(startHost);
  }

  /** Checks the URL a download starts from. */
  void checkStart(URI uri) throws DownloadException {
    if (httpsOnly && !isHttps(uri)) {
      throw new DownloadException(FailureKind.USAGE, "refusing " + uri + ": not https (https"
          + " only)");
    }
  }

  private static boolean isHttps(URI uri) {
    return uri.getScheme() != null && uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
  }
}
