package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.upload.TusUpload;
import dev.rget.core.upload.UploadState;
import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget upload} and {@link TusUpload} against {@code rget serve --uploads} started in this
 * process on loopback: byte-exact, resumed after a cancel from the server's offset, a changed
 * local file starts over, a wrong token is exit 4 with one line.
 */
class UploadCommandTest {
  private static final String TOKEN = "s3cret-token";
  private static final int CHUNK = 256 * 1024;

  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path work;
  @TempDir Path stateDir;
  private FileServer server;
  private URI endpoint;

  @BeforeEach
  void start() throws Exception {
    server = FileServer.start(ServerConfig.builder().root(root).bind("127.0.0.1").port(0)
        .accessLogSink(line -> {}).uploads(updir).uploadToken(TOKEN).build());
    endpoint = URI.create("http://127.0.0.1:" + server.port() + "/uploads/");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void uploadsByteExactAndForgetsTheState() throws Exception {
    byte[] data = random(5 * CHUNK + 123, 1);
    Path file = write("payload.bin", data);
    Run r = rget("upload", file.toString(), endpoint.toString(), "--upload-token", TOKEN,
        "--chunk-size", "256k", "--state-dir", stateDir.toString(), "-q");
    assertThat(r.code).as(r.stderr).isZero();
    assertThat(r.stderr).isEmpty();
    assertThat(Files.readAllBytes(updir.resolve("payload.bin"))).isEqualTo(data);
    try (var files = Files.list(stateDir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void emptyFileIsUploaded() throws Exception {
    Path file = write("empty.bin", new byte[0]);
    Run r = rget("upload", file.toString(), endpoint.toString(), "--upload-token", TOKEN,
        "--state-dir", stateDir.toString(), "-q");
    assertThat(r.code).as(r.stderr).isZero();
    assertThat(updir.resolve("empty.bin")).isEmptyFile();
  }

  @Test
  void cancelledPartWayThenRunAgainSendsOnlyTheRest() throws Exception {
    byte[] data = random(10 * CHUNK + 777, 2);
    Path file = write("big.bin", data);
    AtomicInteger chunks = new AtomicInteger();
    TusUpload[] first = new TusUpload[1];
    first[0] = TusUpload.builder(file, endpoint).token(TOKEN).chunkSize(CHUNK).stateDir(stateDir)
        .listener((offset, length) -> {
          if (chunks.incrementAndGet() == 3) {
            first[0].cancel();
          }
        }).build();
    assertThatThrownBy(first[0]::run).isInstanceOf(DownloadException.class)
        .extracting(e -> ((DownloadException) e).kind()).isEqualTo(FailureKind.CANCELLED);
    assertThat(updir.resolve("big.bin")).doesNotExist();

    // The server's side: the remembered upload holds the three chunks answered, and the fourth
    // too if its PATCH, written right behind the third, arrived whole before the cancel (the
    // server may still be recording it: the second run's HEAD says which).
    URI uploadUrl = UploadState.of(stateDir, file, endpoint).load().orElseThrow().uploadUrl();
    assertThat(serverOffset(uploadUrl)).isIn(3L * CHUNK, 4L * CHUNK);

    List<Long> offsets = new CopyOnWriteArrayList<>();
    TusUpload.Result result = TusUpload.builder(file, endpoint).token(TOKEN).chunkSize(CHUNK)
        .stateDir(stateDir).listener((offset, length) -> offsets.add(offset)).build().run();
    assertThat(result.uploadUrl()).isEqualTo(uploadUrl);
    long held = result.resumedFrom();
    assertThat(held).isIn(3L * CHUNK, 4L * CHUNK);
    // where the server was (its HEAD), then one chunk after another to the end: only the rest sent
    List<Long> expected = new ArrayList<>();
    for (long at = held; at < data.length; at = Math.min(at + CHUNK, data.length)) {
      expected.add(at);
    }
    expected.add((long) data.length);
    assertThat(offsets).isEqualTo(expected);
    assertThat(Files.readAllBytes(updir.resolve("big.bin"))).isEqualTo(data);
    assertThat(serverOffset(uploadUrl)).isEqualTo(data.length);
  }

  @Test
  void aChangedLocalFileStartsANewUpload() throws Exception {
    Path file = write("doc.bin", random(4 * CHUNK, 3));
    AtomicInteger chunks = new AtomicInteger();
    TusUpload[] first = new TusUpload[1];
    first[0] = TusUpload.builder(file, endpoint).token(TOKEN).chunkSize(CHUNK).stateDir(stateDir)
        .listener((offset, length) -> {
          if (chunks.incrementAndGet() == 1) {
            first[0].cancel();
          }
        }).build();
    assertThatThrownBy(first[0]::run).isInstanceOf(DownloadException.class);
    URI old = UploadState.of(stateDir, file, endpoint).load().orElseThrow().uploadUrl();

    byte[] changed = random(4 * CHUNK, 4);
    Files.write(file, changed);
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    TusUpload.Result r = TusUpload.builder(file, endpoint).token(TOKEN).chunkSize(CHUNK)
        .stateDir(stateDir).build().run();
    assertThat(r.uploadUrl()).isNotEqualTo(old);
    assertThat(r.resumedFrom()).isZero();
    assertThat(Files.readAllBytes(updir.resolve("doc.bin"))).isEqualTo(changed);
  }

  @Test
  void aRememberedUploadTheServerNoLongerKnowsStartsANewOne() throws Exception {
    byte[] data = random(2 * CHUNK, 5);
    Path file = write("gone.bin", data);
    UploadState state = UploadState.of(stateDir, file, endpoint);
    URI missing = endpoint.resolve("AAAAAAAAAAAAAAAAAAAAAA");
    state.save(new UploadState.Entry(missing, data.length,
        Files.getLastModifiedTime(file).toMillis()));
    TusUpload.Result r = TusUpload.builder(file, endpoint).token(TOKEN).chunkSize(CHUNK)
        .stateDir(stateDir).build().run();
    assertThat(r.uploadUrl()).isNotEqualTo(missing);
    assertThat(Files.readAllBytes(updir.resolve("gone.bin"))).isEqualTo(data);
  }

  @Test
  void stateFileIsOwnerOnlyAndHoldsNoToken() throws Exception {
    Path file = write("secret.bin", random(3 * CHUNK, 6));
    TusUpload[] up = new TusUpload[1];
    up[0] = TusUpload.builder(file, endpoint).token(TOKEN).chunkSize(CHUNK).stateDir(stateDir)
        .listener((offset, length) -> up[0].cancel()).build();
    assertThatThrownBy(up[0]::run).isInstanceOf(DownloadException.class);
    List<Path> states;
    try (Stream<Path> s = Files.list(stateDir)) {
      states = s.toList();
    }
    assertThat(states).as("the upload's state file").hasSize(1);
    Path state = states.get(0);
    assertThat(Files.readString(state)).doesNotContain(TOKEN);
    assertThat(Files.getPosixFilePermissions(state)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void wrongTokenIsExit4WithOneLine() throws Exception {
    Path file = write("x.bin", random(1000, 7));
    Run r = rget("upload", file.toString(), endpoint.toString(), "--upload-token", "wrong",
        "--state-dir", stateDir.toString(), "-q");
    assertThat(r.code).isEqualTo(4);
    assertThat(r.stderr.lines().filter(l -> !l.isBlank()).toList()).hasSize(1)
        .first().asString().contains("401").doesNotContain("wrong");
  }

  @Test
  void aServerThatKeepsDroppingIsExit3WithOneLineAfterTheRetries() throws Exception {
    Path file = write("z.bin", random(1000, 8));
    try (StallingTusServer dropping = new StallingTusServer(StallingTusServer.Mode.DROP)) {
      Run r = rget("upload", file.toString(), dropping.endpoint(), "--retries", "1",
          "--state-dir", stateDir.toString(), "-q");
      assertThat(r.code).isEqualTo(3);
      assertThat(r.stderr.lines().filter(l -> !l.isBlank()).toList()).as(r.stderr).hasSize(1)
          .first().asString().contains("gave up after 1 retry: POST");
      assertThat(dropping.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void eachRetryIsANoticeUnlessQuiet() throws Exception {
    Path file = write("n.bin", random(1000, 9));
    try (StallingTusServer dropping = new StallingTusServer(StallingTusServer.Mode.DROP)) {
      Run r = rget("upload", file.toString(), dropping.endpoint(), "--retries", "2",
          "--state-dir", stateDir.toString());
      assertThat(r.code).isEqualTo(3);
      // (A progress line every 5 s, if the machine is that slow, is not what this looks at.)
      List<String> lines = r.stderr.lines().filter(l -> l.startsWith("rget:")).toList();
      assertThat(lines).as(r.stderr).hasSize(3);
      assertThat(lines.get(0)).startsWith("rget: note: POST ").contains("retry 1 of 2 in");
      assertThat(lines.get(1)).startsWith("rget: note: POST ").contains("retry 2 of 2 in");
      assertThat(lines.get(2)).contains("gave up after 2 retries");
    }
  }

  @Test
  void missingFileIsExit5AndBadUrlIsExit2() throws Exception {
    assertThat(rget("upload", work.resolve("nope").toString(), endpoint.toString(),
        "--state-dir", stateDir.toString(), "-q").code).isEqualTo(5);
    Path file = write("y.bin", new byte[10]);
    assertThat(rget("upload", file.toString(), "ftp://x/", "-q").code).isEqualTo(2);
    assertThat(rget("upload", file.toString(), endpoint.toString(), "--chunk-size", "lots").code)
        .isEqualTo(2);
  }

  private Path write(String name, byte[] data) throws Exception {
    Path p = work.resolve(name);
    Files.write(p, data);
    return p;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private long serverOffset(URI url) throws Exception {
    HttpResponse<Void> r = head(url);
    assertThat(r.statusCode()).isEqualTo(200);
    return Long.parseLong(r.headers().firstValue("Upload-Offset").orElseThrow());
  }

  private static HttpResponse<Void> head(URI url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(url)
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Tus-Resumable", "1.0.0")
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.discarding());
  }

  private record Run(int code, String stderr) {}

  private static Run rget(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(List.of(args).toArray(String[]::new));
      System.err.flush();
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }
}
