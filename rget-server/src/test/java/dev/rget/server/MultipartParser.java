package dev.rget.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A strict reader of multipart/byteranges bodies for tests: any framing error throws. */
final class MultipartParser {
  record Part(Map<String, String> headers, byte[] data) {}

  private MultipartParser() {}

  static String boundary(String contentType) {
    String prefix = "multipart/byteranges; boundary=";
    if (contentType == null || !contentType.startsWith(prefix)) {
      throw new AssertionError("not multipart/byteranges: " + contentType);
    }
    return contentType.substring(prefix.length());
  }

  /** Parses the body; each part's length comes from its Content-Range. */
  static List<Part> parse(byte[] body, String contentType) {
    String boundary = boundary(contentType);
    String text = new String(body, StandardCharsets.ISO_8859_1);
    List<Part> parts = new ArrayList<>();
    int pos = 0;
    String delimiter = "--" + boundary + "\r\n";
    while (true) {
      String expected = (parts.isEmpty() ? "" : "\r\n");
      if (text.startsWith(expected + "--" + boundary + "--\r\n", pos)) {
        if (pos + expected.length() + boundary.length() + 6 != body.length) {
          throw new AssertionError("bytes after the close delimiter");
        }
        return parts;
      }
      if (!text.startsWith(expected + delimiter, pos)) {
        throw new AssertionError("no delimiter at " + pos);
      }
      pos += expected.length() + delimiter.length();
      int end = text.indexOf("\r\n\r\n", pos);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line : text.substring(pos, end).split("\r\n")) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      pos = end + 4;
      String range = headers.get("content-range"); // bytes a-b/n
      String[] ab = range.substring(6, range.indexOf('/')).split("-");
      int len = (int) (Long.parseLong(ab[1]) - Long.parseLong(ab[0]) + 1);
      parts.add(new Part(headers, Arrays.copyOfRange(body, pos, pos + len)));
      pos += len;
    }
  }
}
