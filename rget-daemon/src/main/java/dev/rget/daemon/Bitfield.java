package dev.rget.daemon;

import dev.rget.core.range.ByteRange;
import java.util.List;

/**
 * aria2's {@code bitfield}: the file cut into pieces of {@code pieceLength} bytes (the last one may
 * be shorter), one bit per piece, the first piece in the high bit of the first byte, written as
 * lower-case hex (two digits per byte, spare low bits zero). Pure functions, table-tested.
 *
 * <p>aria2 uses 1 MiB pieces for HTTP; rget picks the piece length from the file's length so that
 * a picture of any file has at most {@link #MAX_PIECES} pieces (and a small file more than a few):
 * the smallest power of two of at least {@link #MIN_PIECE} bytes that does it. Clients read the
 * length from {@code pieceLength} and {@code numPieces}, as aria2's manual says.
 */
final class Bitfield {
  static final long MIN_PIECE = 16 * 1024;
  static final long MAX_PIECES = 1024;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Bitfield() {}

  /** The piece length for a file of {@code length} bytes. */
  static long pieceLength(long length) {
    long piece = MIN_PIECE;
    while ((length + piece - 1) / piece > MAX_PIECES) {
      piece <<= 1;
    }
    return piece;
  }

  /** The number of pieces of a file of {@code length} bytes. */
  static long pieces(long length, long pieceLength) {
    return (length + pieceLength - 1) / pieceLength;
  }

  /**
   * One bit per piece: set when {@code ranges} (sorted, disjoint) hold every byte of the piece, or
   * with {@code touching} any byte of it.
   */
  static String of(List<ByteRange> ranges, long length, long pieceLength, boolean touching) {
    int n = (int) pieces(length, pieceLength);
    byte[] bits = new byte[(n + 7) / 8];
    for (ByteRange r : ranges) {
      long first = Math.max(0, r.first());
      long end = Math.min(length, r.endExclusive());
      if (first >= end) {
        continue;
      }
      long from;
      long to; // pieces [from, to)
      if (touching) {
        from = first / pieceLength;
        to = (end - 1) / pieceLength + 1;
      } else {
        from = (first + pieceLength - 1) / pieceLength;
        // A range reaching the end of the file covers the short last piece.
        to = end == length ? n : end / pieceLength;
      }
      for (long i = from; i < to; i++) {
        bits[(int) (i >>> 3)] |= (byte) (0x80 >>> (int) (i & 7));
      }
    }
    return hex(bits);
  }

  /** Every piece set. */
  static String full(long length, long pieceLength) {
    return of(List.of(ByteRange.ofHalfOpen(0, length)), length, pieceLength, false);
  }

  private static String hex(byte[] bits) {
    char[] out = new char[bits.length * 2];
    for (int i = 0; i < bits.length; i++) {
      out[2 * i] = HEX[(bits[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bits[i] & 0xf];
    }
    return new String(out);
  }
}
