package dev.rget.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A directory as a small HTML page: one row per entry with name, size and modification date. Names
 * are HTML-escaped where shown and percent-encoded in links, so a file called
 * {@code <script>} or {@code a:b} is shown as text and linked as a relative path.
 */
final class DirectoryListing {
  /** At most this many entries are read and listed; the page says when there were more. */
  static final int MAX_ENTRIES = 10_000;

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** One row. */
  record Entry(String name, boolean directory, long size, Instant modified) {}

  private DirectoryListing() {}

  /** Reads up to {@link #MAX_ENTRIES} entries of {@code dir} and lists them sorted by name. */
  static byte[] render(Path dir, String displayPath, boolean isRoot) throws IOException {
    List<Entry> entries = new ArrayList<>();
    boolean truncated = false;
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        if (entries.size() >= MAX_ENTRIES) {
          truncated = true; // stop reading: a huge directory must not stall the event loop
          break;
        }
        String name = p.getFileName().toString();
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          entries.add(new Entry(name, a.isDirectory(), a.size(), a.lastModifiedTime().toInstant()));
        } catch (IOException e) {
          entries.add(new Entry(name, false, -1, null)); // e.g. a dangling symlink
        }
      }
    }
    entries.sort(Comparator.comparing(Entry::name));
    return html(displayPath, isRoot, entries, truncated).getBytes(StandardCharsets.UTF_8);
  }

  /** The page for {@code entries}; pure. */
  static String html(String displayPath, boolean isRoot, List<Entry> entries, boolean truncated) {
    String title = "Index of " + escape(displayPath);
    StringBuilder sb = new StringBuilder(256 + entries.size() * 128);
    sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(title)
        .append("</title></head>\n<body>\n<h1>").append(title).append("</h1>\n<table>\n")
        .append("<tr><th>Name</th><th>Size</th><th>Last modified</th></tr>\n");
    if (!isRoot) {
      sb.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
    }
    for (Entry e : entries) {
      String suffix = e.directory() ? "/" : "";
      sb.append("<tr><td><a href=\"./").append(escape(RequestPath.encodeSegment(e.name()))).append(suffix)
          .append("\">").append(escape(e.name())).append(suffix).append("</a></td><td>")
          .append(e.directory() || e.size() < 0 ? "-" : Long.toString(e.size())).append("</td><td>")
          .append(e.modified() == null ? "-" : DATE.format(e.modified())).append("</td></tr>\n");
    }
    sb.append("</table>\n");
    if (truncated) {
      sb.append("<p>Only the first ").append(MAX_ENTRIES).append(" entries are listed.</p>\n");
    }
    sb.append("</body></html>\n");
    return sb.toString();
  }

  /** Escapes the five HTML-significant characters. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
