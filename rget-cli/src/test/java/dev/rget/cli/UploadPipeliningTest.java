package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Rget;
import dev.rget.core.upload.TusUpload;
import dev.rget.core.upload.UploadOptions;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client pipelines its PATCHes on plain http: the next one is written before the answer to
 * the previous one is read. Proven against a raw-socket tus server that answers a PATCH only once
 * the head of the next one has arrived (a client waiting for each answer would wait forever), and
 * the fallback against a server that answers a pipelined PATCH with 409, as a server that did not
 * wait for the one before would.
 */
@Timeout(60)
class UploadPipeliningTest {
  private static final int CHUNK = 64 * 1024;

  @TempDir Path work;

  @Test
  void eachPatchIsWrittenBeforeTheAnswerToThePreviousOneIsRead() throws Exception {
    byte[] data = data(5 * CHUNK + 123);
    try (LaggingTusServer server = new LaggingTusServer(data.length, false)) {
      TusUpload.Result r = upload(data, server.endpoint());
      assertThat(r.bytesSent()).as("no chunk sent twice").isEqualTo(data.length);
      assertThat(server.received()).isEqualTo(data);
      assertThat(server.patches).hasSize(6);
      assertThat(server.conflicts).isZero();
    }
  }

  @Test
  void aServerThatAnswersAPipelinedPatchWith409StillGetsTheWholeFile() throws Exception {
    byte[] data = data(5 * CHUNK + 123);
    try (LaggingTusServer server = new LaggingTusServer(data.length, true)) {
      TusUpload.Result r = upload(data, server.endpoint());
      assertThat(server.received()).isEqualTo(data);
      assertThat(server.refusals).isEqualTo(1);
      // the refused chunk and the one written behind it (dropped with the connection) went twice
      assertThat(r.bytesSent()).isEqualTo(data.length + 2L * CHUNK);
    }
  }

  private TusUpload.Result upload(byte[] data, String endpoint) throws Exception {
    Path file = work.resolve("p.bin");
    Files.write(file, data);
    return Rget.upload(file, URI.create(endpoint),
        UploadOptions.builder().chunkSize(CHUNK).retries(1).stateDir(work.resolve("state")).build())
        .result().get(30, TimeUnit.SECONDS);
  }

  private static byte[] data(int size) {
    byte[] d = new byte[size];
    new Random(size).nextBytes(d);
    return d;
  }

  /**
   * A tus server on one kept-alive connection at a time. In lagging mode it answers a PATCH only
   * when the next request's head has arrived, or at the end of the upload. In refusing mode, it
   * answers 409 to the first PATCH that arrives before the previous one was answered (as a server
   * that handled pipelined requests out of turn would; the answers still go in order), and
   * answers each PATCH at once after that.
   */
  private static final class LaggingTusServer implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    private final long length;
    private final boolean refuse;
    private final ByteArrayOutputStream stored = new ByteArrayOutputStream();
    final List<String> patches = new CopyOnWriteArrayList<>();
    volatile int conflicts;
    volatile int refusals;
    /** Refusing mode: the one refusal was made; from then on each PATCH is answered at once. */
    private volatile boolean refused;

    LaggingTusServer(long length, boolean refuse) throws IOException {
      this.length = length;
      this.refuse = refuse;
      Thread t = new Thread(this::acceptLoop, "lagging-tus");
      t.setDaemon(true);
      t.start();
    }

    String endpoint() {
      return "http://127.0.0.1:" + listener.getLocalPort() + "/uploads/";
    }

    synchronized byte[] received() {
      return stored.toByteArray();
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try (Socket s = listener.accept(); InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream()) {
          serve(in, out);
        } catch (IOException e) {
          // the connection ended: the next one is served afresh
        }
      }
    }

    private void serve(InputStream in, OutputStream out) throws IOException {
      String owed = null; // the answer to the last PATCH, not sent yet
      while (true) {
        String head = ScriptedTusServer.readHead(in);
        if (head == null) {
          return;
        }
        if (head.startsWith("OPTIONS ")) {
          send(out, "204 No Content", "Tus-Version: 1.0.0\r\nTus-Extension: creation,checksum\r\n"
              + "Tus-Checksum-Algorithm: crc32c\r\n");
          continue;
        }
        if (head.startsWith("POST ")) {
          send(out, "201 Created", "Location: /uploads/x\r\nContent-Length: 0\r\n");
          continue;
        }
        if (head.startsWith("HEAD ")) {
          send(out, "200 OK", "Upload-Offset: " + size() + "\r\nUpload-Length: " + length + "\r\n");
          continue;
        }
        patches.add(head);
        long offset = Long.parseLong(header(head, "upload-offset"));
        byte[] body = in.readNBytes(Integer.parseInt(header(head, "content-length")));
        if (refuse && owed != null && !refused) {
          // handled out of turn, before the one in front of it was stored: a conflict (the
          // answers still go in order)
          refused = true;
          refusals++;
          send(out, owed.substring(0, owed.indexOf(' ')), owed.substring(owed.indexOf(' ') + 1));
          send(out, "409 Conflict", "Upload-Offset: " + size() + "\r\nContent-Length: 0\r\n");
          owed = null;
          continue;
        }
        if (offset != size()) {
          conflicts++;
          if (owed != null) {
            send(out, owed.substring(0, owed.indexOf(' ')), owed.substring(owed.indexOf(' ') + 1));
            owed = null;
          }
          send(out, "409 Conflict", "Upload-Offset: " + size() + "\r\nContent-Length: 0\r\n");
          continue;
        }
        if (owed != null) {
          send(out, owed.substring(0, owed.indexOf(' ')), owed.substring(owed.indexOf(' ') + 1));
        }
        synchronized (this) {
          stored.writeBytes(body);
        }
        owed = "204 Upload-Offset: " + size() + "\r\n";
        if (size() == length || refused) {
          send(out, "204", owed.substring(4));
          owed = null;
        }
      }
    }

    private synchronized long size() {
      return stored.size();
    }

    private static void send(OutputStream out, String status, String headers) throws IOException {
      out.write(("HTTP/1.1 " + (status.equals("204") ? "204 No Content" : status) + "\r\nTus-Resumable: 1.0.0\r\n"
          + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    private static String header(String head, String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      throw new IllegalStateException("no " + name + " in " + head);
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
