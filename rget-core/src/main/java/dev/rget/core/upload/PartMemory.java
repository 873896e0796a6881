package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import java.net.URI;

/**
 * Where a part of a {@link ParallelUpload} keeps its upload URL: in the parent's state file, next
 * to the other parts, so that a run after a crash resumes each part.
 */
interface PartMemory {
  /** The part's remembered upload URL, or null when it has none yet. */
  URI url() throws DownloadException;

  /** The part was created at {@code url} (durably recorded when this returns). */
  void created(URI url) throws DownloadException;
}
