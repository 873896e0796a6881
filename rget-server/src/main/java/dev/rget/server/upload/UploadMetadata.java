package dev.rget.server.upload;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code Upload-Metadata} header: comma-separated pairs {@code KEY BASE64VALUE} (the value may
 * be absent), keys unique, ASCII without spaces or commas. Kept verbatim for {@code HEAD}; only
 * {@code filename} is interpreted.
 */
final class UploadMetadata {
  private UploadMetadata() {}

  /** Thrown for a header that breaks the grammar. */
  static final class BadMetadataException extends Exception {
    BadMetadataException(String why) {
      super(why);
    }
  }

  /** The pairs, values decoded (an absent value is the empty string). */
  static Map<String, byte[]> parse(String header) throws BadMetadataException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (header == null || header.isBlank()) {
      return out;
    }
    for (String pair : header.split(",", -1)) {
      String p = pair.strip();
      int sp = p.indexOf(' ');
      String key = sp < 0 ? p : p.substring(0, sp);
      String value = sp < 0 ? "" : p.substring(sp + 1).strip();
      if (key.isEmpty() || key.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
        throw new BadMetadataException("Upload-Metadata: a key is empty or not visible ASCII");
      }
      if (out.containsKey(key)) {
        throw new BadMetadataException("Upload-Metadata: key '" + key + "' given twice");
      }
      try {
        out.put(key, Base64.getDecoder().decode(value));
      } catch (IllegalArgumentException e) {
        throw new BadMetadataException("Upload-Metadata: the value of '" + key + "' is not base64");
      }
    }
    return out;
  }

  /** The {@code filename} value as UTF-8 text, or null when absent or not valid UTF-8. */
  static String filename(Map<String, byte[]> pairs) {
    byte[] v = pairs.get("filename");
    if (v == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(v)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
