package dev.rget.core.state;

import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import java.net.URI;

/**
 * What the {@code OUT.rget} sidecar file records about a partial download.
 *
 * <p>{@code written} holds the ranges whose bytes were handed to the OS (they survive a killed
 * process); {@code durable} holds the ranges that were also forced to disk before this state was
 * saved (they survive a power cut). A resume in the same boot ({@code bootId} equal) trusts
 * {@code written}; after a reboot it trusts only {@code durable}.
 *
 * @param url the URL the user asked for
 * @param finalUrl where the redirects led
 * @param remote length and validators of the remote version the bytes belong to
 * @param bootId the OS boot in which {@code written} was recorded
 * @param written ranges written to the part file
 * @param durable ranges written and forced to disk; a subset of {@code written}
 */
public record ResumeState(URI url, URI finalUrl, Validators remote, String bootId,
    RangeSet written, RangeSet durable) {

  /** Format version of the sidecar file; bumped on incompatible change. */
  public static final int FORMAT_VERSION = 1;

  /** The ranges a resume may trust, given the current boot id. */
  public RangeSet trusted(String currentBootId) {
    return bootId.equals(currentBootId) && !"unknown".equals(currentBootId)
        ? written.copy() : durable.copy();
  }

  /**
   * The ranges a resume keeps of a part file of {@code partSize} bytes: the trusted ones, cut at
   * the part file's end and at the recorded length (nothing beyond either can be there).
   */
  public RangeSet kept(String currentBootId, long partSize) {
    RangeSet kept = trusted(currentBootId);
    kept.remove(Math.max(0, Math.min(partSize, remote.length())), Long.MAX_VALUE);
    return kept;
  }
}
