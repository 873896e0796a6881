package dev.rget.core.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The client side of a SOCKS5 {@code CONNECT} (RFC 1928) with optional user name and password
 * authentication (RFC 1929). With {@link Proxy.Kind#SOCKS5} the destination's name is resolved
 * by rget (in {@link Dialer}) and sent as an address; with {@link Proxy.Kind#SOCKS5H} the name
 * itself is sent and the proxy resolves it (nothing about the destination leaks to the local
 * resolver).
 */
final class Socks5Handshake {
  private static final int VERSION = 5;
  private static final int NO_AUTH = 0;
  private static final int USER_PASSWORD = 2;
  private static final int NO_ACCEPTABLE = 0xff;

  private Socks5Handshake() {}

  /**
   * Asks {@code proxy}, connected on {@code socket}, to connect to {@code host:port}.
   *
   * @param address the destination's address, resolved here ({@link #destination}), for
   *     SOCKS5; null for SOCKS5h, whose proxy gets {@code host} by name and resolves it
   * @throws ProxyException if the proxy refuses, with a line naming the proxy
   */
  static void open(NioSocket socket, Proxy proxy, String host, byte[] address, int port,
      Duration timeout) throws IOException {
    HandshakeIo io = new HandshakeIo(socket, timeout);
    try {
      negotiate(io, proxy);
      io.write(connectRequest(host, address, port));
      byte[] reply = io.read(4);
      if (reply[0] != VERSION) {
        throw refused(proxy, "answered with SOCKS version " + (reply[0] & 0xff));
      }
      int code = reply[1] & 0xff;
      if (code != 0) {
        ProxyException.Reason reason = code == 3 || code == 4 || code == 5 || code == 6
            ? ProxyException.Reason.TRANSIENT : ProxyException.Reason.REFUSED;
        throw new ProxyException(reason, proxy.describe() + " could not connect to "
            + host + ":" + port + ": " + replyText(code));
      }
      int skip = switch (reply[3]) {
        case 1 -> 4;
        case 4 -> 16;
        case 3 -> io.read(1)[0] & 0xff;
        default -> throw refused(proxy, "sent an unknown address type " + reply[3]);
      };
      io.read(skip + 2); // the proxy's bound address and port: not needed
    } catch (ProxyException e) {
      throw e;
    } catch (StallException e) {
      throw new ProxyException(ProxyException.Reason.TRANSIENT, proxy.describe()
          + " did not answer the SOCKS5 handshake: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ProxyException(ProxyException.Reason.TRANSIENT, proxy.describe()
          + " failed during the SOCKS5 handshake: " + e.getMessage(), e);
    }
  }

  private static void negotiate(HandshakeIo io, Proxy proxy) throws IOException {
    boolean withUser = proxy.hasCredentials();
    io.write(withUser ? new byte[] {VERSION, 2, NO_AUTH, USER_PASSWORD}
        : new byte[] {VERSION, 1, NO_AUTH});
    byte[] choice = io.read(2);
    if (choice[0] != VERSION) {
      throw refused(proxy, "is not a SOCKS5 proxy (it answered version " + (choice[0] & 0xff)
          + ")");
    }
    int method = choice[1] & 0xff;
    if (method == NO_AUTH) {
      return;
    }
    if (method == USER_PASSWORD && withUser) {
      byte[] user = proxy.user().getBytes(StandardCharsets.UTF_8);
      byte[] pass = (proxy.password() == null ? "" : proxy.password())
          .getBytes(StandardCharsets.UTF_8);
      if (user.length > 255 || pass.length > 255) {
        throw new ProxyException(ProxyException.Reason.AUTHENTICATION, "user name or password"
            + " for " + proxy.describe() + " longer than SOCKS5 allows (255 bytes)");
      }
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(1);
      b.write(user.length);
      b.writeBytes(user);
      b.write(pass.length);
      b.writeBytes(pass);
      io.write(b.toByteArray());
      byte[] status = io.read(2);
      if (status[1] != 0) {
        throw new ProxyException(ProxyException.Reason.AUTHENTICATION, proxy.describe()
            + " refused the credentials of user " + proxy.user());
      }
      return;
    }
    if (method == USER_PASSWORD || method == NO_ACCEPTABLE) {
      throw new ProxyException(ProxyException.Reason.AUTHENTICATION, proxy.describe()
          + (withUser ? " accepts none of the offered authentication methods"
              : " requires a user name and password; give them as socks5://USER:PASSWORD@host:port"));
    }
    throw refused(proxy, "chose an authentication method rget does not offer (" + method + ")");
  }

  private static byte[] connectRequest(String host, byte[] address, int port) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(VERSION);
    b.write(1); // CONNECT
    b.write(0);
    if (address != null) {
      b.write(address.length == 4 ? 1 : 4);
      b.writeBytes(address);
    } else {
      String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
      if (bytes.length > 255) {
        throw new IOException("host name longer than SOCKS5 allows (255 bytes)");
      }
      b.write(3);
      b.write(bytes.length);
      b.writeBytes(bytes);
    }
    b.write(port >> 8);
    b.write(port & 0xff);
    return b.toByteArray();
  }

  /**
   * The address to send of a destination that resolved to {@code all} (SOCKS5): IPv4 preferred,
   * as most SOCKS servers handle it best.
   */
  static byte[] destination(InetAddress[] all) {
    for (InetAddress a : all) {
      if (a instanceof Inet4Address) {
        return a.getAddress();
      }
    }
    return all[0].getAddress();
  }

  private static ProxyException refused(Proxy proxy, String what) {
    return new ProxyException(ProxyException.Reason.REFUSED, proxy.describe() + " " + what);
  }

  /** RFC 1928 section 6 reply codes. */
  static String replyText(int code) {
    return switch (code) {
      case 1 -> "general SOCKS server failure";
      case 2 -> "connection not allowed by ruleset";
      case 3 -> "network unreachable";
      case 4 -> "host unreachable";
      case 5 -> "connection refused";
      case 6 -> "TTL expired";
      case 7 -> "command not supported";
      case 8 -> "address type not supported";
      default -> "reply code " + code;
    };
  }
}
