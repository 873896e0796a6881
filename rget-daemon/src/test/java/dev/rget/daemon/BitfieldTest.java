package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.range.ByteRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** aria2's bitfield format (one bit per piece, high bit first, hex) as a table. */
class BitfieldTest {
  private static final long K = Bitfield.MIN_PIECE;

  private static ByteRange r(long start, long end) {
    return ByteRange.ofHalfOpen(start, end);
  }

  private record Row(List<ByteRange> ranges, long length, boolean touching, String hex) {}

  @Test
  void bitsFollowAria2sFormat() {
    List<Row> table = List.of(
        new Row(List.of(), 10 * K, false, "0000"),
        new Row(List.of(r(0, 10 * K)), 10 * K, false, "ffc0"),
        new Row(List.of(r(0, K)), 10 * K, false, "8000"),
        new Row(List.of(r(0, K - 1)), 10 * K, false, "0000"),   // a piece counts only when whole
        new Row(List.of(r(0, K - 1)), 10 * K, true, "8000"),    // ...or touched, for in-flight
        new Row(List.of(r(K + 1, 3 * K)), 10 * K, false, "2000"),
        new Row(List.of(r(K + 1, 3 * K)), 10 * K, true, "6000"),
        new Row(List.of(r(9 * K, 9 * K + 5)), 9 * K + 5, false, "0040"), // the short last piece
        new Row(List.of(r(0, K), r(7 * K, 8 * K)), 8 * K, false, "81"),
        new Row(List.of(r(0, 20 * K)), 3 * K, false, "e0"));            // clipped to the length
    for (Row row : table) {
      assertThat(Bitfield.of(row.ranges(), row.length(), K, row.touching())).as("%s", row).isEqualTo(row.hex());
    }
  }

  @Test
  void pieceLengthKeepsAPictureUnderMaxPieces() {
    assertThat(Bitfield.pieceLength(1)).isEqualTo(K);
    assertThat(Bitfield.pieceLength(1024 * K)).isEqualTo(K);
    assertThat(Bitfield.pieceLength(1024 * K + 1)).isEqualTo(2 * K);
    long huge = 5L << 40; // 5 TiB
    long piece = Bitfield.pieceLength(huge);
    assertThat(Bitfield.pieces(huge, piece)).isLessThanOrEqualTo(Bitfield.MAX_PIECES).isGreaterThan(Bitfield.MAX_PIECES / 2);
    assertThat(Bitfield.full(huge, piece)).hasSize((int) (Bitfield.pieces(huge, piece) + 7) / 8 * 2).matches("f+");
  }
}
