package dev.rget.testkit;

import java.util.zip.CRC32;

/** {@link Content} backed by a private byte array. */
final class BytesContent extends CachedContent {
  private final byte[] bytes;

  BytesContent(byte[] bytes) {
    this.bytes = bytes;
  }

  @Override
  public long length() {
    return bytes.length;
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) {
    checkSpan(offset, dst, off, len);
    System.arraycopy(bytes, (int) offset, dst, off, len);
  }

  @Override
  public String fingerprint() {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return Long.toHexString(bytes.length) + "-" + Long.toHexString(crc.getValue());
  }

  @Override
  public String toString() {
    return "Content.of(" + bytes.length + " bytes)";
  }
}
