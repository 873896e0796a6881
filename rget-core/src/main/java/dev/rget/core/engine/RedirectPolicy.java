package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.FailureKind;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Decides whether a redirect may be followed: a downgrade from https to plain http is followed
 * with a notice (the rest of the transfer can be read and altered on the way) or refused with
 * {@link DownloadOptions#httpsOnly()}; a redirect into a loopback or private network is refused
 * with {@link DownloadOptions#refusePrivateRedirects()}.
 */
final class RedirectPolicy {
  private final boolean httpsOnly;
  private final boolean refusePrivate;
  private final Consumer<String> notices;
  private boolean downgradeNoticed;

  RedirectPolicy(DownloadOptions options) {
    this(options.httpsOnly(), options.refusePrivateRedirects(), options.notices());
  }

  RedirectPolicy(boolean httpsOnly, boolean refusePrivate, Consumer<String> notices) {
    this.httpsOnly = httpsOnly;
    this.refusePrivate = refusePrivate;
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
    if (refusePrivate) {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(to.getHost());
      } catch (UnknownHostException e) {
        throw new DownloadException(FailureKind.NETWORK, "unknown host " + to.getHost()
            + " (redirected from " + from + ")", e);
      }
      for (InetAddress a : addresses) {
        if (isPrivate(a)) {
          throw new DownloadException(FailureKind.HTTP_STATUS, "refusing the redirect from "
              + from + " to " + to + ": " + to.getHost() + " is the local or private address "
              + a.getHostAddress());
        }
      }
    }
  }

  /** Checks the URL a download starts from. */
  void checkStart(URI uri) throws DownloadException {
    if (httpsOnly && !isHttps(uri)) {
      throw new DownloadException(FailureKind.USAGE, "refusing " + uri + ": not https (https"
          + " only)");
    }
  }

  /**
   * Whether {@code a} is loopback, unspecified, link-local, RFC 1918 private, shared address
   * space (100.64.0.0/10) or IPv6 unique local (fc00::/7): an address a public server has no
   * business sending a client to.
   */
  static boolean isPrivate(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 || (first == 100 && second >= 64 && second <= 127);
    }
    if (a instanceof Inet6Address) {
      return (b[0] & 0xfe) == 0xfc;
    }
    return false;
  }

  private static boolean isHttps(URI uri) {
    return uri.getScheme() != null && uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
  }
}
