package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Progress;
import dev.rget.core.Rget;
import dev.rget.core.Upload;
import dev.rget.core.upload.TusUpload;
import dev.rget.core.upload.UploadOptions;
import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Rget#upload}: the handle's result, progress and prompt cancel, on loopback servers. */
@Timeout(60)
class UploadApiTest {
  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path work;

  @Test
  void resultAndProgressOfAFinishedUpload() throws Exception {
    byte[] data = new byte[3 * (1 << 20) + 17];
    new Random(9).nextBytes(data);
    Path file = work.resolve("api.bin");
    Files.write(file, data);
    try (FileServer server = FileServer.start(ServerConfig.builder().root(root).bind("127.0.0.1")
        .port(0).accessLogSink(line -> {}).uploads(updir).build())) {
      Upload up = Rget.upload(file, URI.create("http://127.0.0.1:" + server.port() + "/uploads/"),
          UploadOptions.builder().chunkSize(1 << 20).stateDir(work.resolve("state")).build());
      TusUpload.Result r = up.result().get(30, TimeUnit.SECONDS);
      assertThat(r.length()).isEqualTo(data.length);
      assertThat(r.resumedFrom()).isZero();
      assertThat(r.bytesSent()).isEqualTo(data.length);
      Progress p = up.progress();
      assertThat(p.doneBytes()).isEqualTo(data.length);
      assertThat(p.totalBytes()).isEqualTo(data.length);
      assertThat(p.fraction()).isEqualTo(1.0);
      assertThat(p.fileName()).isEqualTo("api.bin");
      assertThat(Files.readAllBytes(updir.resolve("api.bin"))).isEqualTo(data);
    }
  }

  @Test
  void cancelEndsARequestInFlightWithinASecond() throws Exception {
    try (StallingTusServer server = new StallingTusServer(StallingTusServer.Mode.STALL_PATCH)) {
      Path file = work.resolve("c.bin");
      Files.write(file, new byte[2 << 20]);
      Upload up = Rget.upload(file, URI.create(server.endpoint()),
          UploadOptions.builder().stateDir(work.resolve("state")).build());
      assertThat(server.patchStarted.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(up.result()).isNotDone();
      long t0 = System.nanoTime();
      up.cancel();
      assertThat(up.result()).failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(DownloadException.class)
          .extracting(e -> ((DownloadException) e).kind()).isEqualTo(FailureKind.CANCELLED);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void aBadEndpointFailsTheResultWithUsage() throws Exception {
    Path file = work.resolve("u.bin");
    Files.write(file, new byte[1]);
    Upload up = Rget.upload(file, URI.create("ftp://127.0.0.1/uploads/"), UploadOptions.defaults());
    assertThat(up.result()).failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(DownloadException.class)
        .extracting(e -> ((DownloadException) e).kind()).isEqualTo(FailureKind.USAGE);
  }

  @Test
  void givingUpAfterTheRetriesIsANetworkFailureSayingSo() throws Exception {
    try (StallingTusServer server = new StallingTusServer(StallingTusServer.Mode.DROP)) {
      Path file = work.resolve("r.bin");
      Files.write(file, new byte[10]);
      Upload up = Rget.upload(file, URI.create(server.endpoint()),
          UploadOptions.builder().retries(2).stateDir(work.resolve("state")).build());
      assertThat(up.result()).failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(DownloadException.class)
          .satisfies(e -> {
            assertThat(((DownloadException) e).kind()).isEqualTo(FailureKind.NETWORK);
            assertThat(e.getMessage()).startsWith("gave up after 2 retries: POST");
          });
      assertThat(server.connections.get()).as("one attempt and two retries").isEqualTo(3);
    }
  }
}
