package dev.rget.daemon;

import java.security.SecureRandom;
import java.util.Locale;

/** aria2's download ids: 16 lower-case hex digits (64 random bits). */
final class Gid {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Gid() {}

  /** A fresh random GID (the caller checks it is not in use). */
  static String random() {
    return String.format(Locale.ROOT, "%016x", RANDOM.nextLong());
  }

  /** Whether {@code s} has the form of a GID: 16 hex digits. */
  static boolean valid(String s) {
    if (s == null || s.length() != 16) {
      return false;
    }
    for (int i = 0; i < 16; i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
