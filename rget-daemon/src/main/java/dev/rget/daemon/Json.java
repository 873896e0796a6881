package dev.rget.daemon;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and writer for RPC bodies and the session file. Values are
 * {@link Map} (insertion-ordered), {@link List}, {@link String}, {@link Long} or {@link BigDecimal},
 * {@link Boolean} and {@code null}. The reader is bounded: input length and nesting depth are
 * capped, so hostile input costs at most linear time and memory in its (already capped) size.
 * Anything RFC 8259 does not allow (trailing commas, comments, NaN, leading zeros, raw control
 * characters, lone surrogates, duplicate keys, trailing data) is rejected.
 */
final class Json {
  /** Deepest nesting accepted: aria2's deepest request (a multicall of addUri) needs 6. */
  static final int MAX_DEPTH = 32;

  private final String s;
  private int pos;

  private Json(String s) {
    this.s = s;
  }

  /** Thrown for malformed or over-limit JSON; the message is one line with the offset. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;

    ParseException(String message) {
      super(message);
    }
  }

  /**
   * Parses one JSON value.
   *
   * @throws ParseException if {@code text} is longer than {@code maxChars}, malformed or too deep
   */
  static Object parse(String text, int maxChars) throws ParseException {
    if (text.length() > maxChars) {
      throw new ParseException("JSON longer than " + maxChars + " characters");
    }
    Json j = new Json(text);
    j.skipSpace();
    Object v = j.value(0);
    j.skipSpace();
    if (j.pos != text.length()) {
      throw j.error("data after the JSON value");
    }
    return v;
  }

  private Object value(int depth) throws ParseException {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH);
    }
    if (pos >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character");
    }
  }

  private Map<String, Object> object(int depth) throws ParseException {
    pos++;
    Map<String, Object> m = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      return m;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a member name");
      }
      String key = string();
      if (m.containsKey(key)) {
        throw error("duplicate member name");
      }
      skipSpace();
      expect(':');
      skipSpace();
      m.put(key, value(depth + 1));
      skipSpace();
      char c = next();
      if (c == '}') {
        return m;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws ParseException {
    pos++;
    List<Object> list = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value(depth + 1));
      skipSpace();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() throws ParseException {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        break;
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> b.append(hex4());
        default -> throw error("bad escape");
      }
    }
    String out = b.toString();
    for (int i = 0; i < out.length(); i++) {
      char c = out.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= out.length() || !Character.isLowSurrogate(out.charAt(i + 1))) {
          throw error("lone surrogate in a string");
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        throw error("lone surrogate in a string");
      }
    }
    return out;
  }

  private char hex4() throws ParseException {
    if (pos + 4 > s.length()) {
      throw error("unexpected end");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(s.charAt(pos++), 16);
      if (d < 0) {
        throw error("bad \\u escape");
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  private Object number() throws ParseException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      throw error("bad number");
    }
    boolean integral = true;
    if (peek() == '.') {
      pos++;
      integral = false;
      if (!(peek() >= '0' && peek() <= '9')) {
        throw error("bad number");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      integral = false;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!(peek() >= '0' && peek() <= '9')) {
        throw error("bad number");
      }
      digits();
    }
    String text = s.substring(start, pos);
    if (integral && text.length() <= 18) {
      return Long.parseLong(text);
    }
    if (text.length() > 64) {
      throw error("number too long"); // a huge exponent would make BigDecimal arithmetic costly
    }
    return new BigDecimal(text);
  }

  private void digits() {
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
  }

  private Object literal(String word, Object v) throws ParseException {
    if (!s.startsWith(word, pos)) {
      throw error("unexpected character");
    }
    pos += word.length();
    return v;
  }

  private void skipSpace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private char next() throws ParseException {
    if (pos >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(pos++);
  }

  private void expect(char c) throws ParseException {
    if (next() != c) {
      pos--;
      throw error("expected '" + c + "'");
    }
  }

  private ParseException error(String what) {
    return new ParseException(what + " at offset " + pos);
  }

  /** Writes {@code v} (a value of the kinds listed on the class) as compact JSON. */
  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(v, b);
    return b.toString();
  }

  private static void write(Object v, StringBuilder b) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String str) {
      quote(str, b);
    } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof BigDecimal) {
      b.append(v);
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        quote((String) e.getKey(), b);
        b.append(':');
        write(e.getValue(), b);
      }
      b.append('}');
    } else if (v instanceof List<?> list) {
      b.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(list.get(i), b);
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }
  }

  private static void quote(String str, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < str.length(); i++) {
      char c = str.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          // '<', '>' and the JavaScript line separators escaped too: the output may end up in a page
          if (c < 0x20 || c == '<' || c == '>' || c == 0x2028 || c == 0x2029 || c == 0x7f) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
