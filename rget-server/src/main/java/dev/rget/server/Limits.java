package dev.rget.server;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;

/**
 * Every fixed bound of the server in one place, and how the default connection cap is derived from
 * the heap. What a connection can make the server hold is bounded by these numbers whatever the
 * client does, so {@code maxConnections} times {@link #CONNECTION_HEAP} is the most heap that all
 * connections together can pin. Listed with their defaults in {@code rget-server/README.md}.
 */
final class Limits {
  /** Longest request line accepted (414 beyond). */
  static final int MAX_REQUEST_LINE = 8 * 1024;
  /** Largest header section accepted, in bytes (431 beyond). */
  static final int MAX_HEADER_SIZE = 16 * 1024;
  /** Most header fields in one request (431 beyond). Apache's LimitRequestFields default. */
  static final int MAX_HEADER_FIELDS = 100;
  /** Largest socket read: a connection never holds more unparsed input than this plus one line. */
  static final int MAX_READ = 16 * 1024;
  /** Default time allowed for a whole request head (408 beyond). */
  static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
  /** After a reply that ends the connection, how long to drain what the client still sends. */
  static final Duration LINGER = Duration.ofSeconds(2);
  /** Write-buffer water marks: a rate-limited body stops being read from the file above the high one. */
  static final int WRITE_LOW_WATER = 8 * 1024;
  static final int WRITE_HIGH_WATER = 32 * 1024;
  /** At most this many entries of a directory are read and listed. */
  static final int MAX_LISTING_ENTRIES = 10_000;
  /** A listing page stops growing (and says so) at this size. */
  static final int MAX_LISTING_BYTES = 1 << 20;
  /**
   * Upload body bytes read but not yet written to disk, per connection: reading pauses above it.
   * Two reads' worth, so the network and the disk overlap.
   */
  static final int UPLOAD_QUEUED = 2 * MAX_READ;
  /**
   * Largest socket read while an upload body of known length is read ({@link ReadSize}); never past
   * the body's end, so what follows the body is read {@link #MAX_READ} at a time as before. Reads
   * of 16 KiB cost two thread hand-offs and two epoll changes each: 4 times the CPU of the disk
   * write they feed.
   */
  static final int BODY_READ = 256 * 1024;
  /**
   * Upload body bytes read but not yet written, per connection, while reads are large: reading
   * pauses above it. Each queued piece is counted as a whole {@link #BODY_READ} (what the buffer it
   * is a slice of may pin), so a client sending small pieces cannot make it hold more.
   */
  static final int UPLOAD_QUEUED_LARGE = 8 * BODY_READ;
  /**
   * Direct memory reserved from {@link #uploadReadBudget(long)} by one upload reading large pieces:
   * the queue's bound, plus the read that crosses it and a piece being decoded.
   */
  static final int UPLOAD_WINDOW = UPLOAD_QUEUED_LARGE + 2 * BODY_READ;
  /**
   * Share of direct memory that the large reads of all uploads may take together, on top of
   * {@link #CONNECTION_SHARE}: an upload that finds it used up reads 16 KiB at a time, as any
   * connection may, and so stays within {@link #CONNECTION_DIRECT}.
   */
  static final double UPLOAD_READ_SHARE = 0.25;
  /** Expired uploads are swept this often (and when the server starts). */
  static final Duration UPLOAD_SWEEP = Duration.ofMinutes(1);
  /** Symbolic links followed while resolving one request (like Linux's MAXSYMLINKS). */
  static final int MAX_SYMLINKS = 40;

  /**
   * The most heap one connection can pin, whatever the client sends, rounded up: the decoder's line
   * buffer (grows to the longest header line: 16 KiB), a request head (16 KiB of text plus the
   * objects of up to 100 fields, about 10 KiB), the reply being sent (headers and multipart framing,
   * up to 16 KiB; file bytes never pass through the heap), channel and handler state (about 4 KiB).
   * Directory pages are not in it: they are charged to a budget of their own
   * ({@link #listingBudget(long)}). Measured with 800 slow-header connections under
   * {@code -Xmx96m}: 35 KiB each at most (one 15 KiB header line), 32 KiB with 98 fields.
   */
  static final int CONNECTION_HEAP = 64 * 1024;
  /**
   * The most direct (off-heap) memory one connection can pin: unparsed input, one read plus a
   * partial line, in a buffer of at most 32 KiB (measured: 18 KiB each for 800 slow heads).
   */
  static final int CONNECTION_DIRECT = 32 * 1024;
  /** What a rate-limited body adds: up to the high water mark plus one 16 KiB chunk. */
  static final int PACED_DIRECT = WRITE_HIGH_WATER + 16 * 1024;
  /** Share of the heap (and of direct memory) that connections may take together. */
  static final double CONNECTION_SHARE = 0.6;
  /** Bounds of the derived default, whatever the heap. */
  static final int MIN_CONNECTIONS = 64;
  static final int MAX_CONNECTIONS = 20_000;

  private Limits() {}

  /**
   * The default connection cap: {@code 0.6 * heap / 64 KiB}, and the same share of direct memory
   * over what a connection holds there, within 64..20000, and at most half the file descriptors
   * the process may open (a connection can hold a socket and a file). With {@code -Xmx96m} (the
   * launcher's heap) that is 890: bound by the heap (direct memory would allow 1800, 730 with a
   * rate limit).
   */
  static int defaultMaxConnections(long maxHeap, long maxDirect, long maxFileDescriptors, boolean paced) {
    long byHeap = (long) (maxHeap * CONNECTION_SHARE) / CONNECTION_HEAP;
    long byDirect = (long) (maxDirect * CONNECTION_SHARE) / (CONNECTION_DIRECT + (paced ? PACED_DIRECT : 0));
    long n = Math.min(byHeap, byDirect);
    if (maxFileDescriptors > 0) {
      n = Math.min(n, (maxFileDescriptors - 64) / 2);
    }
    return (int) Math.max(MIN_CONNECTIONS, Math.min(MAX_CONNECTIONS, n));
  }

  /** {@link #defaultMaxConnections(long, long, long, boolean)} for this JVM. */
  static int defaultMaxConnections(boolean paced) {
    long heap = Runtime.getRuntime().maxMemory();
    long direct = PlatformDependent.maxDirectMemory();
    return defaultMaxConnections(heap, direct > 0 ? direct : heap, maxFileDescriptors(), paced);
  }

  /**
   * Heap that directory pages being sent may take together: an eighth of the heap, at least two
   * full pages. Beyond it a listing gets 503 with Retry-After until pages in flight are sent.
   */
  static long listingBudget(long maxHeap) {
    return Math.max(2L * MAX_LISTING_BYTES, maxHeap / 8);
  }

  /**
   * Direct memory for the large reads of upload bodies, all connections together: a quarter of
   * direct memory (with {@code -Xmx96m}: 24 MiB, nine uploads reading large pieces at once).
   */
  static long uploadReadBudget(long maxDirect) {
    return (long) (maxDirect * UPLOAD_READ_SHARE);
  }

  private static long maxFileDescriptors() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }
}
