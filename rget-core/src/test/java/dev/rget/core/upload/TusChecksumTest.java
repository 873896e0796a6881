package dev.rget.core.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TusChecksum}: which algorithm a server's OPTIONS answer leads to, and the values. */
class TusChecksumTest {
  @TempDir Path dir;

  private static Map<String, List<String>> tus(String extensions, String algorithms) {
    Map<String, List<String>> h = new java.util.HashMap<>();
    h.put("tus-version", List.of("1.0.0"));
    if (extensions != null) {
      h.put("tus-extension", List.of(extensions));
    }
    if (algorithms != null) {
      h.put("tus-checksum-algorithm", List.of(algorithms));
    }
    return h;
  }

  @Test
  void thePreferredAlgorithmTheServerOffers() {
    assertThat(TusChecksum.choose(204, tus("creation,checksum", "crc32c,sha1,sha256"))).isEqualTo(TusChecksum.CRC32C);
    assertThat(TusChecksum.choose(200, tus("checksum", "sha1, CRC32C"))).isEqualTo(TusChecksum.CRC32C);
    assertThat(TusChecksum.choose(204, tus("creation,checksum", "sha1,sha256"))).isEqualTo(TusChecksum.SHA256);
    assertThat(TusChecksum.choose(204, tus("checksum", "md5,sha1"))).isEqualTo(TusChecksum.SHA1);
  }

  @Test
  void noneWithoutTheChecksumExtensionOrAKnownAlgorithm() {
    assertThat(TusChecksum.choose(204, tus("creation,concatenation", "sha256"))).isEqualTo(TusChecksum.NONE);
    assertThat(TusChecksum.choose(204, tus(null, null))).isEqualTo(TusChecksum.NONE);
    assertThat(TusChecksum.choose(204, tus("checksum", "md5"))).isEqualTo(TusChecksum.NONE);
    assertThat(TusChecksum.choose(204, tus("checksum", null))).isEqualTo(TusChecksum.NONE);
  }

  @Test
  void anAnswerThatIsNotTusDiscoveryKeepsSha256() {
    assertThat(TusChecksum.choose(404, tus("checksum", "crc32c"))).isEqualTo(TusChecksum.SHA256);
    assertThat(TusChecksum.choose(405, Map.of())).isEqualTo(TusChecksum.SHA256);
    // 2xx but no Tus-Version: not a tus server's answer (a proxy's, a plain web server's)
    assertThat(TusChecksum.choose(200, Map.of("tus-extension", List.of("creation")))).isEqualTo(TusChecksum.SHA256);
  }

  @Test
  void valuesOfAFileRangeThroughASmallBuffer() throws Exception {
    byte[] data = new byte[100_000];
    new Random(4).nextBytes(data);
    Path f = dir.resolve("f");
    Files.write(f, data);
    CRC32C crc = new CRC32C();
    crc.update(data, 1000, 50_000);
    int v = (int) crc.getValue();
    String crcB64 = Base64.getEncoder().encodeToString(
        new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(data, 1000, 50_000);
    String shaB64 = Base64.getEncoder().encodeToString(sha.digest());
    try (FileChannel ch = FileChannel.open(f)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(4096); // many reads per range
      assertThat(TusChecksum.CRC32C.of(ch, 1000, 50_000, buf)).isEqualTo("crc32c " + crcB64);
      assertThat(TusChecksum.SHA256.of(ch, 1000, 50_000, buf)).isEqualTo("sha256 " + shaB64);
      assertThat(TusChecksum.NONE.of(ch, 1000, 50_000, buf)).isNull();
    }
  }

  @Test
  void aFileThatEndsEarlyIsALocalFailure() throws Exception {
    Path f = dir.resolve("short");
    Files.write(f, new byte[10]);
    try (FileChannel ch = FileChannel.open(f)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> TusChecksum.CRC32C.of(ch, 0, 20, ByteBuffer.allocate(8)))
          .isInstanceOf(IOException.class).hasMessageContaining("file shrank");
    }
  }
}
