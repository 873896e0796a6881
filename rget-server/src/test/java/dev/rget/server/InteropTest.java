package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real third-party clients as child processes against the server on loopback, each checked
 * byte-exact by SHA-256. Skipped (not failed) where a client is not installed; CI installs curl,
 * wget and aria2 with apt-get.
 */
class InteropTest {
  @TempDir static Path dir;
  @TempDir Path out;
  static Fixture f;
  static byte[] big;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    f = Fixture.start(root);
    big = Fixture.randomBytes(16 << 20, 5);
    Fixture.write(root.resolve("big.bin"), big);
    url = f.server.uri() + "big.bin";
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static void need(String tool) {
    boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    assumeTrue(found, tool + " is not installed; skipping (install: apt-get install -y curl wget aria2)");
  }

  static String run(Path cwd, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] output = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished: " + String.join(" ", command)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", command) + " said:\n" + text).isZero();
    return text;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static String sha256(Path p) throws Exception {
    return sha256(Files.readAllBytes(p));
  }

  @Test
  void curlRangeFetchesExactBytes() throws Exception {
    need("curl");
    Path a = out.resolve("a");
    run(out, "curl", "-sS", "--fail", "-r", "1000-1999", "-o", a.toString(), url);
    assertThat(sha256(a)).isEqualTo(sha256(Arrays.copyOfRange(big, 1000, 2000)));
    Path b = out.resolve("b");
    run(out, "curl", "-sS", "--fail", "-r", "-4096", "-o", b.toString(), url);
    assertThat(sha256(b)).isEqualTo(sha256(Arrays.copyOfRange(big, big.length - 4096, big.length)));
  }

  @Test
  void curlResumesATruncatedFile() throws Exception {
    need("curl");
    Path partial = out.resolve("big.bin");
    Files.write(partial, Arrays.copyOf(big, 5_000_001));
    run(out, "curl", "-sS", "--fail", "-C", "-", "-o", partial.toString(), url);
    assertThat(sha256(partial)).isEqualTo(sha256(big));
  }

  @Test
  void wgetContinuesATruncatedFile() throws Exception {
    need("wget");
    Path partial = out.resolve("big.bin");
    Files.write(partial, Arrays.copyOf(big, 7_777_777));
    run(out, "wget", "-q", "-c", url);
    assertThat(sha256(partial)).isEqualTo(sha256(big));
  }

  @Test
  void aria2cWithEightConnectionsGetsExactBytes() throws Exception {
    need("aria2c");
    int before = f.logLines().size();
    run(out, "aria2c", "-q", "-x8", "-s8", "-k1M", "--file-allocation=none", "--allow-overwrite=true",
        "-d", out.toString(), "-o", "aria.bin", url);
    assertThat(sha256(out.resolve("aria.bin"))).isEqualTo(sha256(big));
    List<String> ranged = new ArrayList<>();
    for (String l : f.logLines().subList(before, f.logLines().size())) {
      if (l.contains("GET /big.bin \"bytes=") && l.contains(" 206 ")) {
        ranged.add(l);
      }
    }
    assertThat(ranged).as("aria2 split the download into ranged requests").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void curlSeesNotFoundAsFailure() throws Exception {
    need("curl");
    Process p = new ProcessBuilder("curl", "-sS", "--fail", "-o", "/dev/null", f.server.uri() + "missing")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(22); // curl: HTTP error >= 400
  }

}
