package dev.rget.cli;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.Progress;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code rget get --json}: one JSON object per line on stdout for each download, with the field
 * names of aria2's {@code tellStatus} (numbers as decimal strings, as aria2 sends them): a line
 * every {@link #PERIOD_MILLIS} while it runs ({@code "status":"active"}), and a last line when it
 * ends ({@code "complete"}, or {@code "error"} with {@code errorCode} and {@code errorMessage}).
 * {@code gid} tells the downloads of one run apart. Every line is printed whole by one call, so
 * lines of parallel downloads never interleave.
 */
final class JsonProgress implements AutoCloseable {
  static final long PERIOD_MILLIS = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Download download;
  private final URI uri;
  private final Path dir;
  private final PrintStream out;
  private final String gid;
  private final ScheduledExecutorService timer;

  /** @param dir the directory the file is saved in (the file name comes from the progress) */
  JsonProgress(Download download, URI uri, Path dir, PrintStream out) {
    this.download = download;
    this.uri = uri;
    this.dir = dir.toAbsolutePath();
    this.out = out;
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    this.gid = HexFormat.of().formatHex(id);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rget-json-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(() -> print(line("active", download.progress(), null, null, null)),
        PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The last line of a download that completed. */
  void complete(DownloadResult r) {
    close();
    Progress p = download.progress();
    print(line("complete", new Progress(r.length(), r.length(), 0, 0, r.elapsed(), p.fileName()), r.path(), "0", ""));
  }

  /** The last line of a download that failed. */
  void failed(DownloadException e) {
    close();
    print(line("error", download.progress(), null, Integer.toString(e.kind().exitCode()), e.getMessage()));
  }

  private synchronized void print(String line) {
    out.println(line);
    out.flush();
  }

  private String line(String status, Progress p, Path path, String errorCode, String errorMessage) {
    StringBuilder b = new StringBuilder(256).append('{');
    field(b, "gid", gid);
    field(b, "status", status);
    field(b, "totalLength", Long.toString(Math.max(0, p.totalBytes())));
    field(b, "completedLength", Long.toString(p.doneBytes()));
    field(b, "downloadSpeed", Long.toString(p.bytesPerSecond()));
    field(b, "connections", Integer.toString(p.activeConnections()));
    if (errorCode != null) {
      field(b, "errorCode", errorCode);
      field(b, "errorMessage", errorMessage == null ? "" : errorMessage);
    }
    String file = path != null ? path.toAbsolutePath().toString()
        : p.fileName() != null && !p.fileName().isEmpty() ? dir.resolve(p.fileName()).toString() : "";
    b.append("\"files\":[{");
    field(b, "index", "1");
    field(b, "path", file);
    field(b, "length", Long.toString(Math.max(0, p.totalBytes())));
    field(b, "completedLength", Long.toString(p.doneBytes()));
    b.append("\"uris\":[{");
    field(b, "uri", uri.toString());
    b.append("\"status\":\"used\"}]}]}");
    return b.toString();
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append('"').append(name).append("\":");
    quote(b, value);
    b.append(',');
  }

  /** A JSON string: quotes, backslashes and every control character escaped (names are hostile). */
  static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS); // a line being printed finishes before the last one
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
