package dev.rget.core.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test, for real "disk full" and "read-only" conditions. Mounting
 * needs root (the development machines and CI run as root); where it is refused, the test is
 * skipped with the reason rather than faked.
 */
final class TmpfsMount implements AutoCloseable {
  private final Path path;

  private TmpfsMount(Path path) {
    this.path = path;
  }

  /** Mounts a tmpfs with {@code options} (for example {@code size=2m} or {@code ro,size=1m}). */
  static TmpfsMount create(Path where, String options) throws IOException, InterruptedException {
    Files.createDirectories(where);
    String error = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", where.toString());
    Assumptions.assumeTrue(error == null, () -> "cannot mount a tmpfs here (needs root): " + error);
    return new TmpfsMount(where);
  }

  /** The mount point. */
  Path path() {
    return path;
  }

  /** Changes the mount's options in place (files stay), for example to grow it. */
  void remount(String options) throws IOException, InterruptedException {
    String error = run("mount", "-o", "remount," + options, path.toString());
    if (error != null) {
      throw new IOException("remount failed: " + error);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    String error = run("umount", path.toString());
    if (error != null) {
      // Still busy (a file left open by a failed test): detach it so the next test is unaffected.
      String lazy = run("umount", "-l", path.toString());
      if (lazy != null) {
        throw new IOException("cannot unmount " + path + ": " + error + "; " + lazy);
      }
    }
  }

  /** Runs a command; returns null on success, else its output and exit status. */
  private static String run(String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return String.join(" ", cmd) + " timed out";
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return p.exitValue() == 0 ? null : String.join(" ", cmd) + " exited " + p.exitValue() + ": "
        + output;
  }
}
