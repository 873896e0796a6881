package dev.rget.server;

import static dev.rget.server.TusProtocolTest.OCTETS;
import static dev.rget.server.TusProtocolTest.TUS;
import static dev.rget.server.TusProtocolTest.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload endpoint against hostile clients and a hostile file system: each test reproduces one
 * attack or failure and checks what the server does about it.
 */
class UploadSafetyTest {
  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path elsewhere;

  static String create(int port, long length, String... more) throws IOException {
    String[] h = new String[more.length + 2];
    h[0] = TUS;
    h[1] = "Upload-Length: " + length;
    System.arraycopy(more, 0, h, 2, more.length);
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", h));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.header("Location");
  }

  static long offset(int port, String loc) throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS));
    assertThat(r.status()).isEqualTo(200);
    return Long.parseLong(r.header("Upload-Offset"));
  }

  static void upload(int port, String loc, byte[] body) throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: " + body.length))
          .send(body);
      assertThat(c.read(false).status()).isEqualTo(204);
    }
  }

  @Test
  void withATokenEveryRequestButOptionsNeedsIt() throws IOException {
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir).uploadToken("t0ken"))) {
      int port = fx.server.port();
      RawHttp.Response none = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: 1"));
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: 1",
          "Authorization: Bearer t0kem")).status()).isEqualTo(401);
      assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: 1",
          "Authorization: Basic dDBrZW4=")).status()).isEqualTo(401);
      assertThat(RawHttp.exchange(port, RawHttp.request("OPTIONS", "/uploads/")).status()).isEqualTo(204);
      String loc = create(port, 1, "Authorization: Bearer t0ken");
      assertThat(RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS)).status()).isEqualTo(401);
      assertThat(RawHttp.exchange(port, RawHttp.request("DELETE", loc, TUS)).status()).isEqualTo(401);
    }
  }

  @Test
  void hostileFilenamesBecomeOneHarmlessComponentInsideUpdir() throws IOException {
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir))) {
      int port = fx.server.port();
      String[][] cases = {
          {"../../escape.txt", "escape.txt"},
          {"/etc/passwd", "passwd"},
          {"..\\..\\win.ini", "win.ini"},
          {".bashrc", "_bashrc"},
          {"..", "__"},
          {".rget-uploads", "_rget-uploads"},
          {"evil\u202Etxt.exe", "evil_txt.exe"},
          {"line\nbreak\u0000.txt", "line_break_.txt"},
      };
      for (String[] c : cases) {
        upload(port, create(port, 1, "Upload-Metadata: filename " + b64(c[0])), new byte[] {'x'});
      }
      Set<String> names = new HashSet<>();
      try (var list = Files.list(updir)) {
        list.forEach(p -> names.add(p.getFileName().toString()));
      }
      for (String[] c : cases) {
        assertThat(names).as(c[0]).anyMatch(n -> n.startsWith(c[1]));
      }
      assertThat(names).hasSize(cases.length + 1); // and the hidden directory
      assertThat(updir.getParent().resolve("escape.txt")).doesNotExist();
    }
  }

  @Test
  void anExistingFileOrPlantedLinkIsNeverReplacedOrFollowed() throws IOException {
    Files.writeString(updir.resolve("report.pdf"), "original");
    Path victim = elsewhere.resolve("victim");
    Files.writeString(victim, "victim");
    Files.createSymbolicLink(updir.resolve("report.pdf.1"), victim);
    Files.createSymbolicLink(updir.resolve("report.pdf.2"), elsewhere.resolve("dangling"));
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir))) {
      int port = fx.server.port();
      upload(port, create(port, 3, "Upload-Metadata: filename " + b64("report.pdf")), "new".getBytes(StandardCharsets.UTF_8));
      assertThat(Files.readString(updir.resolve("report.pdf"))).isEqualTo("original");
      assertThat(Files.readString(victim)).isEqualTo("victim");
      assertThat(elsewhere.resolve("dangling")).doesNotExist();
      assertThat(Files.readString(updir.resolve("report.pdf.3"))).isEqualTo("new");
    }
  }

  @Test
  void aLinkPlantedAsTheHiddenDirectoryStopsTheServerFromStarting() throws IOException {
    Files.createSymbolicLink(updir.resolve(".rget-uploads"), elsewhere);
    assertThatThrownBy(() -> Fixture.start(root, b -> b.uploads(updir)))
        .isInstanceOf(IOException.class).hasMessageContaining("not a directory");
  }

  @Test
  void uploadIdsAreUnguessable() throws IOException {
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir))) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        ids.add(create(fx.server.port(), 5));
      }
      assertThat(ids).hasSize(20).allMatch(l -> l.matches("/uploads/[A-Za-z0-9_-]{22}"));
    }
  }

  @Test
  void aSecondWriterIsRefusedWith423WhileTheFirstHoldsTheUpload() throws Exception {
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir))) {
      int port = fx.server.port();
      String loc = create(port, 100, "Upload-Metadata: filename " + b64("one-writer.bin"));
      Path part = updir.resolve(".rget-uploads").resolve(loc.substring("/uploads/".length()) + ".part");
      byte[] firstBody = new byte[100];
      java.util.Arrays.fill(firstBody, (byte) 'A');
      try (RawHttp first = new RawHttp(port)) {
        first.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: 100"))
            .send(java.util.Arrays.copyOf(firstBody, 10));
        Await.until("the first PATCH's bytes on disk", Duration.ofSeconds(10), () -> size(part) == 10);
        try (RawHttp second = new RawHttp(port)) {
          second.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: 5"))
              .send("BBBBB".getBytes(StandardCharsets.US_ASCII));
          assertThat(second.read(false).status()).isEqualTo(423);
        }
        assertThat(RawHttp.exchange(port, RawHttp.request("DELETE", loc, TUS)).status()).isEqualTo(423);
        first.send(java.util.Arrays.copyOfRange(firstBody, 10, 100));
        assertThat(first.read(false).status()).isEqualTo(204);
      }
      assertThat(offset(port, loc)).isEqualTo(100);
      // nothing of the refused writer got in between
      assertThat(Files.readAllBytes(updir.resolve("one-writer.bin"))).isEqualTo(firstBody);
    }
  }

  @Test
  void theBytesOfAnInterruptedPatchAreKept() throws Exception {
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir))) {
      int port = fx.server.port();
      String loc = create(port, 1000);
      try (RawHttp c = new RawHttp(port)) {
        c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: 1000"))
            .send(new byte[400]);
      } // the connection drops
      Await.until("the 400 bytes that arrived recorded", Duration.ofSeconds(10), () -> offsetOrMinus(port, loc) == 400);
    }
  }

  @Test
  void aStalledBodyIsCutByTheIdleTimeoutButASlowOneIsNotCutByTheHeadDeadline() throws Exception {
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir).headTimeout(Duration.ofMillis(500))
        .idleTimeout(Duration.ofMillis(1500)))) {
      int port = fx.server.port();
      String slow = create(port, 6);
      try (RawHttp c = new RawHttp(port)) {
        c.send(RawHttp.request("PATCH", slow, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: 6"));
        for (int i = 0; i < 6; i++) {
          Thread.sleep(250); // pacing the client (1.5 s in all, 3 head deadlines), not synchronisation
          c.send(new byte[] {(byte) i});
        }
        assertThat(c.read(false).status()).isEqualTo(204);
      }
      String stalled = create(port, 100);
      try (RawHttp c = new RawHttp(port)) {
        c.send(RawHttp.request("PATCH", stalled, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: 100"))
            .send(new byte[30]);
        Await.until("the stalled upload cut", Duration.ofSeconds(10), () -> {
          try {
            return c.closedByPeer();
          } catch (IOException e) {
            return true;
          }
        });
      }
      Await.until("its 30 bytes kept", Duration.ofSeconds(10), () -> offsetOrMinus(port, stalled) == 30);
    }
  }

  @Test
  void aRestartedServerResumesFromItsDurableOffsetAndDropsUnconfirmedBytes() throws Exception {
    String loc;
    Path part;
    byte[] data = Fixture.randomBytes(5000, 3);
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir))) {
      int port = fx.server.port();
      loc = create(port, data.length, "Upload-Metadata: filename " + b64("restart.bin"));
      try (RawHttp c = new RawHttp(port)) {
        c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: 2000"))
            .send(java.util.Arrays.copyOf(data, 2000));
        assertThat(c.read(false).status()).isEqualTo(204);
      }
      part = updir.resolve(".rget-uploads").resolve(loc.substring("/uploads/".length()) + ".part");
    }
    // What a crash can leave: bytes written after the last recorded offset, never confirmed.
    Files.write(part, new byte[777], StandardOpenOption.APPEND);
    try (Fixture fx = Fixture.start(Files.createTempDirectory(root, "again"), b -> b.uploads(updir))) {
      int port = fx.server.port();
      assertThat(offset(port, loc)).isEqualTo(2000);
      try (RawHttp c = new RawHttp(port)) {
        c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 2000", "Content-Length: 3000"))
            .send(java.util.Arrays.copyOfRange(data, 2000, 5000));
        assertThat(c.read(false).status()).isEqualTo(204);
      }
      assertThat(Files.readAllBytes(updir.resolve("restart.bin"))).isEqualTo(data);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  private static long offsetOrMinus(int port, String loc) {
    try {
      return offset(port, loc);
    } catch (IOException e) {
      return -1;
    }
  }
}
