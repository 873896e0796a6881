package dev.rget.core.transport.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HPACK decoding against the examples of RFC 7541 Appendix C, and its bounds. */
class HpackDecoderTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static List<HeaderField> decode(HpackDecoder d, String hex) throws Http2Exception {
    byte[] b = hex(hex);
    return d.decode(b, b.length);
  }

  @Test
  void rfc7541C4RequestsWithHuffmanAndTheDynamicTable() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 65536);
    assertThat(decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")).containsExactly(
        new HeaderField(":method", "GET"), new HeaderField(":scheme", "http"),
        new HeaderField(":path", "/"), new HeaderField(":authority", "www.example.com"));
    assertThat(d.tableSize()).isEqualTo(57);
    assertThat(decode(d, "8286 84be 5886 a8eb 1064 9cbf")).containsExactly(
        new HeaderField(":method", "GET"), new HeaderField(":scheme", "http"),
        new HeaderField(":path", "/"), new HeaderField(":authority", "www.example.com"),
        new HeaderField("cache-control", "no-cache"));
    assertThat(d.tableSize()).isEqualTo(110);
    assertThat(decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"))
        .containsExactly(new HeaderField(":method", "GET"), new HeaderField(":scheme", "https"),
            new HeaderField(":path", "/index.html"),
            new HeaderField(":authority", "www.example.com"),
            new HeaderField("custom-key", "custom-value"));
    assertThat(d.tableSize()).isEqualTo(164);
  }

  @Test
  void rfc7541C6ResponsesEvictWithinA256ByteTable() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 65536);
    // A size update to 256 first, as the RFC's example assumes a table of that size.
    assertThat(decode(d, "3fe1 01 4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005"
        + " 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"))
        .containsExactly(new HeaderField(":status", "302"),
            new HeaderField("cache-control", "private"),
            new HeaderField("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            new HeaderField("location", "https://www.example.com"));
    assertThat(d.tableSize()).isEqualTo(222);
    assertThat(decode(d, "4883 640e ffc1 c0bf")).containsExactly(
        new HeaderField(":status", "307"), new HeaderField("cache-control", "private"),
        new HeaderField("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
        new HeaderField("location", "https://www.example.com"));
    assertThat(d.tableSize()).isEqualTo(222);
  }

  @Test
  void theDynamicTableNeverExceedsOurSetting() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 1 << 20);
    // Literals with incremental indexing, each 1000 + 32 bytes: the oldest are evicted.
    StringBuilder block = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      block.append("40 01 ").append(String.format("%02x", 'a' + i)).append(" 7f e9 06 ")
          .append("78 ".repeat(1000));
    }
    List<HeaderField> fields = decode(d, block.toString());
    assertThat(fields).hasSize(20);
    assertThat(d.tableSize()).isLessThanOrEqualTo(4096).isEqualTo(3 * (1 + 1000 + 32));
  }

  @Test
  void aSmallBlockThatExpandsBeyondTheListLimitIsRefused() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 65536);
    // One 4000-byte entry, then references to it (index 62) a hundred times: 400 KB decoded.
    String entry = "40 01 61 7f a1 1e " + "78 ".repeat(4000);
    String block = entry + "be ".repeat(100);
    assertThatThrownBy(() -> decode(d, block)).isInstanceOf(Http2Exception.class)
        .hasMessageContaining("decoded header list larger than 65536 bytes");
  }

  @Test
  void malformedBlocksAreCompressionErrors() {
    HpackDecoder d = new HpackDecoder(4096, 65536);
    assertThatThrownBy(() -> decode(d, "80")).hasMessageContaining("header index 0");
    assertThatThrownBy(() -> decode(d, "c0")).hasMessageContaining("beyond the tables");
    assertThatThrownBy(() -> decode(d, "3fe2 1f")).hasMessageContaining("to 4097 above our limit");
    assertThatThrownBy(() -> decode(d, "88 20")).hasMessageContaining("size update after");
    assertThatThrownBy(() -> decode(d, "00 05 61")).hasMessageContaining("runs past");
    assertThatThrownBy(() -> decode(d, "ff ff ff ff ff 0f")).hasMessageContaining("too large");
    // Huffman: padding of 8 one-bits, and padding with a zero bit.
    assertThatThrownBy(() -> decode(d, "00 81 ff 00")).hasMessageContaining("Huffman");
    assertThatThrownBy(() -> decode(d, "00 81 00 00")).hasMessageContaining("padding");
  }

  @Test
  void anIndexedStaticFieldDecodes() throws Exception {
    assertThat(decode(new HpackDecoder(4096, 65536), "88"))
        .containsExactly(new HeaderField(":status", "200"));
  }

  @Test
  void theEncoderWritesLiteralsTheDecoderReads() throws Exception {
    List<HeaderField> fields = List.of(new HeaderField(":method", "GET"),
        new HeaderField("range", "bytes=0-" + "9".repeat(200)));
    byte[] b = HpackEncoder.encode(fields);
    assertThat(new HpackDecoder(4096, 65536).decode(b, b.length)).isEqualTo(fields);
  }
}
