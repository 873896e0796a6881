package dev.rget.server.upload;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One upload in memory: its latest saved {@link UploadInfo} and the lock that makes its writer
 * (a {@code PATCH}, a {@code DELETE}, the expiry sweep) the only one. The lock is a try-lock: a
 * second writer is refused ({@code 423}), never queued behind the first.
 */
final class Upload {
  final String id;
  private final AtomicBoolean locked = new AtomicBoolean();
  private volatile UploadInfo info;
  /** Set once its files are gone (terminated or swept): the in-memory object is stale. */
  private volatile boolean gone;

  Upload(UploadInfo info) {
    this.id = info.id();
    this.info = info;
  }

  UploadInfo info() {
    return info;
  }

  void info(UploadInfo newInfo) {
    this.info = newInfo;
  }

  boolean tryLock() {
    return locked.compareAndSet(false, true);
  }

  void unlock() {
    locked.set(false);
  }

  boolean gone() {
    return gone;
  }

  void markGone() {
    gone = true;
  }
}
