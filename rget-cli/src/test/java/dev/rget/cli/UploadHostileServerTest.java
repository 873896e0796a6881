package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget upload} against a raw-socket server that breaks the tus rules: each answer is
 * hostile in one way, and the client must stop with the protocol exit code (8) and one line,
 * never append at a made-up offset.
 */
@Timeout(60)
class UploadHostileServerTest {
  private static final String CREATED = "HTTP/1.1 201 Created\r\nTus-Resumable: 1.0.0\r\n"
      + "Location: /uploads/x\r\nContent-Length: 0\r\n\r\n";

  @TempDir Path work;

  @Test
  void createdWithoutLocation() throws Exception {
    assertProtocolFailure(head -> "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", "Location");
  }

  @Test
  void createdWithALocationThatIsNotHttp() throws Exception {
    assertProtocolFailure(head -> "HTTP/1.1 201 Created\r\nLocation: file:///etc/passwd\r\n"
        + "Content-Length: 0\r\n\r\n", "Location");
  }

  @Test
  void anOffsetBeyondWhatWasSent() throws Exception {
    assertProtocolFailure(patchAnswer("HTTP/1.1 204 No Content\r\nUpload-Offset: 999999\r\n\r\n"),
        "Upload-Offset 999999");
  }

  @Test
  void twoOffsets() throws Exception {
    assertProtocolFailure(patchAnswer("HTTP/1.1 204 No Content\r\nUpload-Offset: 1000\r\n"
        + "Upload-Offset: 10\r\n\r\n"), "several upload-offset");
  }

  @Test
  void aNegativeOrNonNumericOffset() throws Exception {
    assertProtocolFailure(patchAnswer("HTTP/1.1 204 No Content\r\nUpload-Offset: -5\r\n\r\n"),
        "bad upload-offset");
    assertProtocolFailure(patchAnswer("HTTP/1.1 204 No Content\r\nUpload-Offset: 1e3\r\n\r\n"),
        "bad upload-offset");
  }

  @Test
  void noOffsetAfterAPatch() throws Exception {
    assertProtocolFailure(patchAnswer("HTTP/1.1 204 No Content\r\n\r\n"), "no upload-offset");
  }

  @Test
  void aKeptAliveConnectionTheServerClosedIsReplacedWithoutCountingAFailure() throws Exception {
    // This server closes every connection after one answer without saying so: each request after
    // the first finds its kept-alive connection closed, and must go out again on a new one.
    java.util.concurrent.atomic.AtomicLong offset = new java.util.concurrent.atomic.AtomicLong();
    try (ScriptedTusServer server = new ScriptedTusServer(head -> {
      if (head.startsWith("POST ")) {
        return CREATED;
      }
      if (head.startsWith("OPTIONS ")) {
        return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"; // no discovery: the client keeps sha256
      }
      long len = Long.parseLong(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
      return "HTTP/1.1 204 No Content\r\nUpload-Offset: " + offset.addAndGet(len) + "\r\n\r\n";
    })) {
      Run r = upload(server, "--retries", "0", "--chunk-size", "100");
      assertThat(r.code).as(r.stderr).isZero();
      assertThat(server.heads.stream().filter(h -> h.startsWith("PATCH ")).count()).isEqualTo(10);
      assertThat(offset.get()).isEqualTo(1000);
    }
  }

  @Test
  void aServerThatAlwaysAnswers409IsLeftAfterTheRetries() throws Exception {
    try (ScriptedTusServer server = new ScriptedTusServer(head -> head.startsWith("POST ") ? CREATED
        : head.startsWith("HEAD ") ? "HTTP/1.1 200 OK\r\nUpload-Offset: 0\r\nUpload-Length: 1000\r\n\r\n"
        : "HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\n\r\n")) {
      Run r = upload(server, "--retries", "3");
      assertThat(r.code).as(r.stderr).isEqualTo(8);
      assertThat(r.stderr).contains("kept answering 409");
      assertThat(server.heads.stream().filter(h -> h.startsWith("PATCH ")).count()).isEqualTo(4);
    }
  }

  @Test
  void anOversizedResponseHeadIsNotReadWhole() throws Exception {
    String huge = "HTTP/1.1 201 Created\r\nX-Pad: " + "a".repeat(40_000) + "\r\n\r\n";
    try (ScriptedTusServer server = new ScriptedTusServer(head -> huge)) {
      Run r = upload(server, "--retries", "0");
      assertThat(r.code).as(r.stderr).isEqualTo(3);
      assertThat(r.stderr).contains("response head longer than");
    }
  }

  private static Function<String, String> patchAnswer(String answer) {
    return head -> head.startsWith("POST ") ? CREATED : answer;
  }

  private void assertProtocolFailure(Function<String, String> script, String says) throws Exception {
    try (ScriptedTusServer server = new ScriptedTusServer(script)) {
      Run r = upload(server);
      assertThat(r.code).as(r.stderr).isEqualTo(8);
      assertThat(r.stderr.lines().filter(l -> !l.isBlank()).toList()).hasSize(1)
          .first().asString().contains(says);
    }
  }

  private record Run(int code, String stderr) {}

  private Run upload(ScriptedTusServer server, String... extra) throws Exception {
    Path file = work.resolve("f.bin");
    Files.write(file, new byte[1000]);
    String[] args = new String[6 + extra.length];
    args[0] = "upload";
    args[1] = file.toString();
    args[2] = server.endpoint();
    args[3] = "--state-dir";
    args[4] = work.resolve("state-" + System.nanoTime()).toString();
    args[5] = "-q";
    System.arraycopy(extra, 0, args, 6, extra.length);
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      System.err.flush();
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }
}
