package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.core.Upload;
import dev.rget.core.upload.TusUpload;
import dev.rget.core.upload.UploadOptions;
import dev.rget.core.upload.UploadState;
import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import dev.rget.testkit.CuttingRelay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget upload -n N} against {@code rget serve --uploads} on loopback: N partial uploads
 * sent in parallel and joined by one final upload (N + 1 POSTs, counted in the server's access
 * log), byte-exact; SIGKILLed in the parallel phase and run again, the parts resume and the server
 * ends with exactly one file and no parts left; a file too small for parts goes as one stream
 * with a notice.
 */
@Timeout(180)
class UploadParallelTest {
  private static final long MIB = 1 << 20;

  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path work;
  @TempDir Path stateDir;

  private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

  private FileServer server() throws IOException {
    return FileServer.start(ServerConfig.builder().root(root).bind("127.0.0.1").port(0)
        .accessLogSink(log::add).uploads(updir).build());
  }

  @Test
  void fourPartsInParallelAreByteExactWithFivePosts() throws Exception {
    Path file = work.resolve("four.bin");
    String sha = UploadKillTest.writeRandom(file, 40 * MIB + 12345, 4);
    Run r;
    try (FileServer server = server()) {
      r = rget("upload", file.toString(), "http://127.0.0.1:" + server.port() + "/uploads/",
          "-n", "4", "--chunk-size", "1m", "--state-dir", stateDir.toString());
    }
    // Closing the server wrote out its access log.
    assertThat(r.code).as(r.stderr).isZero();
    assertThat(r.stderr).doesNotContain("note:").contains("uploaded four.bin");
    assertThat(UploadKillTest.sha256(updir.resolve("four.bin"))).isEqualTo(sha);
    assertThat(count("POST")).as(String.join("\n", log)).isEqualTo(5);
    // The four parts each sent their 10 MiB in 1 MiB PATCHes, from four connections at once.
    assertThat(count("PATCH")).isEqualTo(4 * 11);
    assertThat(userFiles()).containsExactly(updir.resolve("four.bin"));
    assertThat(hiddenParts()).isEmpty();
    try (var left = Files.list(stateDir)) {
      assertThat(left).as("state forgotten once done").isEmpty();
    }
  }

  @Test
  void tooSmallForPartsGoesAsOneStreamWithANotice() throws Exception {
    Path file = work.resolve("small.bin");
    String sha = UploadKillTest.writeRandom(file, 6 * MIB, 5);
    Run r;
    try (FileServer server = server()) {
      r = rget("upload", file.toString(), "http://127.0.0.1:" + server.port() + "/uploads/",
          "-n", "4", "--state-dir", stateDir.toString());
    }
    assertThat(r.code).as(r.stderr).isZero();
    assertThat(r.stderr).contains("note: the file is too small for 4 parts");
    assertThat(UploadKillTest.sha256(updir.resolve("small.bin"))).isEqualTo(sha);
    assertThat(count("POST")).isEqualTo(1);
  }

  @Test
  void noticeIsSilentWithQuiet() throws Exception {
    Path file = work.resolve("quiet.bin");
    UploadKillTest.writeRandom(file, 1 * MIB, 6);
    try (FileServer server = server()) {
      Run r = rget("upload", file.toString(), "http://127.0.0.1:" + server.port() + "/uploads/",
          "-n", "4", "--state-dir", stateDir.toString(), "-q");
      assertThat(r.code).as(r.stderr).isZero();
      assertThat(r.stderr).isEmpty();
    }
  }

  @Test
  void killedInTheParallelPhaseThenRunAgainIsOneByteExactFile() throws Exception {
    long size = 96 * MIB + 777;
    Path file = work.resolve("killed.bin");
    String sha = UploadKillTest.writeRandom(file, size, 7);
    try (FileServer server = server();
        CuttingRelay relay = CuttingRelay.start(new InetSocketAddress("127.0.0.1", server.port()), 0, 0)) {
      String url = "http://127.0.0.1:" + relay.port() + "/uploads/";
      Process first = child(file, url, work.resolve("first.log"));
      UploadKillTest.await(first, () -> relay.bytesUp() > size / 3 && partsRecorded(file, url) == 4,
          "a third of the file sent, all four parts recorded");
      first.destroyForcibly();
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(updir.resolve("killed.bin")).as("killed before the end").doesNotExist();
      UploadState.PartsEntry recorded = UploadState.of(stateDir, file, URI.create(url)).loadParts().orElseThrow();
      assertThat(recorded.finalRequested()).as("killed in the parallel phase").isFalse();
      long postsBefore = count("POST");

      Process again = child(file, url, work.resolve("second.log"));
      assertThat(again.waitFor(120, TimeUnit.SECONDS)).as("second run finished").isTrue();
      String secondLog = Files.readString(work.resolve("second.log"));
      assertThat(again.exitValue()).as(secondLog).isZero();
      assertThat(secondLog).contains("resumed at ");
      assertThat(UploadKillTest.sha256(updir.resolve("killed.bin"))).isEqualTo(sha);
      assertThat(userFiles()).as("exactly one final file").containsExactly(updir.resolve("killed.bin"));
      assertThat(hiddenParts()).as("no part left on the server").isEmpty();
      assertThat(relay.bytesUp()).as("the parts resumed, not sent again").isLessThan((long) (size * 1.3));
      server.close();
      assertThat(count("POST") - postsBefore).as("only the final upload created by the second run")
          .isEqualTo(1);
    }
  }

  /**
   * A crash after the final POST left but before its answer was read, and the server never got
   * it: the parts are all there and complete, so the final upload is asked for again, once.
   */
  @Test
  void finalAnswerLostAndPartsStillThereAsksForTheFinalAgain() throws Exception {
    Path file = work.resolve("lost.bin");
    byte[] data = Files.readAllBytes(writeFile(file, 9 * MIB + 5, 8));
    try (FileServer server = server()) {
      URI endpoint = URI.create("http://127.0.0.1:" + server.port() + "/uploads/");
      recordFinalRequested(file, endpoint, data, false);
      long before = count("POST");
      Run r = rget("upload", file.toString(), endpoint.toString(), "-n", "2", "--state-dir", stateDir.toString());
      assertThat(r.code).as(r.stderr).isZero();
      assertThat(r.stderr).contains("note: asking again for the final upload");
      assertThat(Files.readAllBytes(updir.resolve("lost.bin"))).isEqualTo(data);
      assertThat(userFiles()).containsExactly(updir.resolve("lost.bin"));
      assertThat(hiddenParts()).isEmpty();
      server.close();
      assertThat(count("POST") - before).as("one final upload, no new parts").isEqualTo(1);
    }
  }

  /**
   * The same crash, but the server did join the parts (and deleted them): whether the final
   * upload exists cannot be known, so the file is sent again rather than risk losing it; the
   * server then holds it twice, both byte-exact (the documented price).
   */
  @Test
  void finalAnswerLostAndPartsGoneUploadsAgainWithANotice() throws Exception {
    Path file = work.resolve("twice.bin");
    byte[] data = Files.readAllBytes(writeFile(file, 9 * MIB + 5, 9));
    try (FileServer server = server()) {
      URI endpoint = URI.create("http://127.0.0.1:" + server.port() + "/uploads/");
      recordFinalRequested(file, endpoint, data, true);
      assertThat(Files.readAllBytes(updir.resolve("twice.bin"))).isEqualTo(data);
      Run r = rget("upload", file.toString(), endpoint.toString(), "-n", "2", "--state-dir", stateDir.toString());
      assertThat(r.code).as(r.stderr).isZero();
      assertThat(r.stderr).contains("note: cannot tell whether the server joined the parts");
      assertThat(Files.readAllBytes(updir.resolve("twice.bin.1"))).isEqualTo(data);
      assertThat(hiddenParts()).isEmpty();
    }
  }

  /**
   * A crash after the final upload's URL was recorded, before the state was forgotten: the run
   * after it finds the final upload with HEAD and creates nothing.
   */
  @Test
  void recordedFinalUploadIsNotAskedForAgain() throws Exception {
    Path file = work.resolve("known.bin");
    byte[] data = Files.readAllBytes(writeFile(file, 9 * MIB + 5, 12));
    try (FileServer server = server()) {
      URI endpoint = URI.create("http://127.0.0.1:" + server.port() + "/uploads/");
      URI finalUrl = recordFinalRequested(file, endpoint, data, true);
      UploadState state = UploadState.of(stateDir, file, endpoint);
      state.saveParts(state.loadParts().orElseThrow().withFinal(finalUrl));
      long before = count("POST");
      Run r = rget("upload", file.toString(), endpoint.toString(), "-n", "2", "--state-dir", stateDir.toString());
      assertThat(r.code).as(r.stderr).isZero();
      assertThat(r.stderr).doesNotContain("note:");
      assertThat(userFiles()).containsExactly(updir.resolve("known.bin"));
      assertThat(Files.readAllBytes(updir.resolve("known.bin"))).isEqualTo(data);
      server.close();
      assertThat(count("POST") - before).as("nothing created").isZero();
      try (var left = Files.list(stateDir)) {
        assertThat(left).isEmpty();
      }
    }
  }

  /** A run with -n began in parts; the same file sent again without -n finishes those parts. */
  @Test
  void runWithoutPartsFinishesThePartsAnEarlierRunBegan() throws Exception {
    Path file = work.resolve("mixed.bin");
    byte[] data = Files.readAllBytes(writeFile(file, 9 * MIB + 5, 13));
    try (FileServer server = server()) {
      URI endpoint = URI.create("http://127.0.0.1:" + server.port() + "/uploads/");
      recordFinalRequested(file, endpoint, data, false);
      Run r = rget("upload", file.toString(), endpoint.toString(), "--state-dir", stateDir.toString());
      assertThat(r.code).as(r.stderr).isZero();
      assertThat(r.stderr).contains("note: resuming the upload in 2 parts");
      assertThat(userFiles()).containsExactly(updir.resolve("mixed.bin"));
      assertThat(Files.readAllBytes(updir.resolve("mixed.bin"))).isEqualTo(data);
    }
  }

  private static Path writeFile(Path file, long size, long seed) throws Exception {
    UploadKillTest.writeRandom(file, size, seed);
    return file;
  }

  /**
   * Plays a first run up to the final POST: two complete partial uploads made by hand, and a
   * state that says the final upload was asked for, its answer never read. With {@code send},
   * the final POST did reach the server.
   */
  private URI recordFinalRequested(Path file, URI endpoint, byte[] data, boolean send) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long postsBefore = count("POST");
    int half = data.length / 2;
    List<Long> lengths = List.of((long) half, (long) (data.length - half));
    List<URI> urls = new ArrayList<>();
    int at = 0;
    for (long len : lengths) {
      HttpResponse<Void> created = http.send(HttpRequest.newBuilder(endpoint).header("Tus-Resumable", "1.0.0")
          .header("Upload-Concat", "partial").header("Upload-Length", Long.toString(len))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(created.statusCode()).isEqualTo(201);
      URI url = endpoint.resolve(created.headers().firstValue("location").orElseThrow());
      HttpResponse<Void> patched = http.send(HttpRequest.newBuilder(url).header("Tus-Resumable", "1.0.0")
          .header("Content-Type", "application/offset+octet-stream").header("Upload-Offset", "0")
          .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(data, at, (int) len)).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(patched.statusCode()).isEqualTo(204);
      urls.add(url);
      at += (int) len;
    }
    URI finalUrl = null;
    if (send) {
      String name = Base64.getEncoder().encodeToString(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
      HttpResponse<Void> fin = http.send(HttpRequest.newBuilder(endpoint).header("Tus-Resumable", "1.0.0")
          .header("Upload-Concat", "final;" + urls.get(0) + " " + urls.get(1))
          .header("Upload-Metadata", "filename " + name)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(fin.statusCode()).isEqualTo(201);
      finalUrl = endpoint.resolve(fin.headers().firstValue("location").orElseThrow());
    }
    UploadState.of(stateDir, file, endpoint).saveParts(new UploadState.PartsEntry(Files.size(file),
        Files.getLastModifiedTime(file).toMillis(), lengths, urls, false, null).withFinal(null));
    // The server logs a request once its answer is out, which may be after the client read it:
    // wait for these POSTs' lines, so that a caller counting POSTs from here counts only its own.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (count("POST") < postsBefore + (send ? 3 : 2) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(count("POST")).as("the set-up's POSTs in the log").isEqualTo(postsBefore + (send ? 3 : 2));
    return finalUrl;
  }

  /** Cancel stops every part's PATCH in flight within a second (exit 130 on Ctrl-C builds on it). */
  @Test
  void cancelStopsEveryPartWithinASecond() throws Exception {
    try (StallingTusServer server = new StallingTusServer(StallingTusServer.Mode.STALL_PATCH)) {
      Path file = work.resolve("c.bin");
      writeFile(file, 16 * MIB, 10);
      Upload up = Rget.upload(file, URI.create(server.endpoint()),
          UploadOptions.builder().parallel(4).stateDir(stateDir).build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (server.patches.get() < 4) {
        assertThat(System.nanoTime()).as("four PATCHes in flight at once").isLessThan(deadline);
        assertThat(up.result()).isNotDone();
        Thread.sleep(2);
      }
      long t0 = System.nanoTime();
      up.cancel();
      assertThat(up.result()).failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(DownloadException.class)
          .extracting(e -> ((DownloadException) e).kind()).isEqualTo(FailureKind.CANCELLED);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }
  }

  /** Progress is the sum of the parts, and reaches the file's size. */
  @Test
  void progressIsTheSumOfTheParts() throws Exception {
    Path file = work.resolve("sum.bin");
    long size = 16 * MIB + 3;
    writeFile(file, size, 11);
    try (FileServer server = server()) {
      List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      Upload up = Rget.upload(file, URI.create("http://127.0.0.1:" + server.port() + "/uploads/"),
          UploadOptions.builder().parallel(4).chunkSize(MIB).stateDir(stateDir).build());
      while (!up.result().isDone()) {
        seen.add(up.progress().doneBytes());
        Thread.sleep(1);
      }
      TusUpload.Result r = up.result().get();
      assertThat(r.length()).isEqualTo(size);
      assertThat(r.bytesSent()).isEqualTo(size);
      assertThat(up.progress().doneBytes()).isEqualTo(size);
      assertThat(up.progress().totalBytes()).isEqualTo(size);
      assertThat(seen).allMatch(b -> b >= 0 && b <= size);
      assertThat(seen).isSorted();
    }
  }

  private int partsRecorded(Path file, String url) {
    try {
      Optional<UploadState.PartsEntry> e = UploadState.of(stateDir, file, URI.create(url)).loadParts();
      return e.map(p -> (int) p.partUrls().stream().filter(u -> u != null).count()).orElse(0);
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private long count(String method) {
    return log.stream().filter(l -> l.contains(" " + method + " /uploads/")).count();
  }

  private List<Path> userFiles() throws IOException {
    try (Stream<Path> s = Files.list(updir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
  }

  /** What the server still keeps of unfinished uploads (data and records). */
  private List<Path> hiddenParts() throws IOException {
    Path hidden = updir.resolve(".rget-uploads");
    if (!Files.isDirectory(hidden)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(hidden)) {
      return s.filter(p -> p.toString().endsWith(".part")).toList();
    }
  }

  private Process child(Path file, String url, Path out) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "upload", file.toString(), url, "-n", "4", "--chunk-size", "1m",
        "--state-dir", stateDir.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  private record Run(int code, String stderr) {}

  private static Run rget(String... args) {
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
