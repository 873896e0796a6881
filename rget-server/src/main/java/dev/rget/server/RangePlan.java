package dev.rget.server;

import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeCoalescer;
import dev.rget.core.range.RangeHeader;
import dev.rget.core.range.RangeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a GET's Range header asks of a representation of known length (RFC 9110 section 14), after
 * the server's abuse limits. Pure: header and length in, a plan out.
 *
 * <ul>
 *   <li>No header, an invalid one, an unknown unit, or more than {@link #MAX_RANGES} range-specs:
 *       the header is ignored, {@link Kind#WHOLE} (200). Refusing a hostile header by serving the
 *       whole file keeps the reply no larger than the file.
 *   <li>No spec satisfiable: {@link Kind#UNSATISFIABLE} (416 with {@code bytes *}{@code /len}).
 *   <li>Otherwise {@link Kind#PARTIAL} (206) with the satisfiable ranges, clipped to the end and
 *       coalesced where they overlap or lie closer than {@link #MERGE_GAP} bytes; so the ranges are
 *       disjoint and the body never exceeds the file's length plus per-part headers.
 * </ul>
 *
 * @param kind what to send
 * @param ranges for {@link Kind#PARTIAL}, one or more disjoint ranges; otherwise empty
 */
record RangePlan(Kind kind, List<ByteRange> ranges) {
  /** More range-specs than this in one header and the header is ignored (200). */
  static final int MAX_RANGES = 100;

  /**
   * Ranges separated by fewer bytes than this are merged: roughly what another multipart part's
   * headers would cost.
   */
  static final long MERGE_GAP = 80;

  /** The three answers to a Range header. */
  enum Kind {
    WHOLE,
    PARTIAL,
    UNSATISFIABLE
  }

  private static final RangePlan WHOLE = new RangePlan(Kind.WHOLE, List.of());
  private static final RangePlan UNSATISFIABLE = new RangePlan(Kind.UNSATISFIABLE, List.of());

  RangePlan {
    ranges = List.copyOf(ranges);
  }

  /** The whole representation. */
  static RangePlan whole() {
    return WHOLE;
  }

  /** Plans the reply to {@code rangeHeader} (may be {@code null}) for {@code length} bytes. */
  static RangePlan of(String rangeHeader, long length) {
    if (rangeHeader == null) {
      return WHOLE;
    }
    Optional<List<RangeSpec>> specs = RangeHeader.parse(rangeHeader, MAX_RANGES);
    if (specs.isEmpty()) {
      return WHOLE;
    }
    List<ByteRange> satisfiable = new ArrayList<>(specs.get().size());
    for (RangeSpec spec : specs.get()) {
      spec.resolve(length).ifPresent(satisfiable::add);
    }
    if (satisfiable.isEmpty()) {
      return UNSATISFIABLE;
    }
    return new RangePlan(Kind.PARTIAL, RangeCoalescer.coalesce(satisfiable, MERGE_GAP));
  }

  /** Whether the reply is {@code multipart/byteranges}. */
  boolean isMultipart() {
    return kind == Kind.PARTIAL && ranges.size() > 1;
  }
}
