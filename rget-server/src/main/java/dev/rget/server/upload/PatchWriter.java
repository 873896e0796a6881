package dev.rget.server.upload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/**
 * The body of one {@code PATCH} (or of a creation-with-upload {@code POST}) being appended to an
 * upload whose lock it holds. The server feeds it the body as it arrives ({@link #write}), then
 * calls exactly one of {@link #finish()} (the whole body arrived) or {@link #abort()} (the
 * connection ended first). Either one releases the lock.
 *
 * <p>Durability: every {@value #FORCE_EVERY} bytes, and at the end, the data is forced to disk and
 * only then is the offset recorded. Without a checksum the bytes of an interrupted body are kept
 * (forced and recorded by {@link #abort()}); with one nothing of the body counts until its digest
 * matched, so a mismatch or an interruption leaves the offset where it was ({@code 460}).
 *
 * <p>Confined to one thread at a time (the server calls it from its upload threads, in order).
 */
public final class PatchWriter {
  /** Bytes between two forced checkpoints of a long body. */
  static final long FORCE_EVERY = 64L << 20;

  private final TusEndpoint endpoint;
  private final UploadStore store;
  private final Upload upload;
  private final FileChannel channel;
  private final long start;
  private final UploadChecksum checksum;
  private final MessageDigest digest;
  private final boolean creation;
  private long written;
  private long unforced;
  private boolean ended;

  PatchWriter(TusEndpoint endpoint, UploadStore store, Upload upload, FileChannel channel, UploadChecksum checksum,
      boolean creation) throws IOException {
    this.endpoint = endpoint;
    this.store = store;
    this.upload = upload;
    this.channel = channel;
    this.start = upload.info().offset();
    this.checksum = checksum;
    this.digest = checksum == null ? null : checksum.newDigest();
    this.creation = creation;
    // Anything past the durable offset (a checksummed body cut off) is not part of the upload.
    channel.truncate(start);
    channel.position(start);
  }

  /** Thrown when a body goes past the upload's declared length. */
  public static final class TooLargeException extends IOException {
    TooLargeException(String why) {
      super(why);
    }
  }

  /** The upload's id (for logs). */
  public String uploadId() {
    return upload.id;
  }

  /**
   * Appends the next bytes of the body.
   *
   * @throws TooLargeException if they would go past the upload's length (nothing of them is written)
   * @throws IOException if the disk write fails
   */
  public void write(ByteBuffer[] buffers) throws IOException {
    long n = 0;
    for (ByteBuffer b : buffers) {
      n += b.remaining();
    }
    if (start + written + n > upload.info().length()) {
      throw new TooLargeException("the body goes past Upload-Length " + upload.info().length());
    }
    if (digest != null) {
      for (ByteBuffer b : buffers) {
        digest.update(b.duplicate());
      }
    }
    long left = n;
    while (left > 0) {
      left -= channel.write(buffers);
    }
    written += n;
    unforced += n;
    if (unforced >= FORCE_EVERY && digest == null) {
      checkpoint();
    }
  }

  /** Bytes of the body written so far. */
  public long written() {
    return written;
  }

  private void checkpoint() throws IOException {
    channel.force(false);
    unforced = 0;
    store.update(upload, upload.info().withOffset(start + written, store.newExpiry()));
  }

  /**
   * The whole body arrived: checks the checksum (460, offset unchanged), forces and records the
   * new offset, completes the upload if it is full, and says what to answer.
   */
  public TusResponse finish() {
    if (!end()) {
      throw new IllegalStateException("finish after the end");
    }
    try {
      if (digest != null && !checksum.matches(digest.digest())) {
        channel.truncate(start);
        return endpoint.response(460).header("Content-Type", "text/plain; charset=utf-8")
            .header("Upload-Offset", start);
      }
      if (written > 0 || creation) {
        channel.force(false);
        store.update(upload, upload.info().withOffset(start + written, store.newExpiry()));
        if (upload.info().offset() == upload.info().length()) {
          store.complete(upload);
        }
      }
      UploadInfo info = upload.info();
      TusResponse r = creation ? endpoint.response(201).header("Location", TusEndpoint.location(upload.id))
          : endpoint.response(204);
      r.header("Upload-Offset", info.offset());
      if (!info.complete()) {
        r.header("Upload-Expires", TusEndpoint.httpDate(info.expiresMillis()));
      }
      return r;
    } catch (IOException e) {
      return TusResponse.error(500, "upload " + upload.id + ": " + e.getMessage());
    } finally {
      release();
    }
  }

  /**
   * The body ended early (the connection closed or stalled, or it was too long): keeps what
   * arrived, forced and recorded, unless a checksum was to cover it.
   *
   * @throws IOException if what arrived could not be made durable (the recorded offset then stays
   *     where it was, which is still true)
   */
  public void abort() throws IOException {
    if (!end()) {
      return;
    }
    try {
      if (digest != null) {
        channel.truncate(start);
      } else if (written > 0) {
        checkpoint();
        if (upload.info().offset() == upload.info().length()) {
          store.complete(upload);
        }
      }
    } finally {
      release();
    }
  }

  private boolean end() {
    if (ended) {
      return false;
    }
    ended = true;
    return true;
  }

  private void release() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a file opened for writing after it was forced loses nothing; report it anyway
      System.err.println("rget serve: upload " + upload.id + ": closing its data file: " + e.getMessage());
    } finally {
      upload.unlock();
    }
  }
}
