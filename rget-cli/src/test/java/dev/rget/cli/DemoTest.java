package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code rget demo} end to end, on a smaller file so the suite stays quick. */
class DemoTest {

  @Test
  void demoKillsResumesAndVerifies() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = Main.run("demo", "--size", "24m", "--rate", "1m", "-n", "4");
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    assertThat(out).contains("killed (SIGKILL)").contains("resuming:").contains("matches");
  }
}
