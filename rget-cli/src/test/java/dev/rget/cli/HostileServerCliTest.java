package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.state.StateStore;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 8 on {@code rget get}, each through the CLI as a user runs it (a child
 * process) against a hostile {@link FaultServer}: planted symbolic links, server-chosen names
 * that would replace a file, terminal escapes in server text, and a password in the URL.
 */
@Timeout(120)
class HostileServerCliTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();

  /** A finished child run: exit code and everything it printed. */
  private record Run(int code, String output) {}

  @Test
  void symlinksPlantedAtThePartFileOrTheStateTemporaryAreNeverFollowed() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 1));
    Path victim = Files.writeString(dir.resolve("victim.txt"), "precious\n");
    for (String planted : List.of("out.bin.part", "out.bin.rget.tmp")) {
      Path link = Files.createSymbolicLink(dir.resolve(planted), victim);

      Run r = await(start("get", server.url("/f").toString(), "-o",
          dir.resolve("out.bin").toString(), "-q"));

      assertThat(r.code()).as(planted + ": " + r.output()).isEqualTo(5);
      assertThat(oneLine(r)).contains(planted).contains("symbolic link");
      assertThat(Files.readString(victim)).isEqualTo("precious\n");
      assertThat(dir.resolve("out.bin")).doesNotExist();
      Files.delete(link);
    }
  }

  @Test
  void aServerChosenNameNeverReplacesAFileAndTheSameCommandResumesThePickedName()
      throws Exception {
    Content c = Content.pseudoRandom(8 * MIB, 2);
    server.put("/download", Resource.builder(c).rateLimit(MIB)
        .header("Content-Disposition", "attachment; filename=\"Makefile\"").build());
    Path makefile = Files.writeString(dir.resolve("Makefile"), "all:\n\techo mine\n");
    StateStore state = new StateStore(dir.resolve("Makefile.1.rget"));

    Process first = start("get", server.url("/download").toString(), "-d", dir.toString(),
        "-n", "4");
    awaitRecorded(first, state, MIB);
    first.destroyForcibly();
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(log(first)).contains("Makefile already exists; saving as Makefile.1");
    assertThat(dir.resolve("Makefile.1.part")).exists();

    Run second = await(start("get", server.url("/download").toString(), "-d", dir.toString(),
        "-n", "4"));

    assertThat(second.code()).as(second.output()).isZero();
    assertThat(second.output()).contains("resuming the partial download Makefile.1")
        .contains("resumed");
    assertThat(Files.readString(makefile)).isEqualTo("all:\n\techo mine\n");
    assertThat(sha256(dir.resolve("Makefile.1"))).isEqualTo(c.sha256());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("Makefile", "Makefile.1", "rget-0.log", "rget-1.log");
    }
  }

  @Test
  void terminalEscapesFromTheServerAreNeverPrintedRaw() throws Exception {
    server.redirect("/r", 302, "/x\u001b]0;pwned\u0007\u001b[2J\u009b31m");
    server.put("/evil", Resource.builder(Content.pseudoRandom(1000, 3))
        .header("Content-Disposition", "attachment; filename=\"a\u001b[2Jb\u0007.txt\"").build());
    Path list = Files.writeString(dir.resolve("urls.txt"),
        server.url("/r") + "\n" + server.url("/evil") + "\n");

    Run r = await(start("get", "-i", list.toString(), "-d", dir.toString()));

    assertThat(r.code()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("1 of 2 files downloaded").contains("\\x1b]0;pwned\\x07")
        .doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");
  }

  @Test
  void aPasswordInTheUrlReachesNoFileAndNoMessage() throws Exception {
    server.put("/f.bin", Resource.builder(Content.pseudoRandom(8 * MIB, 4)).rateLimit(MIB).build());
    String withSecret = "http://user:secret@127.0.0.1:" + server.port();
    StateStore state = new StateStore(dir.resolve("f.bin.rget"));

    Process p = start("get", withSecret + "/f.bin", "-d", dir.toString(), "-n", "4");
    awaitRecorded(p, state, MIB);
    p.destroyForcibly();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Run missing = await(start("get", withSecret + "/missing", "-o",
        dir.resolve("m.bin").toString()));

    assertThat(missing.code()).isEqualTo(4);
    assertThat(oneLine(missing)).contains("http://user:***@127.0.0.1");
    assertThat(Files.readString(state.path())).contains("user@127.0.0.1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.path())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("f.bin.part")))).isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as(f.getFileName().toString()).doesNotContain("secret");
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private int runs;

  /** Starts {@code rget ARGS} in a child JVM, output to rget-N.log in the test directory. */
  private Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--stall-timeout", "5s", "--connect-timeout", "5s", "--retries", "1"));
    Path log = dir.resolve("rget-" + runs++ + ".log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    logs.put(p, log);
    return p;
  }

  private final Map<Process, Path> logs = new HashMap<>();

  private String log(Process p) throws IOException {
    return Files.readString(logs.get(p), StandardCharsets.UTF_8);
  }

  private Run await(Process p) throws Exception {
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("rget finished").isTrue();
    return new Run(p.exitValue(), log(p));
  }

  /** The single line a failed run printed: no stack trace, no second line. */
  private static String oneLine(Run r) {
    List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(r.output()).hasSize(1);
    assertThat(lines.get(0)).startsWith("rget: ").doesNotContain("Exception");
    return lines.get(0);
  }

  /** Waits (bounded) until the state file records at least {@code bytes} written bytes. */
  private static void awaitRecorded(Process p, StateStore state, long bytes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("download still running").isTrue();
      try {
        if (state.load().written().size() >= bytes) {
          return;
        }
      } catch (IOException e) {
        // No state file yet, or caught between writes: look again.
      }
      Thread.sleep(5);
    }
    throw new AssertionError("state file never recorded " + bytes + " bytes");
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(file));
    return HexFormat.of().formatHex(md.digest());
  }
}
