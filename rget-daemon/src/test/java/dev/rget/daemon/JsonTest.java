package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The strict JSON reader: what RFC 8259 forbids is refused, depth and size are capped. */
class JsonTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "NaN", "'a'", "{\"a\" 1}",
      "\"\u0001\"", "\"\\x\"", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "[1] 2", "// c\n1", "tru"})
  void refuses(String text) {
    assertThatThrownBy(() -> Json.parse(text, 1000)).isInstanceOf(Json.ParseException.class);
  }

  @Test
  void capsDepthAndSize() throws Exception {
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertThat(Json.parse(ok, 1000)).isInstanceOf(List.class);
    String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
    assertThatThrownBy(() -> Json.parse(deep, 1000)).hasMessageContaining("nested deeper");
    assertThatThrownBy(() -> Json.parse("\"" + "x".repeat(100) + "\"", 50)).hasMessageContaining("longer than");
  }

  @Test
  void roundTrips() throws Exception {
    String text = "{\"s\":\"a\\\"\\n\\u003c\u00e9\ud83d\ude00\",\"n\":-12,\"d\":1.5E3,\"b\":true,\"z\":null,\"l\":[1,{}]}";
    Object v = Json.parse(text, 1000);
    assertThat(v).isInstanceOf(Map.class);
    assertThat(Json.parse(Json.write(v), 1000)).isEqualTo(v);
    assertThat(Json.write("<\u2028")).isEqualTo("\"\\u003c\\u2028\"");
  }
}
