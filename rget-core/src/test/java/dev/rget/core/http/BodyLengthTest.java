package dev.rget.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one reading of Content-Length and Transfer-Encoding that the transport frames bodies with
 * and the engine compares lengths with (values separated by '|' are separate field lines).
 */
class BodyLengthTest {

  @ParameterizedTest(name = "Content-Length {0}, Transfer-Encoding {1} -> {2}, chunked {3}")
  @CsvSource(delimiter = ';', nullValues = "-", value = {
      "5; -; 5; false",
      "0; -; 0; false",
      "-; -; -1; false",
      "7|7; -; 7; false",
      "'7, 7'; -; 7; false",
      "5; chunked; -1; true",
      "5; Chunked; -1; true",
      "5; 'gzip, chunked'; -1; true",
      "5; 'chunked, gzip'; -1; false",
      "5; identity; -1; false",
      "-; xchunked; -1; false",
      "-; gzip|chunked; -1; true",
  })
  void table(String contentLength, String transferEncoding, long length, boolean chunked)
      throws IOException {
    BodyLength b = BodyLength.of(lines(contentLength), lines(transferEncoding));
    assertThat(b.length()).isEqualTo(length);
    assertThat(b.chunked()).isEqualTo(chunked);
  }

  @ParameterizedTest(name = "Content-Length {0} is refused")
  @ValueSource(strings = {"+5", "-1", "0x10", "1e3", "5 5", "", "99999999999999999999", "5|6",
      "5, 6", "5,", " , 5"})
  void malformedOrConflictingLengthsAreRefused(String contentLength) {
    assertThatThrownBy(() -> BodyLength.of(lines(contentLength), List.of()))
        .isInstanceOf(IOException.class).hasMessageContaining("Content-Length");
  }

  private static List<String> lines(String s) {
    return s == null ? List.of() : Arrays.asList(s.split("\\|", -1));
  }
}
