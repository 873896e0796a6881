package dev.rget.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text safe to print or store when any of it came from the network or holds a URL: header
 * values, status lines, redirect targets, file names, exception messages. A hostile server could
 * otherwise retitle or clear the user's terminal (ESC sequences), forge lines (CR, LF), or
 * reorder what is shown (Unicode bidi overrides); and a URL could carry a password into a log.
 *
 * <p>{@link #of(Object)} escapes every C0 and C1 control, DEL, the bidi embedding, override,
 * isolate and mark characters and the Unicode line separators (ESC becomes backslash, x, 1b;
 * RLO becomes backslash, u, 202e), and replaces the password of every
 * {@code scheme://user:password@} with {@code ***}. It is idempotent: its output contains nothing
 * it would change again. Backslashes are left as they are, so an escape cannot be told from the
 * same characters sent literally; what matters is that nothing reaches the terminal raw.
 */
public final class SafeText {
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^/?#@\\s:]*):([^/?#@\\s]*)@");
  private static final String MASK = "***";

  private SafeText() {}

  /** {@code text} with controls escaped and URL passwords masked; {@code "null"} for null. */
  public static String of(Object text) {
    String s = String.valueOf(text);
    return escapeControls(maskPasswords(s));
  }

  /**
   * {@code uri} with the password removed from its user info (the user name is kept), for
   * storing: a state file must not hold a secret. Equal URIs give equal results.
   */
  public static URI withoutPassword(URI uri) {
    String info = uri.getRawUserInfo();
    if (info == null || info.indexOf(':') < 0) {
      return uri;
    }
    String user = info.substring(0, info.indexOf(':'));
    try {
      return new URI(uri.getScheme() + "://" + (user.isEmpty() ? "" : user + "@")
          + uri.getRawAuthority().substring(info.length() + 1)
          + (uri.getRawPath() == null ? "" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
          + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment()));
    } catch (URISyntaxException e) {
      // Cannot happen for parts of a valid URI; if it did, storing nothing secret still holds.
      throw new IllegalArgumentException("cannot remove the password from a URL", e);
    }
  }

  static String maskPasswords(String s) {
    if (s.indexOf('@') < 0) {
      return s;
    }
    Matcher m = URL_PASSWORD.matcher(s);
    return m.find() ? m.replaceAll("$1:" + Matcher.quoteReplacement(MASK) + "@") : s;
  }

  static String escapeControls(String s) {
    int i = 0;
    while (i < s.length() && !unsafe(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!unsafe(c)) {
        sb.append(c);
      } else if (c < 0x80) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }

  /**
   * Whether {@code c} can move the cursor, talk to the terminal, break a line or reorder text:
   * C0 and C1 controls, DEL, bidi embeddings, overrides, isolates and marks, line separators.
   */
  public static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x202a && c <= 0x202e) // LRE, RLE, PDF, LRO, RLO
        || (c >= 0x2066 && c <= 0x2069) // LRI, RLI, FSI, PDI
        || c == 0x200e || c == 0x200f || c == 0x061c // LRM, RLM, ALM
        || c == 0x2028 || c == 0x2029; // line and paragraph separators
  }
}
