package dev.rget.server.upload;

import java.security.MessageDigest;

/**
 * A digest the whole body of one request must have: tus {@code Upload-Checksum} or an RFC 9530
 * {@code Content-Digest}. Nothing of a body with one counts until the digest matched.
 */
interface BodyDigest {
  /** A fresh digest of the algorithm. */
  MessageDigest newDigest();

  /** Whether the computed digest is the expected one (in constant time). */
  boolean matches(byte[] actual);
}
