package dev.rget.core.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Opens a tunnel through an http proxy with {@code CONNECT host:port} (RFC 9110 section 9.3.6),
 * so that TLS runs end to end with the origin and the proxy sees only the host name. Reads the
 * proxy's answer byte by byte: nothing after its head may be taken from the tunnel.
 */
final class HttpConnectTunnel {
  private static final int MAX_HEAD = 16 * 1024;

  private HttpConnectTunnel() {}

  /**
   * Asks {@code proxy}, connected on {@code socket}, for a tunnel to {@code host:port}.
   *
   * @throws ProxyException if the proxy refuses (407 included), with a line naming the proxy
   */
  static void open(NioSocket socket, Proxy proxy, String host, int port, String userAgent,
      Duration timeout) throws IOException {
    String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    StringBuilder sb = new StringBuilder(192);
    sb.append("CONNECT ").append(authority).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(authority).append("\r\n");
    sb.append("User-Agent: ").append(userAgent).append("\r\n");
    String auth = basicAuthorization(proxy);
    if (auth != null) {
      sb.append("Proxy-Authorization: ").append(auth).append("\r\n");
    }
    sb.append("\r\n");
    HandshakeIo io = new HandshakeIo(socket, timeout);
    ResponseHead head;
    try {
      io.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      head = ResponseHead.parse(io.readHead(MAX_HEAD));
    } catch (StallException e) {
      throw new ProxyException(ProxyException.Reason.TRANSIENT, proxy.describe()
          + " did not answer CONNECT " + authority + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ProxyException(ProxyException.Reason.TRANSIENT, proxy.describe()
          + " failed during CONNECT " + authority + ": " + e.getMessage(), e);
    }
    int status = head.status();
    if (status >= 200 && status < 300) {
      return;
    }
    if (status == 407) {
      throw authenticationRequired(proxy);
    }
    ProxyException.Reason reason = status == 502 || status == 503 || status == 504
        ? ProxyException.Reason.TRANSIENT : ProxyException.Reason.REFUSED;
    throw new ProxyException(reason, proxy.describe() + " refused CONNECT " + authority
        + ": HTTP " + status);
  }

  /** The failure for a 407 from {@code proxy}: it wants credentials, or refused those given. */
  static ProxyException authenticationRequired(Proxy proxy) {
    return new ProxyException(ProxyException.Reason.AUTHENTICATION, proxy.hasCredentials()
        ? proxy.describe() + " refused the credentials of user " + proxy.user()
            + " (HTTP 407 Proxy Authentication Required)"
        : proxy.describe() + " requires authentication (HTTP 407); give it as"
            + " http://USER:PASSWORD@host:port");
  }

  /** {@code Basic base64(user:password)} for {@code proxy}, or {@code null} without a user. */
  static String basicAuthorization(Proxy proxy) {
    if (!proxy.hasCredentials()) {
      return null;
    }
    String pair = proxy.user() + ":" + (proxy.password() == null ? "" : proxy.password());
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }
}
