package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A daemon ({@link DaemonMain}) in a child JVM on a directory, for tests that stop it the way a
 * process stops: {@code kill -9}, or {@code aria2.shutdown} and exit. Its stderr goes to
 * {@code DIR/daemon.log}.
 */
final class ChildDaemon {
  private ChildDaemon() {}

  static Process start(Path dir) throws Exception {
    return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), DaemonMain.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile())).start();
  }

  /** The child's RPC port, from its first line. */
  static int port(Process p) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine(); // blocks until the child printed its port or died (then null)
    assertThat(line).as("child daemon's first line").startsWith("PORT ");
    return Integer.parseInt(line.substring(5).trim());
  }
}
