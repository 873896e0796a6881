package dev.rget.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A raw-socket server on loopback that answers each request head with whatever bytes a test
 * scripts (hostile answers included), after reading and dropping the request body. Each
 * connection is closed after one answer.
 */
final class ScriptedTusServer implements AutoCloseable {
  private final ServerSocket listener;
  private final Function<String, String> script;
  final List<String> heads = new CopyOnWriteArrayList<>();

  /** {@code script} maps a request head (request line and headers) to the raw response. */
  ScriptedTusServer(Function<String, String> script) throws IOException {
    this.script = script;
    this.listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "scripted-tus");
    t.setDaemon(true);
    t.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/uploads/";
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try (Socket s = listener.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        String head = readHead(in);
        if (head == null) {
          continue;
        }
        heads.add(head);
        long length = contentLength(head);
        for (long left = length; left > 0; ) {
          long n = in.skip(left);
          if (n <= 0) {
            break;
          }
          left -= n;
        }
        out.write(script.apply(head).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        // This connection ended early: the next one is served afresh.
      }
    }
  }

  private static long contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Long.parseLong(line.substring(15).trim());
      }
    }
    return 0;
  }

  /**
   * A request head up to its empty line (or its first 16 KiB), or null at end of stream; the test
   * servers of this package read requests with it.
   */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      matched = (c == '\r' || c == '\n') ? matched + 1 : 0;
      if (matched == 4 || b.size() > 16 * 1024) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
