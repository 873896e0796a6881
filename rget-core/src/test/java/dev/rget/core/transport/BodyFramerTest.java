package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Body framing fed the way a socket delivers bytes: in fragments of any size. */
class BodyFramerTest {
  private static final String CHUNKED =
      "5;ext=1\r\nhello\r\n1\r\n \r\nc\r\nworld, again\r\n0\r\nTrailer: x\r\n\r\nNEXT";

  @ParameterizedTest(name = "fragments of {0} bytes")
  @ValueSource(ints = {1, 2, 3, 7, 64, 4096})
  void chunkedBodyIsDecodedWhateverTheFragmentSize(int fragment) throws IOException {
    Decoded d = feed(BodyFramer.chunked(), CHUNKED, fragment);
    assertThat(d.body).isEqualTo("hello world, again");
    assertThat(d.done).isTrue();
    // The bytes after the body (the next response on the connection) stay unread.
    assertThat(d.leftover).isEqualTo("NEXT");
  }

  @ParameterizedTest(name = "fragments of {0} bytes")
  @ValueSource(ints = {1, 5, 4096})
  void fixedLengthBodyStopsAtItsLength(int fragment) throws IOException {
    Decoded d = feed(BodyFramer.fixed(10), "0123456789NEXT", fragment);
    assertThat(d.body).isEqualTo("0123456789");
    assertThat(d.done).isTrue();
    assertThat(d.leftover).isEqualTo("NEXT");
  }

  @ParameterizedTest
  @ValueSource(strings = {"zz\r\nab\r\n0\r\n\r\n", "-1\r\n", "1234567890abcdef0\r\n",
      "2\r\nabXY0\r\n\r\n"})
  void malformedChunkingIsAnError(String body) {
    assertThatThrownBy(() -> feed(BodyFramer.chunked(), body, 4096))
        .isInstanceOf(IOException.class);
  }

  private record Decoded(String body, boolean done, String leftover) {}

  /** Feeds {@code text} into a read buffer {@code fragment} bytes at a time, like a socket. */
  private static Decoded feed(BodyFramer framer, String text, int fragment) throws IOException {
    byte[] all = text.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer buf = ByteBuffer.allocate(all.length);
    buf.limit(0);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int fed = 0;
    while (true) {
      ByteBuffer chunk = framer.next(buf);
      if (chunk != null) {
        byte[] b = new byte[chunk.remaining()];
        chunk.get(b);
        body.write(b);
        continue;
      }
      if (framer.done() || fed == all.length) {
        break;
      }
      // Append the next fragment after the unread bytes, as the connection's fill() does.
      buf.compact();
      int n = Math.min(fragment, all.length - fed);
      buf.put(all, fed, n);
      fed += n;
      buf.flip();
    }
    byte[] rest = new byte[buf.remaining()];
    buf.get(rest);
    String leftover = new String(rest, StandardCharsets.ISO_8859_1)
        + new String(all, fed, all.length - fed, StandardCharsets.ISO_8859_1);
    return new Decoded(body.toString(StandardCharsets.ISO_8859_1), framer.done(), leftover);
  }
}
