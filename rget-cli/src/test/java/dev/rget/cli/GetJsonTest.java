package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget get --json}, run as a child process: stdout holds JSON lines only (progress with
 * aria2's tellStatus field names while the download runs, and a last line), stderr no progress bar.
 */
class GetJsonTest {
  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();

  /** stdout, stderr and exit code of one run. */
  private record Run(int exit, List<String> out, String err) {}

  private Run rget(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("rget finished").isTrue();
    return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static final Pattern LINE = Pattern.compile("\\{\"gid\":\"([0-9a-f]{16})\",\"status\":\"(active|complete|error)\","
      + "\"totalLength\":\"(\\d+)\",\"completedLength\":\"(\\d+)\",\"downloadSpeed\":\"(\\d+)\",\"connections\":\"(\\d+)\","
      + "(\"errorCode\":\"\\d+\",\"errorMessage\":\"[^\"]*\",)?\"files\":\\[\\{.*\\}\\]\\}");

  private static Matcher parse(String line) {
    Matcher m = LINE.matcher(line);
    assertThat(m.matches()).as("a JSON line in tellStatus shape: %s", line).isTrue();
    return m;
  }

  @Test
  void aListGivesEachDownloadItsOwnLinesAndAFinalLineEach() throws Exception {
    Content a = Content.pseudoRandom(100_000, 1);
    Content b = Content.pseudoRandom(200_000, 2);
    server.put("/a.bin", Resource.builder(a).build());
    server.put("/b.bin", Resource.builder(b).build());
    Path list = dir.resolve("list.txt");
    Files.writeString(list, server.url("/a.bin") + "\n" + server.url("/missing.bin") + "\n"
        + server.url("/b.bin") + "\n");
    Path into = Files.createDirectory(dir.resolve("into"));
    Run r = rget("get", "--json", "-j", "2", "-i", list.toString(), "-d", into.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(4); // the 404
    List<Matcher> finals = new ArrayList<>();
    for (String line : r.out()) {
      Matcher m = parse(line);
      if (!m.group(2).equals("active")) {
        finals.add(m);
      }
    }
    assertThat(finals).hasSize(3);
    assertThat(finals.stream().map(m -> m.group(1)).distinct()).as("a gid per download").hasSize(3);
    assertThat(finals.stream().filter(m -> m.group(2).equals("complete")).map(m -> m.group(3)))
        .containsExactlyInAnyOrder("100000", "200000");
    assertThat(finals.stream().filter(m -> m.group(2).equals("error"))).hasSize(1);
    assertThat(Content.ofFile(into.resolve("a.bin")).sha256()).isEqualTo(a.sha256());
    assertThat(Content.ofFile(into.resolve("b.bin")).sha256()).isEqualTo(b.sha256());
  }

  @Test
  void progressLinesThenASummaryAndNothingElseOnStdout() throws Exception {
    Content c = Content.pseudoRandom(3 << 20, 5);
    // About 3 s over 2 connections: at least two progress lines at one a second.
    server.put("/data.bin", Resource.builder(c).rateLimit(512 << 10).build());
    Run r = rget("get", "--json", "-n", "2", "-o", "data.bin", server.url("/data.bin").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).hasSizeGreaterThanOrEqualTo(3);
    String gid = null;
    long lastDone = -1;
    for (String line : r.out().subList(0, r.out().size() - 1)) {
      Matcher m = parse(line);
      assertThat(m.group(2)).isEqualTo("active");
      gid = gid == null ? m.group(1) : gid;
      assertThat(m.group(1)).as("one gid for the download").isEqualTo(gid);
      long done = Long.parseLong(m.group(4));
      assertThat(done).isGreaterThanOrEqualTo(lastDone);
      lastDone = done;
    }
    assertThat(r.out().get(0)).contains("\"path\":\"" + dir.resolve("data.bin").toAbsolutePath() + "\"");
    assertThat(r.out().stream().anyMatch(l -> parse(l).group(2).equals("active")
        && Long.parseLong(parse(l).group(4)) > 0 && Long.parseLong(parse(l).group(3)) == c.length())).isTrue();
    Matcher last = parse(r.out().get(r.out().size() - 1));
    assertThat(last.group(2)).isEqualTo("complete");
    assertThat(last.group(1)).isEqualTo(gid);
    assertThat(last.group(3)).isEqualTo(Long.toString(c.length()));
    assertThat(last.group(4)).isEqualTo(Long.toString(c.length()));
    assertThat(r.out().get(r.out().size() - 1)).contains("\"path\":\"" + dir.resolve("data.bin").toAbsolutePath() + "\"")
        .contains("\"uri\":\"" + server.url("/data.bin") + "\"");
    assertThat(Content.ofFile(dir.resolve("data.bin")).sha256()).isEqualTo(c.sha256());
    assertThat(r.err()).as("no progress bar, no human summary").doesNotContain("ETA").doesNotContain("saved");
  }

  @Test
  void aFailureEndsWithAnErrorLine() throws Exception {
    Run r = rget("get", "--json", "--retries", "1", server.url("/missing.bin").toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.out()).hasSize(1);
    Matcher last = parse(r.out().get(0));
    assertThat(last.group(2)).isEqualTo("error");
    assertThat(r.out().get(0)).contains("\"errorCode\":\"" + r.exit() + "\"").contains("404");
    assertThat(r.err()).contains("404");
  }

  @Test
  void namesAreEscapedAsJsonStrings() {
    StringBuilder b = new StringBuilder();
    JsonProgress.quote(b, "a\"b\\c\n\u0000\u001b\u2028é");
    assertThat(b.toString()).isEqualTo("\"a\\\"b\\\\c\\u000a\\u0000\\u001b\\u2028é\"");
  }
}
