package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server per upload directory. A second {@code rget serve --uploads} on the same directory
 * loads the first one's uploads as after a crash, cutting each data file back to its recorded
 * offset, and so punches holes of zeros into a body the first server is writing (seen: 3 of 47
 * uploads of 1 GiB corrupted, their checksums matching). The second server is refused at start,
 * in this process or another, and the directory is free again once the first stops.
 */
@Timeout(60)
class UploadDirectoryLockTest {
  private static final String TUS = "Tus-Resumable: 1.0.0";

  @TempDir Path root;
  @TempDir Path root2;
  @TempDir Path updir;

  private ServerConfig config(Path served) {
    return ServerConfig.builder().root(served).bind("127.0.0.1").port(0).accessLog(false)
        .uploads(updir).build();
  }

  @Test
  void aSecondServerInThisProcessIsRefusedUntilTheFirstStops() throws Exception {
    try (Fixture first = Fixture.start(root, b -> b.uploads(updir))) {
      assertThatThrownBy(() -> FileServer.start(config(root2)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use by another rget serve");
      // The refusal took nothing from the first server: it still takes uploads.
      String loc = UploadSafetyTest.create(first.port(), 3, "Upload-Metadata: filename YS5iaW4=");
      UploadSafetyTest.upload(first.port(), loc, new byte[] {1, 2, 3});
      assertThat(updir.resolve("a.bin")).hasBinaryContent(new byte[] {1, 2, 3});
    }
    try (FileServer next = FileServer.start(config(root2))) {
      assertThat(next.port()).isPositive();
    }
  }

  @Test
  void aServerInAnotherProcessIsRefusedUntilTheFirstStops() throws Exception {
    try (Fixture first = Fixture.start(root, b -> b.uploads(updir))) {
      Child refused = child();
      assertThat(refused.code).as(refused.output).isEqualTo(3);
      assertThat(refused.output).contains("in use by another rget serve");
      assertThat(UploadSafetyTest.offset(first.port(),
          UploadSafetyTest.create(first.port(), 5))).isZero();
    }
    Child started = child();
    assertThat(started.code).as(started.output).isZero();
    assertThat(started.output).contains("started");
  }

  private record Child(int code, String output) {}

  /** Starts a server on the same upload directory in a new JVM; it stops at once if it starts. */
  private Child child() throws IOException, InterruptedException {
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), SecondServer.class.getName(), root2.toString(),
        updir.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Child(p.exitValue(), out);
  }

  /** The child: {@code ROOT UPDIR}; prints "started" (exit 0) or why it could not (exit 3). */
  static final class SecondServer {
    public static void main(String[] args) {
      try (FileServer s = FileServer.start(ServerConfig.builder().root(Path.of(args[0]))
          .bind("127.0.0.1").port(0).accessLog(false).uploads(Path.of(args[1])).build())) {
        System.out.println("started on " + s.port());
      } catch (IOException e) {
        System.out.println(e.getMessage());
        System.exit(3);
      }
      System.exit(0);
    }
  }
}
