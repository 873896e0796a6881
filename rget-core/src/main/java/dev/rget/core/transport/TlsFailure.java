package dev.rget.core.transport;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns the JDK's TLS failures (long messages with class names in them) into one line that names
 * the cause a user can act on: an untrusted, expired or misnamed certificate, or no TLS version
 * in common.
 */
final class TlsFailure {
  private TlsFailure() {}

  /** A handshake failure whose message says why, with {@code e} as its cause. */
  static SSLHandshakeException explain(SSLException e, String host) {
    SSLHandshakeException x = new SSLHandshakeException(reason(e, host));
    x.initCause(e);
    return x;
  }

  static String reason(Throwable e, String host) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException) {
        return "the server's certificate has expired";
      }
      if (t instanceof CertificateNotYetValidException) {
        return "the server's certificate is not valid yet";
      }
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("no subject alternative") || m.contains("no name matching")) {
        return "the server's certificate is not for " + host;
      }
      if (t instanceof CertPathBuilderException || m.contains("unable to find valid certification")) {
        return "the server's certificate is not trusted (self-signed or from an unknown "
            + "authority; --ca-certificate FILE trusts a private one)";
      }
      if (t instanceof CertPathValidatorException v
          && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
        return "the server's certificate has expired";
      }
      if (m.contains("protocol_version") || m.contains("no appropriate protocol")) {
        return "no TLS version in common with the server (rget speaks TLS 1.2 and 1.3)";
      }
      if (m.contains("handshake_failure") || m.contains("no negotiable cipher")) {
        return "no cipher suite in common with the server";
      }
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
