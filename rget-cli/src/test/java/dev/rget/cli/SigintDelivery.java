package dev.rget.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether a child process can get SIGINT here. A process started with SIGINT ignored (under
 * {@code nohup}, or as a background job of a shell without job control) passes that on to every
 * child, and the JVM then leaves it ignored: Ctrl-C tests cannot run there, and say so instead of
 * failing after their timeouts.
 */
final class SigintDelivery {
  private SigintDelivery() {}

  /** Skips the calling test when SIGINT is ignored by this process (and so by its children). */
  static void assume() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return; // not Linux: nothing to tell, the test runs
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
        Assumptions.assumeTrue((ignored & (1L << (2 - 1))) == 0,
            "SIGINT is ignored in this environment (nohup, or a background job without job"
                + " control), so a child JVM cannot receive it: run the tests in the foreground");
      }
    }
  }
}
