package dev.rget.server.upload;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file name a draft upload proposes in {@code Content-Disposition} (RFC 6266):
 * {@code filename*=UTF-8''PERCENT-ENCODED} if present and valid, else {@code filename="..."} or
 * {@code filename=TOKEN}. The result is still hostile: {@link SafeName} makes it a name. Pure.
 */
final class ContentDisposition {
  private static final Pattern EXTENDED =
      Pattern.compile("(?:^|;)\\s*filename\\*\\s*=\\s*UTF-8'[^']*'([^;\\s]+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern QUOTED =
      Pattern.compile("(?:^|;)\\s*filename\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern TOKEN = Pattern.compile("(?:^|;)\\s*filename\\s*=\\s*([^;\\s\"]+)",
      Pattern.CASE_INSENSITIVE);

  private ContentDisposition() {}

  /** The proposed file name, or null if the header has none that can be read. */
  static String filename(String header) {
    if (header == null) {
      return null;
    }
    Matcher m = EXTENDED.matcher(header);
    if (m.find()) {
      String decoded = percentDecode(m.group(1));
      if (decoded != null) {
        return decoded;
      }
    }
    m = QUOTED.matcher(header);
    if (m.find()) {
      return m.group(1).replaceAll("\\\\(.)", "$1");
    }
    m = TOKEN.matcher(header);
    return m.find() ? m.group(1) : null;
  }

  /** Strict percent-decoding into UTF-8; null on a bad escape or bad UTF-8. */
  private static String percentDecode(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        b.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        b.write(c);
      } else {
        return null;
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
