package dev.rget.daemon;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Keeps the session file current on a thread of its own (it forces to disk, which must not
 * happen on a network thread or under the queue's lock): saves within {@link #PERIOD_MILLIS}
 * of any change, and looks every period for a file name an active download learnt from the server.
 */
final class SessionKeeper implements AutoCloseable {
  static final long PERIOD_MILLIS = 200;

  private final DownloadQueue queue;
  private final SessionFile file;
  private final Consumer<String> log;
  private final Thread thread;
  private boolean dirty;
  private boolean closed;
  private String lastFailure;
  /** One writer of the file at a time: the thread, and saveSession from the RPC. */
  private final Object saveLock = new Object();

  SessionKeeper(DownloadQueue queue, SessionFile file, Consumer<String> log) {
    this.queue = queue;
    this.file = file;
    this.log = log;
    this.thread = new Thread(this::loop, "rget-daemon-session");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Marks the session changed; cheap, never blocks (the queue calls it under its lock). */
  synchronized void changed() {
    dirty = true;
    notifyAll();
  }

  /** Saves now; the failure's one-line message, or {@code null}. */
  String saveNow() {
    synchronized (saveLock) {
      return save();
    }
  }

  private String save() {
    synchronized (this) {
      dirty = false;
    }
    try {
      file.save(queue.forSession());
      if (lastFailure != null) {
        log.accept("session file " + file.path() + " saved again");
        lastFailure = null;
      }
      return null;
    } catch (IOException e) {
      String m = "cannot save the session file " + file.path() + ": " + e.getMessage();
      if (!m.equals(lastFailure)) {
        log.accept(m); // said once per distinct failure, not every 200 ms
      }
      lastFailure = m;
      synchronized (this) {
        dirty = true;
      }
      return e.getMessage();
    }
  }

  private void loop() {
    while (true) {
      synchronized (this) {
        if (closed) {
          return;
        }
        try {
          wait(PERIOD_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        if (closed) {
          return;
        }
      }
      queue.refresh(); // calls changed() when a file name became known
      boolean save;
      synchronized (this) {
        save = dirty;
      }
      if (save) {
        saveNow();
      }
    }
  }

  /** Stops the thread after a last save. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    saveNow();
  }
}
