package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session file holds request headers (a {@code header} option may carry a cookie or a bearer
 * token): it is owner-only (0600), and its default directory {@code DIR/.rget-daemon} is too (0700).
 */
class SessionPermissionsTest {
  @TempDir Path dir;

  private static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static void addPausedWithHeader(Daemon d) throws Exception {
    RpcClient rpc = new RpcClient(d.port(), null);
    String gid = (String) rpc.call("aria2.addUri", List.of("http://127.0.0.1:9/never.bin"),
        Map.of("out", "never.bin", "header", List.of("Authorization: Bearer very-private"), "pause", "true"));
    assertThat(rpc.status(gid).get("status")).isEqualTo("paused");
    assertThat(rpc.call("aria2.saveSession")).isEqualTo("OK");
  }

  @Test
  void theDefaultSessionFileAndItsDirectoryAreOwnerOnly() throws Exception {
    try (Daemon d = Daemon.start(DaemonConfig.defaults(dir).withPort(0), line -> { })) {
      addPausedWithHeader(d);
      Path session = dir.resolve(".rget-daemon/session");
      assertThat(session).content().contains("very-private");
      assertThat(perms(session)).isEqualTo("rw-------");
      assertThat(perms(session.getParent())).isEqualTo("rwx------");
    }
  }

  @Test
  void anExistingDefaultDirectoryIsMadeOwnerOnly() throws Exception {
    Path own = Files.createDirectory(dir.resolve(".rget-daemon"));
    Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Daemon d = Daemon.start(DaemonConfig.defaults(dir).withPort(0), line -> { })) {
      assertThat(perms(own)).isEqualTo("rwx------");
      addPausedWithHeader(d);
      assertThat(perms(own.resolve("session"))).isEqualTo("rw-------");
    }
  }

  @Test
  void aSessionFileReadableByOthersIsReplacedByAnOwnerOnlyOne() throws Exception {
    Path chosen = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(chosen, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path session = chosen.resolve("my.session");
    Files.writeString(session, "{\"version\":1,\"downloads\":[]}\n");
    Files.setPosixFilePermissions(session, PosixFilePermissions.fromString("rw-r--r--"));
    try (Daemon d = Daemon.start(DaemonConfig.defaults(dir).withPort(0).withSession(session), line -> { })) {
      addPausedWithHeader(d);
      assertThat(perms(session)).isEqualTo("rw-------");
      // A directory the user chose for the session is theirs: left as it was.
      assertThat(perms(chosen)).isEqualTo("rwxr-xr-x");
    }
  }

  @Test
  void aSessionFileWritableByOthersIsNotTrusted() throws Exception {
    Path session = dir.resolve("open.session");
    Files.writeString(session, "{\"version\":1,\"downloads\":[]}\n");
    Files.setPosixFilePermissions(session, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> Daemon.start(DaemonConfig.defaults(dir).withPort(0).withSession(session), line -> { }))
        .isInstanceOf(IOException.class).hasMessageContaining("writable by others");
  }
}
