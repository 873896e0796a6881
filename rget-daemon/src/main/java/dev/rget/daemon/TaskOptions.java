package dev.rget.daemon;

import dev.rget.core.Checksum;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The aria2 options of one download that rget acts on, checked. aria2 sends every option value as
 * a string ({@code "split":"8"}); numbers and string arrays ({@code header}) are accepted too.
 * Options rget does not implement are ignored, as front-ends send many of them by default
 * (AriaNg sends its whole settings page); {@link #raw()} keeps only the understood ones.
 *
 * @param dir directory to save into, or {@code null} for the daemon's
 * @param out file name relative to the directory, or {@code null} for the server's name
 * @param connections parallel connections
 * @param checksum expected checksum, or {@code null}
 * @param headers extra request headers, {@code "Name: value"}
 * @param limitRate bytes per second, 0 for unlimited
 * @param raw the understood options as given (strings, {@code header} a list), for the session
 *     file and {@code getOption}
 */
record TaskOptions(Path dir, String out, int connections, Checksum checksum, List<String> headers,
    long limitRate, Map<String, Object> raw) {

  static final Set<String> KNOWN = Set.of("dir", "out", "split", "max-connection-per-server",
      "checksum", "header", "max-download-limit");
  private static final int DEFAULT_CONNECTIONS = 8;
  private static final int MAX_CONNECTIONS = 64;
  private static final int MAX_HEADERS = 64;

  /** Parses the options object of {@code addUri}. */
  static TaskOptions parse(Map<String, Object> options) throws RpcException {
    Map<String, Object> raw = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : options.entrySet()) {
      if (KNOWN.contains(e.getKey())) {
        raw.put(e.getKey(), e.getKey().equals("header") ? stringList(e.getValue()) : scalar(e.getKey(), e.getValue()));
      }
    }
    Path dir = null;
    if (raw.containsKey("dir")) {
      String d = (String) raw.get("dir");
      if (d.isEmpty() || d.indexOf('\0') >= 0) {
        throw RpcException.aria2("bad value for option dir");
      }
      dir = Path.of(d);
    }
    String out = (String) raw.get("out");
    if (out != null) {
      checkOut(out);
    }
    int split = raw.containsKey("split") ? positive("split", (String) raw.get("split")) : DEFAULT_CONNECTIONS;
    int perServer = raw.containsKey("max-connection-per-server")
        ? positive("max-connection-per-server", (String) raw.get("max-connection-per-server")) : MAX_CONNECTIONS;
    // aria2 uses min(split, max-connection-per-server) connections for one URI.
    int connections = Math.min(MAX_CONNECTIONS, Math.min(split, perServer));
    Checksum checksum = null;
    if (raw.containsKey("checksum")) {
      try {
        checksum = Checksum.parse((String) raw.get("checksum"));
      } catch (IllegalArgumentException e) {
        throw RpcException.aria2("bad value for option checksum: " + e.getMessage());
      }
    }
    @SuppressWarnings("unchecked")
    List<String> headers = raw.containsKey("header") ? (List<String>) raw.get("header") : List.of();
    if (headers.size() > MAX_HEADERS) {
      throw RpcException.aria2("more than " + MAX_HEADERS + " headers");
    }
    for (String h : headers) {
      if (h.indexOf(':') <= 0) {
        throw RpcException.aria2("bad header (expected 'Name: value')");
      }
    }
    long limit = raw.containsKey("max-download-limit") ? size("max-download-limit", (String) raw.get("max-download-limit")) : 0;
    return new TaskOptions(dir, out, connections, checksum, List.copyOf(headers), limit, raw);
  }

  /**
   * These options with {@code changes} applied (aria2's changeOption, changeGlobalOption): every
   * name must be in {@code changeable}, else the call is refused with aria2's message for an option
   * it cannot process (aria2 itself ignores names it does not know; refusing tells the caller the
   * change did not happen).
   */
  TaskOptions with(Map<String, Object> changes, Set<String> changeable) throws RpcException {
    for (String name : changes.keySet()) {
      if (!changeable.contains(name)) {
        throw RpcException.aria2("We encountered a problem while processing the option '--" + clipName(name)
            + "': rget cannot change it");
      }
    }
    Map<String, Object> merged = new LinkedHashMap<>(raw);
    merged.putAll(changes);
    return parse(merged);
  }

  private static String clipName(String name) {
    return name.length() > 64 ? name.substring(0, 64) + "..." : name;
  }

  /**
   * An output name stays inside the download directory: relative, no {@code ..}, no NUL. aria2
   * allows sub-directories in {@code out}; so does this.
   */
  private static void checkOut(String out) throws RpcException {
    if (out.isEmpty() || out.indexOf('\0') >= 0 || out.startsWith("/") || out.length() > 4096) {
      throw RpcException.aria2("bad value for option out");
    }
    for (String part : out.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw RpcException.aria2("bad value for option out: it must stay inside dir");
      }
    }
  }

  private static String scalar(String name, Object v) throws RpcException {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Long || v instanceof Boolean) {
      return v.toString();
    }
    throw RpcException.aria2("bad value for option " + name);
  }

  private static List<String> stringList(Object v) throws RpcException {
    if (v instanceof String s) {
      return List.of(s);
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw RpcException.aria2("bad value for option header");
        }
        out.add(s);
      }
      return out;
    }
    throw RpcException.aria2("bad value for option header");
  }

  static int positive(String name, String v) throws RpcException {
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw RpcException.aria2("We encountered a problem while processing the option '--" + name + "'.");
  }

  /** aria2's sizes: a number of bytes with an optional K or M (binary) suffix; 0 is no limit. */
  static long size(String name, String v) throws RpcException {
    String t = v.strip().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("K")) {
      unit = 1024;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("M")) {
      unit = 1024 * 1024;
      t = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(t);
      if (n >= 0 && n <= Long.MAX_VALUE / unit) {
        return n * unit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw RpcException.aria2("We encountered a problem while processing the option '--" + name + "'.");
  }
}
