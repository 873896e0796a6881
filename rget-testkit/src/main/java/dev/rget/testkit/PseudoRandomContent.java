package dev.rget.testkit;


/**
 * {@link Content} whose 8-byte word {@code i} is {@code splitmix64(seed, i)}, little-endian. Any
 * byte is computable on its own, so huge lengths cost nothing until read.
 */
final class PseudoRandomContent extends CachedContent {
  private final long length;
  private final long seed;

  PseudoRandomContent(long length, long seed) {
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length);
    }
    this.length = length;
    this.seed = seed;
  }

  /** The word at index {@code index}: a SplitMix64 finalizer over (seed, index). */
  static long word(long seed, long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) {
    checkSpan(offset, dst, off, len);
    long pos = offset;
    int out = off;
    int end = off + len;
    // unaligned head
    while (out < end && (pos & 7) != 0) {
      dst[out++] = (byte) (word(seed, pos >>> 3) >>> ((pos & 7) * 8));
      pos++;
    }
    // whole words
    while (end - out >= 8) {
      long w = word(seed, pos >>> 3);
      dst[out] = (byte) w;
      dst[out + 1] = (byte) (w >>> 8);
      dst[out + 2] = (byte) (w >>> 16);
      dst[out + 3] = (byte) (w >>> 24);
      dst[out + 4] = (byte) (w >>> 32);
      dst[out + 5] = (byte) (w >>> 40);
      dst[out + 6] = (byte) (w >>> 48);
      dst[out + 7] = (byte) (w >>> 56);
      out += 8;
      pos += 8;
    }
    // tail
    if (out < end) {
      long w = word(seed, pos >>> 3);
      while (out < end) {
        dst[out++] = (byte) (w >>> ((pos & 7) * 8));
        pos++;
      }
    }
  }

  @Override
  public String fingerprint() {
    return "pr" + Long.toHexString(seed) + "-" + Long.toHexString(length);
  }

  @Override
  public String toString() {
    return "Content.pseudoRandom(" + length + ", " + seed + ")";
  }
}
