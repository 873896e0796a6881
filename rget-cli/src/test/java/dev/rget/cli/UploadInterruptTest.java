package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.upload.UploadState;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) ends {@code rget upload}, run in a child process as a user runs it, with exit
 * code 130 within a second, both while a {@code PATCH} waits for a server that never answers and
 * while pausing between retries; the upload's state stays for the next run.
 */
@Timeout(120)
class UploadInterruptTest {
  @BeforeEach
  void sigintReachesChildren() throws IOException {
    SigintDelivery.assume();
  }

  private static final Duration PROMPT = Duration.ofSeconds(1);

  @TempDir Path work;

  @Test
  void whileAPatchWaitsForAServerThatNeverAnswers() throws Exception {
    try (StallingTusServer server = new StallingTusServer(StallingTusServer.Mode.STALL_PATCH)) {
      Path file = work.resolve("f.bin");
      Files.write(file, new byte[3 << 20]);
      Process p = rget(file, server.endpoint());
      assertThat(server.patchStarted.await(30, TimeUnit.SECONDS)).as("PATCH sent").isTrue();

      interruptAndAwaitExit(p);
      UploadState state = UploadState.of(work.resolve("state"), file, URI.create(server.endpoint()));
      assertThat(state.load()).as("state kept for the next run").isPresent()
          .get().extracting(e -> e.uploadUrl().getPath()).isEqualTo("/uploads/stalled");
    }
  }

  @Test
  void whilePausingBetweenRetries() throws Exception {
    try (StallingTusServer server = new StallingTusServer(StallingTusServer.Mode.DROP)) {
      Path file = work.resolve("g.bin");
      Files.write(file, new byte[1000]);
      Process p = rget(file, server.endpoint(), "--retries", "50");
      // After a few dropped connections the client waits seconds between attempts.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (server.connections.get() < 4) {
        assertThat(p.isAlive()).as("still retrying: %s", log()).isTrue();
        assertThat(System.nanoTime()).as("four attempts within 30 s").isLessThan(deadline);
        Thread.sleep(5);
      }

      interruptAndAwaitExit(p);
    }
  }

  private Process rget(Path file, String url, String... extra) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "upload", file.toString(), url, "--state-dir", work.resolve("state").toString(), "-q"));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(work.resolve("rget.log").toFile()).start();
  }

  private void interruptAndAwaitExit(Process p) throws Exception {
    assertThat(p.isAlive()).as("still running before the signal: %s", log()).isTrue();
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long t0 = System.nanoTime();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(p.exitValue()).as("exit code; output: %s", log()).isEqualTo(130);
    assertThat(took).as("time from SIGINT to exit").isLessThan(PROMPT);
  }

  private String log() throws IOException {
    Path log = work.resolve("rget.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
