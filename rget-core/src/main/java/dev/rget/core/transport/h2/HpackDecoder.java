package dev.rget.core.transport.h2;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes HPACK header blocks (RFC 7541) for one HTTP/2 connection: indexed fields, literals
 * with and without indexing, Huffman strings, and the dynamic table with its evictions.
 *
 * <p>Every byte is the server's, so everything is bounded: the dynamic table never exceeds the
 * size we announced ({@code SETTINGS_HEADER_TABLE_SIZE}; a size update above it is an error),
 * integers are capped well below overflow, and the decoded header list may not exceed
 * {@code maxHeaderListSize} as HPACK counts it (name + value + 32 per field), so a small block
 * that repeats a large table entry cannot expand into megabytes. Any error leaves the table out
 * of step with the server's, so it is a connection error (COMPRESSION_ERROR). Not thread-safe:
 * the connection's reader owns it.
 */
public final class HpackDecoder {
  private static final int MAX_INTEGER = 1 << 24;

  private final int maxTableSize;
  private final long maxHeaderListSize;
  /** Newest entry first, as HPACK indexes them. */
  private final ArrayDeque<HeaderField> dynamic = new ArrayDeque<>();
  private long tableSize;
  private int tableCapacity;

  /**
   * @param maxTableSize the SETTINGS_HEADER_TABLE_SIZE we announced (4096 unless we sent one)
   * @param maxHeaderListSize the largest decoded header list accepted, as HPACK counts it
   */
  public HpackDecoder(int maxTableSize, long maxHeaderListSize) {
    this.maxTableSize = maxTableSize;
    this.maxHeaderListSize = maxHeaderListSize;
    this.tableCapacity = maxTableSize;
  }

  /** The dynamic table's current size as HPACK counts it (for tests). */
  public long tableSize() {
    return tableSize;
  }

  /**
   * Decodes one complete header block (HEADERS plus its CONTINUATION fragments, joined).
   *
   * @throws Http2Exception a connection error (COMPRESSION_ERROR) for anything malformed or over
   *     a bound
   */
  public List<HeaderField> decode(byte[] block, int length) throws Http2Exception {
    List<HeaderField> fields = new ArrayList<>();
    Reader in = new Reader(block, length);
    long listSize = 0;
    boolean fieldSeen = false;
    while (in.pos < length) {
      int b = block[in.pos] & 0xff;
      HeaderField f;
      if ((b & 0x80) != 0) {
        f = entry(in.integer(7));
      } else if ((b & 0xc0) == 0x40) {
        f = literal(in, 6);
        add(f);
      } else if ((b & 0xe0) == 0x20) {
        if (fieldSeen) {
          // RFC 7541 4.2: a size update is only allowed at the start of a block.
          throw bad("dynamic table size update after a header field");
        }
        int size = in.integer(5);
        if (size > maxTableSize) {
          throw bad("dynamic table size update to " + size + " above our limit of "
              + maxTableSize);
        }
        tableCapacity = size;
        evict(0);
        continue;
      } else {
        f = literal(in, 4); // without indexing (0000) or never indexed (0001)
      }
      fieldSeen = true;
      listSize += f.hpackSize();
      if (listSize > maxHeaderListSize) {
        throw bad("decoded header list larger than " + maxHeaderListSize + " bytes");
      }
      fields.add(f);
    }
    return fields;
  }

  private HeaderField literal(Reader in, int prefix) throws Http2Exception {
    int index = in.integer(prefix);
    String name = index == 0 ? in.string() : entry(index).name();
    return new HeaderField(name, in.string());
  }

  private HeaderField entry(int index) throws Http2Exception {
    if (index == 0) {
      throw bad("header index 0");
    }
    if (index <= HpackStaticTable.SIZE) {
      return HpackStaticTable.ENTRIES[index];
    }
    int d = index - HpackStaticTable.SIZE - 1;
    if (d >= dynamic.size()) {
      throw bad("header index " + index + " beyond the tables");
    }
    // The table is small (bounded by maxTableSize / 32 entries): a walk is cheap enough.
    int i = 0;
    for (HeaderField f : dynamic) {
      if (i++ == d) {
        return f;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  private void add(HeaderField f) {
    long size = f.hpackSize();
    if (size > tableCapacity) {
      // RFC 7541 4.4: an entry larger than the table empties it and is not added.
      dynamic.clear();
      tableSize = 0;
      return;
    }
    evict(size);
    dynamic.addFirst(f);
    tableSize += size;
  }

  private void evict(long room) {
    while (tableSize + room > tableCapacity && !dynamic.isEmpty()) {
      tableSize -= dynamic.removeLast().hpackSize();
    }
  }

  private static Http2Exception bad(String message) {
    return Http2Exception.connection(Http2ErrorCode.COMPRESSION_ERROR, message);
  }

  /** A cursor over the block. */
  private final class Reader {
    final byte[] buf;
    final int end;
    int pos;

    Reader(byte[] buf, int end) {
      this.buf = buf;
      this.end = end;
    }

    /** An integer with an N-bit prefix (RFC 7541 5.1), at most {@link #MAX_INTEGER}. */
    int integer(int prefix) throws Http2Exception {
      int max = (1 << prefix) - 1;
      int value = buf[pos++] & max;
      if (value < max) {
        return value;
      }
      for (int shift = 0; ; shift += 7) {
        if (pos >= end) {
          throw bad("header block ends inside an integer");
        }
        int b = buf[pos++] & 0xff;
        value += (b & 0x7f) << shift;
        if (value > MAX_INTEGER || shift > 21) {
          throw bad("integer too large in header block");
        }
        if ((b & 0x80) == 0) {
          return value;
        }
      }
    }

    /** A string literal (RFC 7541 5.2), Huffman-coded or raw, one char per byte. */
    String string() throws Http2Exception {
      if (pos >= end) {
        throw bad("header block ends before a string");
      }
      boolean huffman = (buf[pos] & 0x80) != 0;
      int length = integer(7);
      if (length > end - pos) {
        throw bad("string of " + length + " bytes runs past the header block");
      }
      StringBuilder sb = new StringBuilder(length);
      if (huffman) {
        // A Huffman code is at least 5 bits, so a string decodes to at most 8/5 of its length.
        Huffman.decode(buf, pos, length, sb, length * 8 / 5 + 1);
      } else {
        for (int i = pos; i < pos + length; i++) {
          sb.append((char) (buf[i] & 0xff));
        }
      }
      pos += length;
      return sb.toString();
    }
  }
}
