package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.state.StateStore;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) ends {@code rget get} with exit code 130 within a second in every state a
 * download can wait in, with the state saved; the CLI runs in a child process, as a user runs it.
 */
@Timeout(120)
class InterruptTest {
  @BeforeEach
  void sigintReachesChildren() throws IOException {
    SigintDelivery.assume();
  }

  private static final long KIB = 1024;
  private static final long MIB = 1 << 20;
  /** What the issue promises: exit within a second of the signal. */
  private static final Duration PROMPT = Duration.ofSeconds(1);

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();

  @Test
  void whileProbingAServerThatNeverAnswers() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    server.handle("/f", (request, out, socket) -> {
      asked.countDown();
      try {
        Thread.sleep(120_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    });
    Process p = rget();
    assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue();

    interruptAndAwaitExit(p);
  }

  @Test
  void whileWaitingOutARetryAfterOf120Seconds() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 61));
    server.faults().failAlways(503, 120);
    Process p = rget();
    await(p, () -> server.requests("/f").size() >= 1);

    interruptAndAwaitExit(p);
  }

  @Test
  void whileRateLimitedTo10KibPerSecond() throws Exception {
    server.put("/f", Content.pseudoRandom(4 * MIB, 62));
    Process p = rget("--limit-rate", "10k");
    StateStore state = new StateStore(dir.resolve("f.bin.rget"));
    await(p, () -> recorded(state) >= 20 * KIB);

    interruptAndAwaitExit(p);
    assertThat(recorded(state)).as("progress saved").isGreaterThanOrEqualTo(20 * KIB);
  }

  @Test
  void whileEveryConnectionIsStalled() throws Exception {
    server.put("/f", Content.pseudoRandom(4 * MIB, 63));
    // 4 MiB in 1 MiB pieces: four connections, each stalled after 64 KiB.
    server.faults().stallAfter(64 * KIB);
    Process p = rget();
    StateStore state = new StateStore(dir.resolve("f.bin.rget"));
    assertThat(server.faults().awaitStalled(4, Duration.ofSeconds(30))).isTrue();
    await(p, () -> recorded(state) >= 4 * 64 * KIB);

    interruptAndAwaitExit(p);
    assertThat(recorded(state)).as("progress saved").isEqualTo(4 * 64 * KIB);
  }

  private Process rget(String... extra) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "get", server.url("/f").toString(), "-o", dir.resolve("f.bin").toString(), "-n", "8",
        "--stall-timeout", "60s", "-q"));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("rget.log").toFile()).start();
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
    assertThat(dir.resolve("f.bin")).doesNotExist();
  }

  private String log() throws IOException {
    Path log = dir.resolve("rget.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static long recorded(StateStore state) {
    try {
      return state.load().written().size();
    } catch (IOException e) {
      return -1; // not there yet, or caught between writes of the temporary
    }
  }

  private static void await(Process p, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(p.isAlive()).as("download still running").isTrue();
      assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
