package dev.rget.core.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS settings for https servers whose certificates the JVM does not trust by default
 * (a private CA, a self-signed test server), like curl's {@code --cacert}.
 */
public final class TlsTrust {
  private TlsTrust() {}

  /**
   * {@code configured}, or the JVM's default TLS context (its default authorities) when it is
   * {@code null}; looked up only when first needed, as it costs start-up.
   */
  static SSLContext orDefault(SSLContext configured) throws IOException {
    if (configured != null) {
      return configured;
    }
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("this Java runtime has no TLS implementation", e);
    }
  }

  /**
   * A TLS context that trusts exactly the certificates in {@code pemFile} (one or more PEM
   * {@code CERTIFICATE} blocks), instead of the JVM's default authorities.
   *
   * @throws IOException if the file cannot be read
   * @throws GeneralSecurityException if it holds no usable certificate
   */
  public static SSLContext trusting(Path pemFile) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pemFile)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certs.isEmpty()) {
      throw new GeneralSecurityException("no certificate in " + pemFile);
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate c : certs) {
      store.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * A TLS context that accepts any certificate for any host name, like curl's {@code -k}: the
   * connection is encrypted, but anyone on the path can pose as the server. For test servers
   * only; callers should warn on every use.
   */
  public static SSLContext insecure() throws GeneralSecurityException {
    SSLContext c = SSLContext.getInstance("TLS");
    // An X509ExtendedTrustManager also takes over the host name check, so none is made.
    c.init(null, new javax.net.ssl.TrustManager[] {new AcceptAll()}, null);
    return c;
  }

  /** Trusts every certificate chain, for {@link #insecure()}. */
  private static final class AcceptAll extends javax.net.ssl.X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String auth) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String auth) {}

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String auth,
        java.net.Socket socket) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String auth,
        java.net.Socket socket) {}

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String auth,
        javax.net.ssl.SSLEngine engine) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String auth,
        javax.net.ssl.SSLEngine engine) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
