package dev.rget.daemon;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.HostLimiter;
import dev.rget.core.Progress;
import dev.rget.core.Rget;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The daemon's downloads: at most {@code maxActive} run at once, the others wait in order; paused
 * ones keep their place (and their partial data and state on disk, so that a later run resumes);
 * ended ones are kept for {@code tellStopped} up to {@link #MAX_STOPPED}. Thread-safe: one lock.
 *
 * <p>A run that was stopped (pause, remove) is not restarted before it has really ended, so two
 * runs never write the same file.
 */
final class DownloadQueue {
  /** Ended downloads kept for tellStopped, as aria2's --max-download-result default. */
  static final int MAX_STOPPED = 1000;
  /** Queued downloads (waiting, paused, active) accepted; more are refused. */
  static final int MAX_QUEUED = 10_000;

  /** Receives aria2 notification names ({@code aria2.onDownloadStart}) with the GID. */
  interface Events {
    void event(String method, String gid);
  }

  private final Path defaultDir;
  private int maxActive;
  private final HostLimiter hostLimiter;
  private final Events events;
  private final Runnable changed;
  private final Consumer<String> log;
  private final Map<String, Task> byGid = new HashMap<>();
  private final List<Task> active = new ArrayList<>();
  /** Waiting and paused downloads, in queue order. */
  private final List<Task> waiting = new ArrayList<>();
  private final Deque<Task> stopped = new ArrayDeque<>();
  private boolean closed;

  /**
   * @param changed called (under the lock, must not block) whenever what the session file holds changed
   * @param log receives one-line notices from the engine, prefixed by the GID
   */
  DownloadQueue(Path defaultDir, int maxActive, int perHost, Events events, Runnable changed, Consumer<String> log) {
    this.defaultDir = defaultDir;
    this.maxActive = maxActive;
    this.hostLimiter = new HostLimiter(perHost);
    this.events = events;
    this.changed = changed;
    this.log = log;
  }

  /**
   * Queues a download; with {@code gid} (from the session file) under that GID, else a new one.
   * {@code position} is the index in the waiting queue, or negative for the end.
   */
  synchronized String add(String gid, URI uri, TaskOptions options, String fileName, boolean paused,
      int position) throws RpcException {
    return add(gid, uri, options, fileName, paused, position, HeldRanges.NONE);
  }

  /**
   * Queues a download of the session file under its GID, showing (until a run of it knows better)
   * what it holds on disk, which is read here before the lock is taken.
   */
  String restore(SessionFile.Entry e) throws RpcException {
    TaskOptions options = TaskOptions.parse(e.options());
    HeldRanges.Held held = HeldRanges.NONE;
    if (e.fileName() != null) {
      try {
        held = HeldRanges.read(dirOf(options).resolve(e.fileName()), e.uri());
      } catch (IOException ex) {
        // Still restored: its next run says what is wrong with the files, and decides.
        log.accept("[#" + e.gid() + "] cannot read what it holds on disk: " + ex.getMessage());
      }
    }
    return add(e.gid(), e.uri(), options, e.fileName(), e.paused(), -1, held);
  }

  private synchronized String add(String gid, URI uri, TaskOptions options, String fileName, boolean paused,
      int position, HeldRanges.Held held) throws RpcException {
    if (closed) {
      throw RpcException.aria2("the daemon is shutting down");
    }
    if (byGid.size() - stopped.size() >= MAX_QUEUED) {
      throw RpcException.aria2("more than " + MAX_QUEUED + " downloads queued");
    }
    if (gid == null) {
      do {
        gid = Gid.random();
      } while (byGid.containsKey(gid));
    } else if (byGid.containsKey(gid)) {
      throw RpcException.aria2("GID " + gid + " is already in use");
    }
    Task t = new Task(gid, uri, dirOf(options), options, fileName != null ? fileName : options.out());
    t.status = paused ? Status.PAUSED : Status.WAITING;
    t.hold(held);
    byGid.put(gid, t);
    waiting.add(position < 0 || position > waiting.size() ? waiting.size() : position, t);
    changed.run();
    schedule();
    return gid;
  }

  private Path dirOf(TaskOptions options) {
    return options.dir() != null ? defaultDir.resolve(options.dir()) : defaultDir;
  }

  /** Pauses: a waiting download stays queued but is skipped; an active one is stopped, keeping its data. */
  synchronized String pause(String gid) throws RpcException {
    Task t = find(gid);
    switch (t.status) {
      case WAITING -> t.status = Status.PAUSED;
      case ACTIVE -> {
        t.status = Status.PAUSED;
        active.remove(t);
        waiting.add(0, t); // aria2: a paused active download goes to the front of the queue
        t.run.cancel();
        events.event("aria2.onDownloadPause", gid);
      }
      default -> throw RpcException.aria2("GID " + gid + " cannot be paused now");
    }
    changed.run();
    schedule();
    return gid;
  }

  /** Pauses every active and waiting download. */
  synchronized void pauseAll() {
    for (Task t : new ArrayList<>(active)) {
      try {
        pause(t.gid);
      } catch (RpcException e) {
        throw new IllegalStateException("an active download could not be paused", e);
      }
    }
    for (Task t : waiting) {
      if (t.status == Status.WAITING) {
        t.status = Status.PAUSED;
      }
    }
    changed.run();
  }

  /** Puts a paused download back in the queue. */
  synchronized String unpause(String gid) throws RpcException {
    Task t = find(gid);
    if (t.status != Status.PAUSED) {
      throw RpcException.aria2("GID " + gid + " cannot be unpaused now");
    }
    t.status = Status.WAITING;
    changed.run();
    schedule();
    return gid;
  }

  /** Unpauses every paused download. */
  synchronized void unpauseAll() {
    for (Task t : waiting) {
      if (t.status == Status.PAUSED) {
        t.status = Status.WAITING;
      }
    }
    changed.run();
    schedule();
  }

  /** Removes a queued or active download (its partial files stay, as aria2 leaves them). */
  synchronized String remove(String gid) throws RpcException {
    Task t = find(gid);
    if (t.status.stopped()) {
      throw RpcException.aria2("Active Download not found for GID#" + gid);
    }
    boolean wasActive = t.status == Status.ACTIVE;
    active.remove(t);
    waiting.remove(t);
    t.status = Status.REMOVED;
    if (wasActive) {
      t.run.cancel();
    }
    addStopped(t);
    events.event("aria2.onDownloadStop", gid);
    changed.run();
    schedule();
    return gid;
  }

  /**
   * Replaces a download's options (aria2's changeOption). A waiting or paused download takes them
   * at its next start; an active one is stopped and started again at once with them, resuming from
   * its state (aria2 restarts an active download for most options too).
   */
  synchronized void changeOptions(String gid, TaskOptions options) throws RpcException {
    Task t = find(gid);
    if (t.status.stopped()) {
      throw RpcException.aria2("Cannot change option for GID#" + gid);
    }
    t.options = options;
    if (t.status == Status.ACTIVE && !t.restart) {
      t.restart = true;
      t.run.cancel(); // finished() puts it back at the front of the queue
    }
    changed.run();
  }

  /** How many downloads run at once (aria2's max-concurrent-downloads); running ones are not stopped. */
  synchronized void maxActive(int n) {
    maxActive = n;
    schedule();
  }

  synchronized int maxActive() {
    return maxActive;
  }

  /**
   * Moves a waiting or paused download in the queue (aria2's changePosition): {@code how} is
   * {@code POS_SET} (from the front), {@code POS_CUR} (from where it is) or {@code POS_END} (from
   * the last place); the result is clamped to the queue. Returns the new index.
   */
  synchronized long changePosition(String gid, long pos, String how) throws RpcException {
    Task t = find(gid);
    int from = waiting.indexOf(t);
    if (from < 0) {
      throw RpcException.aria2("GID#" + gid + " not found in the waiting queue.");
    }
    long base = switch (how) {
      case "POS_SET" -> 0;
      case "POS_CUR" -> from;
      case "POS_END" -> waiting.size() - 1;
      default -> throw RpcException.aria2("Illegal argument.");
    };
    // Saturating: pos comes from the network and may be Long.MIN_VALUE.
    long to = Math.max(0, Math.min(waiting.size() - 1, pos < 0 ? Math.max(base + pos, -1) : Math.min(base + pos, waiting.size())));
    waiting.remove(from);
    waiting.add((int) to, t);
    changed.run();
    schedule();
    return to;
  }

  /** Forgets an ended download. */
  synchronized void removeResult(String gid) throws RpcException {
    Task t = byGid.get(gid);
    if (t == null || !t.status.stopped()) {
      throw RpcException.aria2("Could not remove download result of GID#" + gid);
    }
    stopped.remove(t);
    if (t.run == null) {
      byGid.remove(gid);
    }
    changed.run(); // a failed download is in the session until its result is removed
  }

  /** Forgets every ended download. */
  synchronized void purge() {
    for (Task t : stopped) {
      if (t.run == null) {
        byGid.remove(t.gid);
      }
    }
    stopped.clear();
    changed.run();
  }

  /** The download with this GID, or an aria2 error. */
  synchronized Task find(String gid) throws RpcException {
    Task t = gid == null ? null : byGid.get(gid);
    if (t == null || (t.status.stopped() && !stopped.contains(t))) {
      throw RpcException.aria2("GID " + gid + " is not found");
    }
    return t;
  }

  synchronized List<Task> active() {
    return List.copyOf(active);
  }

  synchronized List<Task> waiting() {
    return List.copyOf(waiting);
  }

  synchronized List<Task> stopped() {
    return List.copyOf(stopped);
  }

  /**
   * What the session file keeps: the unfinished downloads in queue order (active first), then the
   * failed ones still listed, oldest first. As aria2's session keeps "error/unfinished downloads",
   * a failed one comes back waiting after a restart and is tried again, from what it holds.
   */
  synchronized List<Task> forSession() {
    List<Task> all = new ArrayList<>(active);
    all.addAll(waiting);
    for (Task t : stopped) {
      if (t.status == Status.ERROR) {
        all.add(t);
      }
    }
    return all;
  }

  /** Updates the last-known progress of active downloads; true if a file name became known. */
  synchronized boolean refresh() {
    boolean named = false;
    for (Task t : active) {
      boolean had = t.fileName != null;
      t.record(t.run.progress());
      named |= !had && t.fileName != null;
    }
    if (named) {
      changed.run();
    }
    return named;
  }

  /** Stops every run, keeping data and state on disk; nothing starts afterwards. */
  void close() {
    List<Download> runs = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (Task t : byGid.values()) {
        if (t.run != null) {
          runs.add(t.run);
        }
      }
    }
    runs.forEach(Download::cancel);
    for (Download d : runs) {
      try {
        d.result().handle((r, e) -> null).get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        log.accept("a download did not stop within 5 s: " + e);
      }
    }
  }

  /** Starts waiting downloads while fewer than {@code maxActive} run. */
  private void schedule() {
    if (closed) {
      return;
    }
    for (int i = 0; i < waiting.size() && active.size() < maxActive; i++) {
      Task t = waiting.get(i);
      if (t.status == Status.WAITING && t.run == null) { // run != null: the last run is still stopping
        waiting.remove(i--);
        start(t);
      }
    }
  }

  private void start(Task t) {
    t.status = Status.ACTIVE;
    active.add(t);
    Download d;
    try {
      DownloadOptions.Builder b = DownloadOptions.builder()
          .connections(t.options.connections())
          .hostLimiter(hostLimiter)
          .limitRate(t.options.limitRate())
          .notices(m -> log.accept("[#" + t.gid + "] " + m));
      if (t.options.checksum() != null) {
        b.checksum(t.options.checksum());
      }
      for (String h : t.options.headers()) {
        int colon = h.indexOf(':');
        b.header(h.substring(0, colon), h.substring(colon + 1));
      }
      Path target = t.path();
      d = target != null ? Rget.download(t.uri, target, b.build()) : Rget.downloadInto(t.uri, t.dir, b.build());
    } catch (RuntimeException e) {
      fail(t, 28, "cannot start: " + e.getMessage());
      return;
    }
    t.run = d;
    events.event("aria2.onDownloadStart", t.gid);
    d.result().whenComplete((r, e) -> finished(t, d, r, e, e == null ? null : held(t, d)));
  }

  /**
   * What an unfinished run left on disk, read (outside the lock) once it has ended: less than the
   * run had in memory if its last state save failed, nothing if it discarded its file.
   */
  private HeldRanges.Held held(Task t, Download d) {
    String name = t.fileName != null ? t.fileName : d.progress().fileName();
    if (name == null || name.isEmpty()) {
      return HeldRanges.NONE;
    }
    try {
      return HeldRanges.read(t.dir.resolve(name), t.uri);
    } catch (IOException e) {
      log.accept("[#" + t.gid + "] cannot read what it holds on disk: " + e.getMessage());
      return HeldRanges.NONE;
    }
  }

  /** @param held what the run left on disk, when it ended unfinished ({@code e != null}) */
  private synchronized void finished(Task t, Download d, DownloadResult r, Throwable e, HeldRanges.Held held) {
    if (t.run != d) {
      return;
    }
    t.record(d.progress());
    if (held != null) {
      t.hold(held);
    }
    t.run = null;
    boolean restart = t.restart;
    t.restart = false;
    if (closed) {
      return; // stopped by close(): stays unfinished in the session, to resume next time
    }
    if (t.status == Status.ACTIVE && restart && e != null) {
      active.remove(t);
      t.status = Status.WAITING;
      waiting.add(0, t);
    } else if (t.status == Status.ACTIVE) {
      active.remove(t);
      if (e == null) {
        t.totalLength = r.length();
        t.completedLength = r.length();
        t.fileName = t.dir.relativize(r.path()).toString();
        t.status = Status.COMPLETE;
        addStopped(t);
        events.event("aria2.onDownloadComplete", t.gid);
      } else {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof DownloadException de) {
          fail(t, errorCode(de), de.getMessage());
        } else {
          fail(t, 1, String.valueOf(cause));
        }
      }
    } else if (t.status == Status.REMOVED && !stopped.contains(t)) {
      byGid.remove(t.gid); // its result was already removed while the run was stopping
    }
    changed.run();
    schedule();
  }

  private void fail(Task t, int code, String message) {
    active.remove(t);
    t.run = null;
    t.status = Status.ERROR;
    t.errorCode = code;
    t.errorMessage = message;
    log.accept("[#" + t.gid + "] failed: " + message);
    addStopped(t);
    events.event("aria2.onDownloadError", t.gid);
  }

  private void addStopped(Task t) {
    stopped.addLast(t);
    while (stopped.size() > MAX_STOPPED) {
      Task old = stopped.removeFirst();
      if (old.run == null) {
        byGid.remove(old.gid);
      }
    }
  }

  /** aria2's error codes (its exit status list) for rget's failure classes. */
  static int errorCode(DownloadException e) {
    FailureKind k = e.kind();
    return switch (k) {
      case USAGE -> 28;
      case NETWORK -> 6;
      case HTTP_STATUS -> e.getMessage().contains("HTTP 404") ? 3 : 22;
      case LOCAL_IO -> 17;
      case CHECKSUM_MISMATCH -> 32;
      case PROTOCOL -> 22;
      case REMOTE_CHANGED, TOO_LARGE, CANCELLED, INTERNAL -> 1;
    };
  }

  /** Global numbers for getGlobalStat. */
  synchronized long[] stat() {
    long speed = 0;
    for (Task t : active) {
      Progress p = t.run.progress();
      speed += p.bytesPerSecond();
    }
    return new long[] {speed, active.size(), waiting.size(), stopped.size()};
  }
}
