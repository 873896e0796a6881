package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What start-up loads (the start-up target of issue 10): {@code rget --version} is answered
 * before picocli loads, and says exactly what picocli would say; a subcommand builds the model of
 * that command only, while the help still lists them all.
 */
@Timeout(60)
class StartupPathTest {
  @TempDir Path dir;

  @Test
  void printsWhatPicocliWouldPrint() {
    ByteArrayOutputStream picocli = new ByteArrayOutputStream();
    new CommandLine(new Main()).printVersionHelp(
        new PrintStream(picocli, true, StandardCharsets.UTF_8));

    for (String flag : List.of("--version", "-V")) {
      PrintStream saved = System.out;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = Main.run(flag);
      } finally {
        System.setOut(saved);
      }
      assertThat(code).as(flag).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).as(flag)
          .isEqualTo(picocli.toString(StandardCharsets.UTF_8)).startsWith("rget ");
    }
  }

  @Test
  void versionLoadsNoPicocliClassButHelpDoes() throws Exception {
    Run version = runJvm("--version");
    assertThat(version.code).isZero();
    assertThat(version.stdout).isEqualTo(Main.VERSION + System.lineSeparator());
    assertThat(version.loaded).as("classes loaded by --version")
        .anyMatch(l -> l.contains("dev.rget.cli.Main "))
        .noneMatch(l -> l.contains(" picocli."));

    // The same check sees picocli when it does load: the assertion above can fail.
    Run help = runJvm("--help");
    assertThat(help.code).isZero();
    assertThat(help.stdout).contains("Usage: rget");
    assertThat(help.loaded).anyMatch(l -> l.contains(" picocli.CommandLine "));
  }

  @Test
  void aSubcommandLoadsOnlyItsOwnCommandClass() throws Exception {
    Run get = runJvm("get", "--help");
    assertThat(get.code).isZero();
    assertThat(get.stdout).contains("Usage: rget get");
    assertThat(get.loaded).anyMatch(l -> l.contains(" dev.rget.cli.GetCommand "))
        .noneMatch(l -> l.contains(" dev.rget.cli.ServeCommand "))
        .noneMatch(l -> l.contains(" dev.rget.cli.DaemonCommand "))
        .noneMatch(l -> l.contains(" dev.rget.cli.UploadCommand "));
  }

  @Test
  void theHelpStillListsEveryCommandInOrder() {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("--help")).isZero();
    } finally {
      System.setOut(saved);
    }
    List<String> listed = out.toString(StandardCharsets.UTF_8).lines()
        .dropWhile(l -> !l.equals("Commands:")).skip(1)
        .filter(l -> l.startsWith("  ") && !l.startsWith("   "))
        .map(l -> l.strip().split(" ")[0]).toList();
    assertThat(listed).containsExactlyElementsOf(Main.COMMANDS);
  }

  private record Run(int code, String stdout, List<String> loaded) {}

  private int runs;

  /** Runs {@code Main ARGS} in a new JVM on this test's class path, logging every class loaded. */
  private Run runJvm(String... args) throws IOException, InterruptedException {
    int n = runs++;
    Path log = dir.resolve("classes-" + n + ".txt");
    Path stdout = dir.resolve("stdout-" + n + ".txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xshare:auto",
        "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd)
        .redirectOutput(stdout.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertThat(p.waitFor(50, TimeUnit.SECONDS)).as("JVM finished").isTrue();
    return new Run(p.exitValue(), Files.readString(stdout), Files.readAllLines(log));
  }
}
