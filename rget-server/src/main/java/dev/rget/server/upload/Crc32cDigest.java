package dev.rget.server.upload;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli, {@link CRC32C}) as a {@link MessageDigest} of 4 bytes, big-endian: the
 * value tus {@code Upload-Checksum: crc32c} carries. The JDK computes it with the CPU's CRC
 * instructions, an order of magnitude faster than SHA-256, which is what a per-chunk integrity
 * check against damage in transit needs (it is not meant to stop a forger).
 */
final class Crc32cDigest extends MessageDigest {
  private final CRC32C crc = new CRC32C();

  Crc32cDigest() {
    super("CRC32C");
  }

  @Override
  protected int engineGetDigestLength() {
    return 4;
  }

  @Override
  protected void engineUpdate(byte input) {
    crc.update(input);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    crc.update(input, offset, len);
  }

  @Override
  protected void engineUpdate(ByteBuffer input) {
    // CRC32C reads a direct buffer in place; the default would copy it through a byte array.
    crc.update(input);
  }

  @Override
  protected byte[] engineDigest() {
    int v = (int) crc.getValue();
    crc.reset();
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  @Override
  protected void engineReset() {
    crc.reset();
  }
}
