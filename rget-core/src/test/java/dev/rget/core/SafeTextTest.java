package dev.rget.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Text from the network is printed with no raw control, and URL passwords never show. */
class SafeTextTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // what | raw (\\u escapes decoded below) | printed
      "plain text is unchanged | http://h/a b.txt | http://h/a b.txt",
      "OSC title sequence | x\\u001b]0;pwned\\u0007y | x\\x1b]0;pwned\\x07y",
      "clear screen | \\u001b[2J | \\x1b[2J",
      "CR and LF cannot forge a line | a\\r\\nrget: fake | a\\x0d\\x0arget: fake",
      "DEL and C1 CSI | \\u007f\\u009b31m | \\x7f\\u009b31m",
      "bidi override and isolate | evil\\u202egpj.exe\\u2066 | evil\\u202egpj.exe\\u2066",
      "line separator | a\\u2028b | a\\u2028b",
      "non-ASCII letters stay | Grüße.txt | Grüße.txt",
      "password masked | get http://user:secret@h:80/f failed | get http://user:***@h:80/f failed",
      "every password masked | https://a:b@x/ and http://c:d@y/ | https://a:***@x/ and http://c:***@y/",
      "user without password kept | http://user@h/f | http://user@h/f",
  })
  void escapesControlsAndMasksPasswords(String what, String raw, String printed) {
    String in = decode(raw);

    String out = SafeText.of(in);

    assertThat(out).isEqualTo(printed);
    assertThat(SafeText.of(out)).as("idempotent").isEqualTo(out);
    assertThat(out.chars().noneMatch(c -> SafeText.unsafe((char) c))).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "http://user:secret@h/f?q=1#x, http://user@h/f?q=1#x",
      "http://:secret@h:8080/f, http://h:8080/f",
      "http://user@h/f, http://user@h/f",
      "https://h/f, https://h/f",
  })
  void storedUrlsLoseTheirPassword(String url, String stored) {
    assertThat(SafeText.withoutPassword(URI.create(url))).isEqualTo(URI.create(stored));
  }

  /** Turns the table's backslash-u and backslash-r/n escapes into the characters. */
  private static String decode(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && s.charAt(i + 1) == 'u') {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else if (c == '\\' && s.charAt(i + 1) == 'r') {
        sb.append('\r');
        i++;
      } else if (c == '\\' && s.charAt(i + 1) == 'n') {
        sb.append('\n');
        i++;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
