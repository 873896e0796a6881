package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DNS rebinding: a web page whose own name an attacker points at 127.0.0.1 reaches the daemon
 * with its own name in {@code Host}. On loopback only a loopback name is answered; the rest gets
 * 421, and so does a request without Host. Raw requests over a real socket.
 */
class DaemonHostCheckTest {
  @TempDir Path dir;
  private Daemon daemon;

  @BeforeEach
  void start() throws Exception {
    daemon = Daemon.start(DaemonConfig.defaults(dir).withPort(0),
        line -> System.err.println("daemon: " + line));
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  @ParameterizedTest(name = "Host: {0} -> {1}")
  @CsvSource(delimiter = ';', value = {
      "localhost; 200",
      "LOCALHOST:6800; 200",
      "127.0.0.1; 200",
      "127.9.9.9:1; 200",
      "[::1]:6800; 200",
      "evil.example; 421",
      "evil.example:6800; 421",
      "localhost.evil.example; 421",
      "127.0.0.1.evil.example; 421",
      "'' ; 421",
  })
  void onlyLoopbackNamesAreAnswered(String host, int status) throws IOException {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"aria2.getVersion\"}";
    String hostLine = host.isEmpty() ? "" : "Host: " + host + "\r\n";
    String request = "POST /jsonrpc HTTP/1.1\r\n" + hostLine + "Content-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), daemon.port())) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String response = readAll(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 " + status + " ");
      if (status != 200) {
        assertThat(response).doesNotContain("\"version\"");
      }
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
