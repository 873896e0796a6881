package dev.rget.core.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.core.Upload;
import dev.rget.core.transport.Proxy;
import dev.rget.core.transport.ProxyRules;
import dev.rget.testkit.SilentServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TusUpload#cancel()} ends an upload whose first request is still setting up its
 * connection (the TLS handshake, an http proxy's {@code CONNECT}) at once, as CANCELLED, instead
 * of after the 10 s connect timeout ({@link Reach#CONNECT_TIMEOUT}). The server accepts TCP,
 * reads the client's first message and never answers.
 */
@Timeout(60)
class UploadCancelWhileConnectingTest {
  /** Generous for a loaded machine, and a fifth of the connect timeout. */
  private static final Duration PROMPT = Duration.ofSeconds(2);

  @TempDir Path dir;
  @AutoClose private final SilentServer silent = SilentServer.start();

  UploadCancelWhileConnectingTest() throws IOException {}

  @Test
  void duringTheTlsHandshakeOfTheFirstRequest() throws Exception {
    TusUpload upload = upload(URI.create("https://127.0.0.1:" + silent.port() + "/files/"),
        UploadOptions.builder().build());

    assertCancelledPromptly(upload);
  }

  @Test
  void whileAnHttpProxyNeverAnswersConnect() throws Exception {
    Proxy proxy = Proxy.parse("http://127.0.0.1:" + silent.port());
    TusUpload upload = upload(URI.create("https://origin.test/files/"),
        UploadOptions.builder().proxies(ProxyRules.of(proxy, "")).build());

    assertCancelledPromptly(upload);
  }

  @Test
  void aParallelUploadThroughTheApiDuringItsFirstTlsHandshake() throws Exception {
    Path file = dir.resolve("up.bin");
    Files.write(file, new byte[64 * 1024]);
    Upload upload = Rget.upload(file,
        URI.create("https://127.0.0.1:" + silent.port() + "/files/"),
        UploadOptions.builder().parallel(2).stateDir(dir.resolve("state")).build());
    try {
      assertThat(silent.awaitBytes(1, Duration.ofSeconds(20)))
          .as("the client's first message arrived").isTrue();
      assertCancelledPromptly(upload::cancel, upload.result());
    } finally {
      upload.cancel();
    }
  }

  private TusUpload upload(URI endpoint, UploadOptions options) throws Exception {
    Path file = dir.resolve("up.bin");
    Files.write(file, new byte[4096]);
    return TusUpload.builder(file, endpoint).reach(options).stateDir(dir.resolve("state"))
        .retries(3).build();
  }

  /**
   * Runs {@code upload} until its first message reached the silent server, cancels, and requires
   * CANCELLED within {@link #PROMPT} and the connection closed.
   */
  private void assertCancelledPromptly(TusUpload upload) throws Exception {
    FutureTask<TusUpload.Result> run = new FutureTask<>(upload::run);
    Thread runner = new Thread(run, "upload-under-test");
    runner.start();
    try {
      assertThat(silent.awaitBytes(1, Duration.ofSeconds(20)))
          .as("the client's first message arrived").isTrue();
      assertCancelledPromptly(upload::cancel, run);
    } finally {
      upload.cancel();
      runner.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  /** Cancels with {@code cancel}; requires {@code result} CANCELLED within {@link #PROMPT}. */
  private void assertCancelledPromptly(Runnable cancel, Future<TusUpload.Result> result)
      throws Exception {
    assertThat(result.isDone()).as("still connecting before the cancel").isFalse();
    long t0 = System.nanoTime();
    cancel.run();
    try {
      TusUpload.Result r = result.get(30, TimeUnit.SECONDS);
      fail("a cancelled upload must not succeed, got " + r);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DownloadException.class);
      assertThat(((DownloadException) e.getCause()).kind())
          .as("failure kind of " + e.getCause()).isEqualTo(FailureKind.CANCELLED);
    } catch (TimeoutException e) {
      fail("the upload did not end within 30 s of cancel()");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).as("time from cancel() to the end of the upload").isLessThan(PROMPT);
    assertThat(silent.awaitClosedByClient(1, Duration.ofSeconds(5)))
        .as("the connection being set up was closed").isTrue();
  }
}
