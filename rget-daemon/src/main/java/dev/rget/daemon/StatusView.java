package dev.rget.daemon;

import dev.rget.core.Download;
import dev.rget.core.Progress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code tellStatus} structure of a download, as aria2 shapes it: every number a decimal
 * string. {@code bitfield} (with {@code pieceLength}, {@code numPieces}) shows the written pieces
 * once the length is known, and rget's extra key {@link #IN_FLIGHT} the pieces being fetched. Keys
 * rget has nothing true to say about (BitTorrent fields) are left out rather than invented.
 */
final class StatusView {
  /**
   * rget's own key: the pieces (as in {@code bitfield}, same format) that a connection is fetching
   * right now. A piece can be in both when part of it is written and the rest in flight.
   */
  static final String IN_FLIGHT = "rgetInFlight";

  private StatusView() {}

  /** The status of {@code t}, restricted to {@code keys} when not empty. */
  static Map<String, Object> of(Task t, Set<String> keys) {
    Progress p = t.progress();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gid", t.gid);
    m.put("status", t.status.aria2Name());
    m.put("totalLength", Long.toString(Math.max(0, p.totalBytes())));
    m.put("completedLength", Long.toString(p.doneBytes()));
    m.put("uploadLength", "0");
    m.put("downloadSpeed", Long.toString(p.bytesPerSecond()));
    m.put("uploadSpeed", "0");
    m.put("connections", Integer.toString(p.activeConnections()));
    long total = p.totalBytes();
    if (total > 0) {
      long piece = Bitfield.pieceLength(total);
      m.put("pieceLength", Long.toString(piece));
      m.put("numPieces", Long.toString(Bitfield.pieces(total, piece)));
      if (t.status == Status.COMPLETE) {
        m.put("bitfield", Bitfield.full(total, piece));
        m.put(IN_FLIGHT, Bitfield.of(List.of(), total, piece, true));
      } else {
        Download.Ranges r = t.ranges();
        m.put("bitfield", Bitfield.of(r.written(), total, piece, false));
        m.put(IN_FLIGHT, Bitfield.of(r.inFlight(), total, piece, true));
      }
    }
    if (t.status == Status.ERROR) {
      m.put("errorCode", Integer.toString(t.errorCode));
      m.put("errorMessage", t.errorMessage);
    } else if (t.status.stopped()) {
      m.put("errorCode", "0");
      m.put("errorMessage", "");
    }
    m.put("dir", t.dir.toString());
    m.put("files", files(t, p));
    if (keys.isEmpty()) {
      return m;
    }
    m.keySet().retainAll(keys);
    return m;
  }

  /** aria2's {@code getFiles} / the {@code files} key: one file for an HTTP download. */
  static List<Object> files(Task t, Progress p) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("index", "1");
    Path path = t.path();
    f.put("path", path == null ? "" : path.toString());
    f.put("length", Long.toString(Math.max(0, p.totalBytes())));
    f.put("completedLength", Long.toString(p.doneBytes()));
    f.put("selected", "true");
    f.put("uris", uris(t));
    return List.of(f);
  }

  /** aria2's {@code getUris}: the URI and whether it is in use. */
  static List<Object> uris(Task t) {
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("uri", t.uri.toString());
    u.put("status", t.status == Status.ACTIVE ? "used" : "waiting");
    return List.of(u);
  }
}
