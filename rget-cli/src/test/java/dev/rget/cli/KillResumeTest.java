package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.state.StateStore;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user runs it, in a child process, killed with SIGKILL at several moments of a
 * throttled download and run again: the result must be byte-exact and little data fetched twice.
 */
class KillResumeTest {
  private static final long MIB = 1 << 20;
  @TempDir Path dir;

  @Test
  void sigkilledFiveTimesThenRunToTheEndIsByteExactAndFetchesLittleTwice() throws Exception {
    Content c = Content.pseudoRandom(32 * MIB, 77);
    try (FaultServer server = new FaultServer()) {
      server.put("/big.bin", Resource.builder(c).rateLimit(MIB).build());
      Path out = dir.resolve("big.bin");
      StateStore state = new StateStore(dir.resolve("big.bin.rget"));
      // Kill moments: as soon as the state file exists (mid-start), then at growing progress.
      long[] killAt = {0, c.length() / 10, c.length() * 3 / 10, c.length() / 2, c.length() * 7 / 10};
      for (long goal : killAt) {
        Process p = rget(server, out);
        awaitRecorded(p, state, recorded -> recorded >= goal);
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("killed before the end").doesNotExist();
      }
      Process last = rget(server, out);
      assertThat(last.waitFor(60, TimeUnit.SECONDS)).as("final run finished").isTrue();
      assertThat(last.exitValue()).isZero();
      assertThat(sha256(out)).isEqualTo(c.sha256());
      assertThat(dir.resolve("big.bin.part")).doesNotExist();
      assertThat(dir.resolve("big.bin.rget")).doesNotExist();
      server.awaitIdle(Duration.ofSeconds(5));
      // Each kill may lose what was in flight and up to 100 ms of unsaved progress.
      assertThat(server.bytesSent()).isLessThanOrEqualTo((long) (c.length() * 1.10));
    }
  }

  private Process rget(FaultServer server, Path out) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "get", server.url("/big.bin").toString(), "-o", out.toString(), "-n", "8", "-q"));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("rget.log").toFile()).start();
  }

  /** Waits until the state file records bytes satisfying {@code condition} (bounded). */
  private static void awaitRecorded(Process p, StateStore state, LongPredicate condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("download still running").isTrue();
      try {
        if (condition.test(state.load().written().size())) {
          return;
        }
      } catch (IOException e) {
        // No state file yet, or caught between writes of the temporary: look again.
      }
      Thread.sleep(5);
    }
    throw new AssertionError("state file never reached the expected progress");
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(file));
    return HexFormat.of().formatHex(md.digest());
  }
}
