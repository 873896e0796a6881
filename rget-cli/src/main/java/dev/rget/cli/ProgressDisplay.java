package dev.rget.cli;

import dev.rget.core.Download;
import dev.rget.core.Progress;
import dev.rget.core.SafeText;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Shows a download's progress: on a terminal, one line redrawn five times a second; otherwise a
 * plain line every few seconds, fit for logs.
 */
final class ProgressDisplay implements AutoCloseable {
  private final Supplier<Progress> progress;
  private final PrintStream out;
  private final boolean terminal;
  private final ScheduledExecutorService timer;
  private int lastWidth;

  ProgressDisplay(Download download, PrintStream out, boolean terminal) {
    this(download::progress, out, terminal);
  }

  /** Shows the progress {@code progress} reports (an upload's, for one). */
  ProgressDisplay(Supplier<Progress> progress, PrintStream out, boolean terminal) {
    this.progress = progress;
    this.out = out;
    this.terminal = terminal;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rget-progress");
      t.setDaemon(true);
      return t;
    });
    long periodMs = terminal ? 200 : 5000;
    timer.scheduleAtFixedRate(this::draw, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** Prints a notice on its own line without garbling the progress line. */
  synchronized void notice(String message) {
    clearLine();
    out.println("rget: note: " + SafeText.of(message));
  }

  private synchronized void draw() {
    String line = format(progress.get());
    if (terminal) {
      int pad = Math.max(0, lastWidth - line.length());
      out.print("\r" + line + " ".repeat(pad));
      lastWidth = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  static String format(Progress p) {
    String name = p.fileName() == null ? "" : SafeText.of(p.fileName()) + "  ";
    String done = Units.bytes(p.doneBytes());
    String total = p.totalBytes() < 0 ? "?" : Units.bytes(p.totalBytes());
    String pct = p.totalBytes() < 0 ? "" : String.format(Locale.ROOT, "%3.0f%%  ", p.fraction() * 100);
    String eta = p.eta() == null ? "--:--" : Units.clock(p.eta());
    return name + pct + done + " / " + total + "  " + Units.bytes(p.bytesPerSecond()) + "/s  ETA "
        + eta + "  " + p.activeConnections() + " conn";
  }

  private void clearLine() {
    if (terminal && lastWidth > 0) {
      out.print("\r" + " ".repeat(lastWidth) + "\r");
      lastWidth = 0;
    }
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    clearLine();
    out.flush();
  }
}
