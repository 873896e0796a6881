package dev.rget.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentTest {

  @Test
  void pseudoRandomSubRangesAgreeWithWholeRead() {
    Content c = Content.pseudoRandom(10_007, 42);
    byte[] all = c.toByteArray();
    for (int[] span : new int[][] {{0, 1}, {3, 5}, {7, 9}, {8, 8}, {1, 100}, {9_999, 8}, {10_000, 7}}) {
      assertThat(c.bytes(span[0], span[1]))
          .isEqualTo(Arrays.copyOfRange(all, span[0], span[0] + span[1]));
    }
    assertThat(Content.pseudoRandom(10_007, 42).toByteArray()).isEqualTo(all);
    assertThat(Content.pseudoRandom(10_007, 43).toByteArray()).isNotEqualTo(all);
    assertThat(Content.pseudoRandom(20_000, 42).bytes(0, 10_007)).isEqualTo(all);
  }

  @Test
  void sha256MatchesTheBytes() throws Exception {
    Content c = Content.pseudoRandom(3 * 1024 * 1024 + 5, 7);
    String expected = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(c.toByteArray()));
    assertThat(c.sha256()).isEqualTo(expected);
    assertThat(Content.of(new byte[0]).sha256())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void hugeContentIsReadableBeyondFourGiB() {
    long fiveGiB = 5L << 30;
    Content c = Content.pseudoRandom(fiveGiB, 1);
    byte[] tail = c.bytes(fiveGiB - 13, 13);
    byte[] wider = c.bytes(fiveGiB - 21, 21);
    assertThat(Arrays.copyOfRange(wider, 8, 21)).isEqualTo(tail);
    assertThatThrownBy(() -> c.bytes(fiveGiB - 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void writeToProducesTheSameBytes(@TempDir Path dir) throws Exception {
    Content c = Content.pseudoRandom(2 * Content.STREAM_BUFFER + 3, 9);
    Path f = dir.resolve("expected.bin");
    c.writeTo(f);
    assertThat(Files.readAllBytes(f)).isEqualTo(c.toByteArray());
    assertThat(Content.ofFile(f).sha256()).isEqualTo(c.sha256());
  }
}
