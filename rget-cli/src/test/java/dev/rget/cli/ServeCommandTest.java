package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget serve} as a user runs it, on a directory that looks like a home directory: no
 * dotfile is served or listed, a foreign Host is refused on loopback; and the serve options.
 */
@Timeout(60)
class ServeCommandTest {
  @TempDir Path home;

  private void makeHome() throws IOException {
    Files.writeString(home.resolve(".bashrc"), "export SECRET=1\n");
    Files.createDirectories(home.resolve(".ssh"));
    Files.writeString(home.resolve(".ssh/id_ed25519"), "PRIVATE KEY\n");
    Files.createDirectories(home.resolve(".git"));
    Files.writeString(home.resolve(".git/config"), "[core]\n");
    Files.writeString(home.resolve("notes.txt"), "notes\n");
  }

  @Test
  void servingAHomeDirectoryShowsNoDotfilesAndRefusesAForeignHost() throws Exception {
    makeHome();
    Process p = serve();
    try {
      int port = port(p);
      String listing = get(port, "/", "localhost");
      assertThat(listing).startsWith("HTTP/1.1 200 ").contains("notes.txt")
          .doesNotContain(".bashrc", ".ssh", ".git");
      assertThat(listing.toLowerCase()).contains("x-content-type-options: nosniff", "content-security-policy: ");
      for (String hidden : List.of("/.bashrc", "/.ssh/id_ed25519", "/.git/config", "/.ssh/")) {
        assertThat(get(port, hidden, "localhost")).as(hidden).startsWith("HTTP/1.1 404 ").doesNotContain("SECRET", "PRIVATE");
      }
      assertThat(get(port, "/notes.txt", "evil.example")).startsWith("HTTP/1.1 421 ").doesNotContain("notes\n");
      assertThat(get(port, "/notes.txt", "127.0.0.1:" + port)).startsWith("HTTP/1.1 200 ").endsWith("notes\n");
    } finally {
      stop(p);
    }
  }

  @Test
  void dotfilesAndAllowHostOptions() throws Exception {
    makeHome();
    Process p = serve("--dotfiles", "--allow-host", "box.lan", "--allow-host", "other.lan",
        "--max-connections", "50", "--header-timeout", "5");
    try {
      int port = port(p);
      assertThat(get(port, "/.bashrc", "box.lan:" + port)).startsWith("HTTP/1.1 200 ").endsWith("export SECRET=1\n");
      assertThat(get(port, "/", "other.lan")).contains(".ssh/");
      assertThat(get(port, "/", "evil.example")).startsWith("HTTP/1.1 421 ");
    } finally {
      stop(p);
    }
  }

  @Test
  void badServeOptionsAreUsageErrors() throws Exception {
    for (String[] args : List.of(
        new String[] {"--max-connections", "0"},
        new String[] {"--max-connections", "many"},
        new String[] {"--header-timeout", "0"},
        new String[] {"--allow-host", "a b"},
        new String[] {"--allow-host", "host:80"})) {
      List<String> all = new ArrayList<>(List.of("serve", "--port", "0"));
      all.addAll(List.of(args));
      all.add(home.toString());
      PrintStream err = System.err;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = Main.run(all.toArray(String[]::new));
      } finally {
        System.setErr(err);
      }
      assertThat(code).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith("rget: ").doesNotContain("Exception");
    }
  }

  private Process serve(String... options) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--port", "0", "-q"));
    cmd.addAll(List.of(options));
    cmd.add(home.toString());
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The port from the first line, {@code Serving DIR on http://127.0.0.1:PORT/}. */
  private static int port(Process p) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    Matcher m = Pattern.compile("Serving .* on http://127\\.0\\.0\\.1:(\\d+)/").matcher(String.valueOf(line));
    assertThat(m.matches()).as("first line: " + line).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** The whole response to {@code GET target} with {@code Host: host}, on its own connection. */
  private static String get(int port, String target, String host) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }
}
