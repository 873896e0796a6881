package dev.rget.core.transport;

import java.io.IOException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The default transport: {@code http} over {@link PlainHttpTransport}, {@code https} over
 * {@link JdkHttpTransport} (TLS), the latter created only when first needed because building it
 * costs a few hundred milliseconds of start-up.
 */
public final class SchemeTransport implements Transport {
  private final PlainHttpTransport plain;
  private final Duration connectTimeout;
  private final Duration headerTimeout;
  private final String userAgent;
  private final SSLContext sslContext;
  private JdkHttpTransport tls;

  /**
   * Both transports use these timeouts and User-Agent.
   *
   * @param sslContext TLS settings for https, or {@code null} for the JVM's default
   */
  public SchemeTransport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      SSLContext sslContext) {
    this.plain = new PlainHttpTransport(connectTimeout, headerTimeout, userAgent);
    this.connectTimeout = connectTimeout;
    this.headerTimeout = headerTimeout;
    this.userAgent = userAgent;
    this.sslContext = sslContext;
  }

  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    if ("http".equalsIgnoreCase(request.uri().getScheme())) {
      return plain.send(request);
    }
    return tls().send(request);
  }

  private synchronized JdkHttpTransport tls() {
    if (tls == null) {
      tls = new JdkHttpTransport(connectTimeout, headerTimeout, userAgent, sslContext);
    }
    return tls;
  }

  @Override
  public synchronized void close() {
    plain.close();
    if (tls != null) {
      tls.close();
    }
  }
}
