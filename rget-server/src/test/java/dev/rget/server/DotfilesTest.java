package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names starting with {@code .} ({@code .env}, {@code .git/config}, {@code .ssh/}) are neither
 * served nor listed unless dotfiles are asked for: 404, exactly as if they did not exist, whether
 * named directly, percent-encoded, inside a directory, or reached through a link. rget's own
 * resume-state files ({@code NAME.rget}) are hidden the same way.
 */
class DotfilesTest {
  @TempDir Path dir;

  private Fixture serve(boolean dotfiles) throws Exception {
    Fixture f = Fixture.start(dir, b -> b.dotfiles(dotfiles));
    Files.writeString(dir.resolve(".env"), "SECRET=1");
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/config"), "[core]");
    Files.createDirectories(dir.resolve(".ssh"));
    Files.writeString(dir.resolve(".ssh/id_ed25519"), "KEY");
    Files.writeString(dir.resolve("sub/.hidden"), "hidden");
    Files.createSymbolicLink(dir.resolve("innocent.txt"), Path.of(".env"));
    Files.createSymbolicLink(dir.resolve("sub/gitdir"), Path.of("../.git"));
    Files.writeString(dir.resolve("big.iso.rget"), "url https://example.org/big.iso?token=SECRET");
    Files.writeString(dir.resolve("big.iso.rget.tmp"), "url https://example.org/big.iso?token=SECRET");
    return f;
  }

  @ParameterizedTest
  @ValueSource(strings = {"/.env", "/%2Eenv", "/.git/config", "/.git/", "/.git", "/.ssh/", "/.ssh/id_ed25519",
      "/sub/.hidden", "/innocent.txt", "/sub/gitdir/config", "/sub/./.hidden", "/big.iso.rget",
      "/big.iso.rget.tmp"})
  void dotfilesAreNotServed(String target) throws Exception {
    try (Fixture f = serve(false)) {
      RawHttp.Response r = RawHttp.get(f.port(), target);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.text()).doesNotContain("SECRET", "[core]", "KEY", "hidden");
      assertThat(RawHttp.exchange(f.port(), RawHttp.request("HEAD", target)).status()).isEqualTo(404);
    }
  }

  @Test
  void aRequestWithABodyForADotfileGets404AndTheConnectionCloses() throws Exception {
    try (Fixture f = serve(false); RawHttp c = new RawHttp(f.port())) {
      c.send("GET /.env HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\n\n x\n");
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void dotfilesAreNotListed() throws Exception {
    try (Fixture f = serve(false)) {
      String root = RawHttp.get(f.port(), "/").text();
      assertThat(root).contains("hello.txt")
          .doesNotContain(".env", ".git", ".ssh", "innocent.txt", "big.iso.rget");
      assertThat(RawHttp.get(f.port(), "/sub/").text()).contains("inner.txt").doesNotContain(".hidden", "gitdir");
    }
  }

  @Test
  void withDotfilesTheyAreServedAndListed() throws Exception {
    try (Fixture f = serve(true)) {
      assertThat(RawHttp.get(f.port(), "/.env").text()).isEqualTo("SECRET=1");
      assertThat(RawHttp.get(f.port(), "/.git/config").text()).isEqualTo("[core]");
      assertThat(RawHttp.get(f.port(), "/innocent.txt").text()).isEqualTo("SECRET=1");
      assertThat(RawHttp.get(f.port(), "/sub/gitdir/config").text()).isEqualTo("[core]");
      assertThat(RawHttp.get(f.port(), "/").text()).contains("./.env\"", "./.git/\"", "./.ssh/\"", "./innocent.txt\"");
    }
  }
}
