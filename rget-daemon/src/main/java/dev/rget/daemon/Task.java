package dev.rget.daemon;

import dev.rget.core.Download;
import dev.rget.core.Progress;
import dev.rget.core.range.ByteRange;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One download of the queue: what was asked (URI, directory, options), where it stands, and its
 * current run of the rget engine, if any. Guarded by the {@link DownloadQueue}'s lock; only the
 * queue changes it.
 */
final class Task {
  final String gid;
  final URI uri;
  final Path dir;
  /** Replaced by changeOption (the queue restarts an active run to apply it). */
  volatile TaskOptions options;
  /** The run is being stopped to start again at once with new options. */
  volatile boolean restart;
  /** The file name inside {@link #dir}: from {@code out}, else learnt from the server once known. */
  volatile String fileName;
  volatile Status status = Status.WAITING;
  /** The engine run, while one is going or stopping; {@code null} otherwise. */
  volatile Download run;
  /** The last progress seen: what a paused or stopped download reports. */
  volatile long totalLength = -1;
  volatile long completedLength;
  volatile int errorCode;
  volatile String errorMessage = "";
  /** The bytes held on disk when the last run ended (or the daemon started): what a paused download shows. */
  volatile List<ByteRange> lastWritten = List.of();

  Task(String gid, URI uri, Path dir, TaskOptions options, String fileName) {
    this.gid = gid;
    this.uri = uri;
    this.dir = dir;
    this.options = options;
    this.fileName = fileName;
  }

  /** Progress now: the live run's when it has learnt the length, else the last recorded. */
  Progress progress() {
    Download r = run;
    if (r != null && status == Status.ACTIVE) {
      Progress p = r.progress();
      if (p.totalBytes() >= 0) {
        return p;
      }
    }
    return new Progress(totalLength, completedLength, 0, 0, java.time.Duration.ZERO, fileName);
  }

  /**
   * The written and in-flight ranges now: the live run's once it has learnt the length (as
   * {@link #progress()}), else those held on disk when the last run ended or the daemon started.
   */
  Download.Ranges ranges() {
    Download r = run;
    if (r != null && status == Status.ACTIVE && r.progress().totalBytes() >= 0) {
      return r.ranges();
    }
    return new Download.Ranges(lastWritten, List.of());
  }

  /** Records what the download holds on disk as its last known state (nothing: 0 bytes). */
  void hold(HeldRanges.Held held) {
    if (held.length() >= 0) {
      totalLength = held.length();
    }
    completedLength = held.bytes();
    lastWritten = held.written();
  }

  /** Records a run's progress as the last known state. */
  void record(Progress p) {
    if (p.totalBytes() >= 0) {
      totalLength = p.totalBytes();
      completedLength = p.doneBytes();
    }
    if (fileName == null && p.fileName() != null && !p.fileName().isEmpty()) {
      fileName = p.fileName();
    }
  }

  /** The path of the file, once its name is known. */
  Path path() {
    return fileName == null ? null : dir.resolve(fileName);
  }
}
