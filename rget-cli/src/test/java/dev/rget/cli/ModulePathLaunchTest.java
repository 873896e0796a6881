package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * rget started on the module path instead of the class path: the module descriptors must name
 * every module and package used at run time (a missing {@code requires} or {@code opens} to
 * picocli passes javac and fails here). The tests otherwise run on the class path, as the
 * shipped jar does, so this is the one place the descriptors are resolved by a JVM.
 */
@Timeout(120)
class ModulePathLaunchTest {
  @TempDir Path dir;

  @Test
  void serveAndGetRunOnTheModulePath() throws Exception {
    Path served = Files.createDirectories(dir.resolve("served"));
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    Files.write(served.resolve("file.bin"), data);

    Process version = start(List.of("--version"));
    assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String versionOut = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(version.exitValue()).as(versionOut).isZero();
    assertThat(versionOut).contains("rget");

    Process server = start(List.of("serve", "--port", "0", "-q", served.toString()));
    try {
      int port = port(server);
      Path out = dir.resolve("out.bin");
      Process get = start(List.of("get", "http://127.0.0.1:" + port + "/file.bin",
          "-o", out.toString(), "-n", "4", "-q"));
      assertThat(get.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String getOut = new String(get.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(get.exitValue()).as(getOut).isZero();
      assertThat(Files.readAllBytes(out)).isEqualTo(data);
    } finally {
      server.destroy();
      assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void theDaemonServesItsPageAndRpcOnTheModulePath() throws Exception {
    Process daemon = start(List.of("daemon", "--rpc-listen-port", "0", "-d",
        Files.createDirectories(dir.resolve("dl")).toString()));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(),
          StandardCharsets.UTF_8));
      String line = out.readLine();
      Matcher m = Pattern.compile("rget daemon: JSON-RPC on 127\\.0\\.0\\.1:(\\d+)/jsonrpc.*")
          .matcher(String.valueOf(line));
      assertThat(m.matches()).as("first line: " + line).isTrue();
      int port = Integer.parseInt(m.group(1));
      // The web page is a resource inside the daemon's module; the RPC goes through Netty.
      String page = exchange(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nConnection: close\r\n\r\n");
      assertThat(page).startsWith("HTTP/1.1 200 ").contains("<html");
      String body = "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"aria2.getVersion\"}";
      String rpc = exchange(port, "POST /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
          + "\r\nConnection: close\r\n\r\n" + body);
      assertThat(rpc).startsWith("HTTP/1.1 200 ").contains("\"version\"");
    } finally {
      daemon.destroy();
      assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static String exchange(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Starts {@code java -p MODULES -m dev.rget.cli/dev.rget.cli.Main ARGS}. */
  private Process start(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "--module-path", modulePath(), "-m", "dev.rget.cli/dev.rget.cli.Main"));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /**
   * The entries of this test's class path that hold a declared module (rget's own modules,
   * Netty, picocli, ...); jars without a descriptor are left out, since on the module path they
   * would become automatic modules that read everything and hide a missing {@code requires}.
   */
  private static String modulePath() {
    List<String> modules = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (!Files.exists(p)) {
        continue;
      }
      try {
        boolean declared = ModuleFinder.of(p).findAll().stream()
            .map(ModuleReference::descriptor).anyMatch(d -> !d.isAutomatic());
        if (declared) {
          modules.add(entry);
        }
      } catch (FindException e) {
        // Not a module at all (a directory of test classes, a jar with an invalid name): skip it.
        continue;
      }
    }
    assertThat(modules.stream().map(m -> Path.of(m).getFileName().toString()).collect(Collectors.joining(" ")))
        .as("rget's modules on the module path").contains("classes", "picocli");
    return String.join(File.pathSeparator, modules);
  }

  /** The port from the first line, {@code Serving DIR on http://127.0.0.1:PORT/}. */
  private static int port(Process p) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    Matcher m = Pattern.compile("Serving .* on http://127\\.0\\.0\\.1:(\\d+)/").matcher(String.valueOf(line));
    assertThat(m.matches()).as("first line: " + line).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
