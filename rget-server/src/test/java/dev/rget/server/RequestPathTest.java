package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding of request targets: what is accepted, and every escape that must be refused. */
class RequestPathTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/                          | ''               | true",
      "/a/b                       | a,b              | false",
      "/a//b/                     | a,b              | true",
      "/./a/.                     | a                | false",
      "/a%20b                     | a b              | false",
      "/%E2%82%AC                 | €                | false",
      "/%252e%252e/x              | %2e%2e,x         | false",
      "/%25                       | %                | false",
      "/a?x=../../&y=%00          | a                | false",
      "/a#frag                    | a                | false",
      "http://example.com/a/b     | a,b              | false",
      "HTTP://example.com         | ''               | true",
      "/..a/b..                   | ..a,b..          | false",
  })
  void accepts(String target, String segments, boolean trailingSlash) throws Exception {
    RequestPath p = RequestPath.parse(target);
    assertThat(String.join(",", p.segments())).isEqualTo(segments);
    assertThat(p.trailingSlash()).isEqualTo(trailingSlash);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "/../etc/passwd",
      "/a/../../x",
      "/a/..",
      "/%2e%2e/x",
      "/%2E%2E/x",
      "/.%2e/x",
      "/%2e./x",
      "/a%2fb",
      "/a%2Fb",
      "/..%2f..%2fx",
      "/a%5cb",
      "/a\\b",
      "/..\\x",
      "/a%00b",
      "/a%0d%0aSet-Cookie:x",
      "/a%7f",
      "/%",
      "/%2",
      "/%zz",
      "/%٣٣",
      "/%C0%AE%C0%AE/x",
      "/%FF",
      "*",
      "a/b",
      "",
      "http://example.com/../x",
  })
  void refuses(String target) {
    assertThatThrownBy(() -> RequestPath.parse(target)).isInstanceOf(RequestPath.BadPathException.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a b:c?.txt   | a%20b%3Ac%3F.txt",
      "€            | %E2%82%AC",
      "x/y          | x%2Fy",
      "A-Z_0.9~     | A-Z_0.9~",
  })
  void encodesSegmentsForLinksAndLocation(String segment, String encoded) {
    assertThat(RequestPath.encodeSegment(segment)).isEqualTo(encoded);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/sub              | /sub/",
      "//evil.example/x  | /evil.example/x/",
      "/a%20b            | /a%20b/",
  })
  void redirectTargetIsRebuiltFromSegmentsSoItCannotPointOffSite(String target, String location)
      throws Exception {
    assertThat(RequestPath.parse(target).encoded(true)).isEqualTo(location);
  }
}
