package dev.rget.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw-socket HTTP/1.1 client for tests: one request, read to EOF, no framing interpretation. */
final class RawHttp {

  /** A response read to EOF. */
  record Reply(int status, Map<String, String> headers, byte[] body, boolean reset) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp() {}

  /** Sends {@code METHOD path} with extra header lines and {@code Connection: close}. */
  static Reply send(int port, String method, String path, String... headerLines)
      throws IOException {
    StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headerLines) {
      req.append(h).append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      boolean reset = false;
      InputStream in = s.getInputStream();
      byte[] buf = new byte[65536];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          all.write(buf, 0, n);
        }
      } catch (SocketException e) {
        reset = true;
      }
      return parse(all.toByteArray(), reset);
    }
  }

  static Reply parse(byte[] raw, boolean reset) {
    int end = -1;
    for (int i = 0; i + 3 < raw.length; i++) {
      if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      return new Reply(0, Map.of(), raw, reset);
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(c + 1).trim());
    }
    byte[] body = new byte[raw.length - end - 4];
    System.arraycopy(raw, end + 4, body, 0, body.length);
    return new Reply(status, headers, body, reset);
  }
}
