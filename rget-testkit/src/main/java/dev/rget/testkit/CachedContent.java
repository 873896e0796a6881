package dev.rget.testkit;

import java.util.Objects;

/**
 * What the built-in {@link Content} kinds share: their SHA-256 is computed once, and reads are
 * checked against the content's bounds.
 */
abstract class CachedContent implements Content {
  private volatile String sha256;

  @Override
  public final String sha256() {
    String s = sha256;
    if (s == null) {
      s = Content.sha256Of(this);
      sha256 = s;
    }
    return s;
  }

  /** Throws unless {@code [offset, offset+len)} lies in the content and {@code dst} holds it. */
  final void checkSpan(long offset, byte[] dst, int off, int len) {
    Objects.checkFromIndexSize(off, len, dst.length);
    if (offset < 0 || len > length() - offset) {
      throw new IndexOutOfBoundsException("span " + offset + "+" + len + " outside " + length());
    }
  }
}
