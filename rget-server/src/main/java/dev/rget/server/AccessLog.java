package dev.rget.server;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The access log, off the network threads: they only enqueue a small record (never block); one
 * daemon thread formats and writes the lines in batches. If output cannot keep up and the queue
 * fills, lines are dropped and the count of dropped lines is logged, rather than stalling the
 * server. The queue holds at most {@value #QUEUE} entries of bounded size (each field is cut to
 * {@value #MAX_FIELD} characters when the entry is made), so a flood of long request targets
 * cannot grow it past about 3 MiB.
 *
 * <p>Line format: {@code TIME REMOTE METHOD TARGET RANGE STATUS BODY_BYTES DURATION}, e.g.
 * {@code 2025-01-02T03:04:05.678Z 127.0.0.1:53412 GET /a.iso "bytes=0-1023" 206 1024 0.31ms}; RANGE
 * is {@code -} when absent; BODY_BYTES counts body bytes actually sent (fewer than promised if
 * the client went away).
 */
final class AccessLog implements AutoCloseable {
  static final int QUEUE = 4096;
  static final int MAX_FIELD = 256;

  /** One request. */
  record Entry(
      long epochMillis, String remote, String method, String target, String range,
      int status, long bodyBytes, long durationNanos) {}

  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong dropped = new AtomicLong();
  private final Consumer<String> sink;
  private final PrintStream out;
  private final Thread thread;
  private final Fatal fatal;
  private volatile boolean closed;

  /** Starts the writer thread; {@code sink == null} means standard output. */
  AccessLog(Consumer<String> sink, Fatal fatal) {
    this.sink = sink;
    this.fatal = fatal;
    this.out = System.out;
    this.thread = new Thread(this::run, "rget-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  /** Enqueues an entry; never blocks. */
  void log(Entry e) {
    if (!queue.offer(e)) {
      dropped.incrementAndGet();
    }
  }

  private void run() {
    List<Entry> batch = new ArrayList<>(256);
    StringBuilder sb = new StringBuilder(16_384);
    while (true) {
      try {
        Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 1024);
        long lost = dropped.getAndSet(0);
        for (Entry e : batch) {
          emit(format(e), sb);
        }
        if (lost > 0) {
          emit("access log: " + lost + " lines dropped (output too slow)", sb);
        }
        batch.clear();
        if (sink == null) {
          out.print(sb);
          out.flush();
          sb.setLength(0);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Error e) {
        fatal.report(e);
        return;
      } catch (RuntimeException e) {
        // a failing sink must not kill the log thread; drop this batch
        batch.clear();
        sb.setLength(0);
      }
    }
  }

  private void emit(String line, StringBuilder sb) {
    if (sink == null) {
      sb.append(line).append(System.lineSeparator());
    } else {
      sink.accept(line);
    }
  }

  /** Writes what is queued, then stops the thread. */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The line for {@code e}. */
  static String format(Entry e) {
    String range = e.range() == null ? "-" : "\"" + clean(e.range()) + "\"";
    return Instant.ofEpochMilli(e.epochMillis()) + " " + e.remote() + " " + clean(e.method()) + " "
        + clean(e.target()) + " " + range + " " + e.status() + " " + e.bodyBytes() + " "
        + String.format(Locale.ROOT, "%.2fms", e.durationNanos() / 1e6);
  }

  /** {@code s} cut to one character more than is ever printed (so the cut still shows). */
  static String cap(String s) {
    return s == null || s.length() <= MAX_FIELD ? s : s.substring(0, MAX_FIELD + 1);
  }

  /** Escapes quotes, backslashes and non-printable characters; truncates long values. */
  static String clean(String s) {
    boolean cut = s.length() > MAX_FIELD;
    StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_FIELD) + 8);
    for (int i = 0; i < Math.min(s.length(), MAX_FIELD); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c & 0xff));
      } else {
        sb.append(c);
      }
    }
    if (cut) {
      sb.append("...");
    }
    return sb.toString();
  }
}
