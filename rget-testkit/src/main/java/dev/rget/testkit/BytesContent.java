package dev.rget.testkit;

import java.util.Objects;
import java.util.zip.CRC32;

/** {@link Content} backed by a private byte array. */
final class BytesContent implements Content {
  private final byte[] bytes;
  private volatile String sha256;

  BytesContent(byte[] bytes) {
    this.bytes = bytes;
  }

  @Override
  public long length() {
    return bytes.length;
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) {
    Objects.checkFromIndexSize(off, len, dst.length);
    if (offset < 0 || offset + len > bytes.length) {
      throw new IndexOutOfBoundsException("span " + offset + "+" + len + " outside " + bytes.length);
    }
    System.arraycopy(bytes, (int) offset, dst, off, len);
  }

  @Override
  public String fingerprint() {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return Long.toHexString(bytes.length) + "-" + Long.toHexString(crc.getValue());
  }

  @Override
  public String sha256() {
    String s = sha256;
    if (s == null) {
      s = Content.sha256Of(this);
      sha256 = s;
    }
    return s;
  }

  @Override
  public String toString() {
    return "Content.of(" + bytes.length + " bytes)";
  }
}
