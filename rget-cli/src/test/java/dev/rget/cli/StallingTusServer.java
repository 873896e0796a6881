package dev.rget.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket tus server on loopback for the moments an upload can wait in: in
 * {@link Mode#STALL_PATCH} it creates uploads ({@code 201}) and then never answers a
 * {@code PATCH}; in {@link Mode#DROP} it closes every connection at once, so a client retries.
 */
final class StallingTusServer implements AutoCloseable {
  enum Mode { STALL_PATCH, DROP }

  private final ServerSocket listener;
  private final Mode mode;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  final CountDownLatch patchStarted = new CountDownLatch(1);
  /** PATCH requests begun (each then stalls). */
  final AtomicInteger patches = new AtomicInteger();
  final AtomicInteger connections = new AtomicInteger();

  StallingTusServer(Mode mode) throws IOException {
    this.mode = mode;
    this.listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "stalling-tus");
    t.setDaemon(true);
    t.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/uploads/";
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket s = listener.accept();
        connections.incrementAndGet();
        if (mode == Mode.DROP) {
          s.close();
          continue;
        }
        open.add(s);
        Thread t = new Thread(() -> serve(s), "stalling-tus-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!listener.isClosed()) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      while (true) {
        String head = ScriptedTusServer.readHead(in);
        if (head == null) {
          return;
        }
        if (head.startsWith("POST ")) {
          out.write(("HTTP/1.1 201 Created\r\nTus-Resumable: 1.0.0\r\nLocation: /uploads/stalled\r\n"
              + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } else if (head.startsWith("PATCH ")) {
          patches.incrementAndGet();
          patchStarted.countDown();
          // Never answer; swallow the body until the client goes away.
          byte[] buf = new byte[64 * 1024];
          while (in.read(buf) >= 0) {
            // discard
          }
          return;
        } else if (head.startsWith("OPTIONS ")) {
          // Offers concatenation, so that rget upload -n N sends parts (each stalls the same).
          out.write(("HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nTus-Version: 1.0.0\r\n"
              + "Tus-Extension: creation,concatenation\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } else {
          out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
      }
    } catch (IOException e) {
      // The client went away: this connection ends.
    } finally {
      open.remove(s);
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
