package dev.rget.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
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
 * {@code <script>} or {@code a:b} is shown as text and linked as a relative path. The page lists
 * exactly what can be served: no dotfiles (unless they are served), no FIFOs, devices or sockets,
 * no links leading outside the root (a link is shown with what it leads to).
 *
 * <p>Served with a {@link #CONTENT_SECURITY_POLICY} that allows nothing but the page itself.
 */
final class DirectoryListing {
  /** At most this many entries are read and listed; the page says when there were more. */
  static final int MAX_ENTRIES = Limits.MAX_LISTING_ENTRIES;
  /** No scripts, styles, images, frames, forms or base changes: a page of text and links. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** One row. */
  record Entry(String name, boolean directory, long size, Instant modified) {}

  private DirectoryListing() {}

  /**
   * Reads up to {@link #MAX_ENTRIES} entries of the open directory {@code dir} and lists them sorted
   * by name. Blocking: runs on a file-system thread.
   */
  static byte[] render(ServedTree tree, ServedTree.OpenedDirectory dir, String displayPath) throws IOException {
    List<Entry> entries = new ArrayList<>();
    boolean truncated = false;
    for (Path p : dir.stream()) {
      if (entries.size() >= MAX_ENTRIES) {
        truncated = true; // stop reading: a huge directory costs bounded time and memory
        break;
      }
      String name = p.getFileName().toString();
      if (!tree.visible(name)) {
        continue;
      }
      BasicFileAttributes a;
      try {
        a = dir.stream().getFileAttributeView(Path.of(name), BasicFileAttributeView.class,
            LinkOption.NOFOLLOW_LINKS).readAttributes();
      } catch (IOException e) {
        continue; // gone since it was read
      }
      if (a.isSymbolicLink()) {
        List<String> segments = new ArrayList<>(dir.segments());
        segments.add(name);
        a = tree.stat(segments);
        if (a == null) {
          continue; // dangling, or leading somewhere that is not served
        }
      }
      if (a.isDirectory() || a.isRegularFile()) {
        entries.add(new Entry(name, a.isDirectory(), a.size(), a.lastModifiedTime().toInstant()));
      }
    }
    entries.sort(Comparator.comparing(Entry::name));
    return html(displayPath, dir.isRoot(), entries, truncated).getBytes(StandardCharsets.UTF_8);
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
    long bytes = sb.length();
    int listed = 0;
    for (Entry e : entries) {
      String suffix = e.directory() ? "/" : "";
      String row = "<tr><td><a href=\"./" + escape(RequestPath.encodeSegment(e.name())) + suffix
          + "\">" + escape(e.name()) + suffix + "</a></td><td>"
          + (e.directory() || e.size() < 0 ? "-" : Long.toString(e.size())) + "</td><td>"
          + (e.modified() == null ? "-" : DATE.format(e.modified())) + "</td></tr>\n";
      bytes += utf8Length(row);
      if (bytes > Limits.MAX_LISTING_BYTES - 256) {
        truncated = true; // the page stays within its size however long the names are
        break;
      }
      sb.append(row);
      listed++;
    }
    sb.append("</table>\n");
    if (truncated) {
      sb.append("<p>Only the first ").append(listed).append(" entries are listed.</p>\n");
    }
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
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
