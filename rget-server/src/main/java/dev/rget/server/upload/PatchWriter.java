package dev.rget.server.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The body of one request appending to an upload whose lock it holds (a tus {@code PATCH} or
 * creation-with-upload {@code POST}, a draft {@code PATCH} or creating {@code POST}). The server
 * sends {@link #interim()} if there is one, feeds it the body as it arrives ({@link #write}), then
 * calls exactly one of {@link #finish()} (the whole body arrived) or {@link #abort()} (the
 * connection ended first). Either one releases the lock.
 *
 * <p>Durability: every {@value #FORCE_EVERY} bytes, and at the end, the data is forced to disk and
 * only then is the offset recorded. Without a body digest the bytes of an interrupted body are
 * kept (forced and recorded by {@link #abort()}); with one nothing of the body counts until its
 * digest matched, so a mismatch or an interruption leaves the offset where it was.
 *
 * <p>Write-back: every {@value #WRITE_BACK_EVERY} bytes a force of the data starts on the store's
 * write-back thread ({@link UploadStore#writeBack()}; at most one at a time per body), so the disk
 * writes while the rest of the body arrives and the force that must precede the answer has little
 * left to do. Such a force records nothing; its failure fails the body at the next write or at the
 * end.
 *
 * <p>Overlap: a tus {@code PATCH} that does not end the upload may be followed, on its
 * connection, by the next one while its own end is still being forced and recorded. The next
 * writer ({@link #PatchWriter(PatchWriter, FileChannel, BodyDigest)}) takes the lock over
 * ({@link #handOver()}) and writes at the offset this one ends at, but decides nothing (no
 * checkpoint, no finish, no abort) before this one has let go ({@link #ended()}); if this one did
 * not end where it was to, the next one's bytes are cut off and it is answered 409.
 *
 * <p>What is answered is the protocol's business: an {@link Answer} says it.
 *
 * <p>Confined to one thread at a time (the server calls it from its upload threads, in order).
 */
public final class PatchWriter {
  /** Bytes between two forced checkpoints of a long body. */
  static final long FORCE_EVERY = 64L << 20;
  /** Bytes written between two background forces. */
  static final long WRITE_BACK_EVERY = 2L << 20;

  /** The protocol's answers to the ways a body can end. */
  interface Answer {
    /** The body was appended (and the upload completed if it was to be). */
    TusResponse appended(Upload u);

    /** The body's digest did not match: nothing of it counts. */
    TusResponse digestMismatch(Upload u);

    /** The request said it completes the upload, but the data does not make the declared length. */
    TusResponse inconsistentLength(Upload u);

    /** The body went past the upload's length or the largest size taken. */
    TusResponse tooLarge(Upload u);

    /**
     * The body followed another one on its connection that did not end where it was to (its
     * digest failed, or writing it did): the upload is not at this body's offset.
     */
    default TusResponse conflict(Upload u) {
      throw new IllegalStateException("only a tus PATCH is followed before its answer");
    }

    /**
     * Called when the upload is about to complete (data forced, offset recorded): null to go on,
     * or the response to send instead (the upload is then not completed).
     */
    default TusResponse beforeComplete(Upload u) throws IOException {
      return null;
    }

    /** Called once the lock was let go, after either end. */
    default void released(Upload u) {}
  }

  /** How the upload completes at the end of this body. */
  enum Completion {
    /** tus: when the offset reaches a known length. */
    AT_LENGTH,
    /** draft, {@code Upload-Complete: ?0}: not by this request. */
    NOT_YET,
    /** draft, {@code Upload-Complete: ?1}: when this body was fully processed. */
    AT_END
  }

  private final UploadStore store;
  private final Upload upload;
  private final FileChannel channel;
  private final long start;
  private final long limit;
  private final BodyDigest check;
  private final MessageDigest digest;
  private final Completion completion;
  private final boolean recordEmpty;
  private final Answer answer;
  private final TusResponse interim;
  /**
   * Completes once the writer whose lock this one took over let go (the future, not the writer,
   * so that a long run of followed bodies is not a chain of writers), or null.
   */
  private final CompletableFuture<Void> predecessor;
  /** Whether the next request on the connection may take over before this one ends (tus PATCH). */
  private final boolean followable;
  /** Completed once this writer let go of the upload (or handed it over). */
  private final CompletableFuture<Void> letGo = new CompletableFuture<>();
  /** Where the next writer starts, once the whole body arrived and may be followed; else -1. */
  private volatile long followAt = -1;
  /** Guarded by this: let go of (released), taken over by the next writer (handedOver). */
  private boolean released;
  private boolean handedOver;
  /** Whether the predecessor ended at {@link #start} (known once it ended; null before). */
  private Boolean predecessorHeld;
  private long written;
  private long unforced;
  private long sinceWriteBack;
  /** The background force in progress or done but not yet looked at, or null. */
  private CompletableFuture<Void> writeBack;
  private int writeBacksStarted;
  private boolean ended;

  /**
   * @param limit the offset the body may not go past (the length, or the largest size taken)
   * @param recordEmpty whether an empty body still saves the record (a creation)
   * @param interim an interim response to send before reading the body, or null
   */
  PatchWriter(UploadStore store, Upload upload, FileChannel channel, BodyDigest check, long limit,
      Completion completion, boolean recordEmpty, Answer answer, TusResponse interim) throws IOException {
    this(store, upload, channel, check, limit, completion, recordEmpty, answer, interim, false);
  }

  /**
   * @param followable whether the next request on the connection may take over before this body's
   *     end is forced and recorded (a tus {@code PATCH})
   */
  PatchWriter(UploadStore store, Upload upload, FileChannel channel, BodyDigest check, long limit,
      Completion completion, boolean recordEmpty, Answer answer, TusResponse interim, boolean followable)
      throws IOException {
    this.store = store;
    this.upload = upload;
    this.channel = channel;
    this.start = upload.info().offset();
    this.limit = limit;
    this.check = check;
    this.digest = check == null ? null : check.newDigest();
    this.completion = completion;
    this.recordEmpty = recordEmpty;
    this.answer = answer;
    this.interim = interim;
    this.predecessor = null;
    this.followable = followable;
    // Anything past the durable offset (a checked body cut off) is not part of the upload.
    channel.truncate(start);
    channel.position(start);
  }

  /**
   * The writer of the next tus {@code PATCH} on a connection, which took the lock over from
   * {@code before} ({@link #handOver()}) and writes where that body ends, in its own channel on the
   * same data file. Nothing is cut: the bytes before are the predecessor's.
   */
  PatchWriter(PatchWriter before, FileChannel channel, BodyDigest check) throws IOException {
    this.store = before.store;
    this.upload = before.upload;
    this.channel = channel;
    this.start = before.followAt;
    this.limit = before.limit;
    this.check = check;
    this.digest = check == null ? null : check.newDigest();
    this.completion = before.completion;
    this.recordEmpty = false;
    this.answer = before.answer;
    this.interim = null;
    this.predecessor = before.letGo;
    this.followable = true;
    if (start < 0) {
      throw new IllegalStateException("following a body that may not be followed");
    }
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

  /** The interim ({@code 1xx}) response to send before the body is read, or null. */
  public TusResponse interim() {
    return interim;
  }

  /** What to answer when the body went past the limit (after {@link #abort()} kept the rest). */
  public TusResponse tooLargeResponse() {
    return answer.tooLarge(upload);
  }

  /**
   * Appends the next bytes of the body.
   *
   * @throws TooLargeException if they would go past the limit (nothing of them is written)
   * @throws IOException if the disk write fails
   */
  public void write(ByteBuffer[] buffers) throws IOException {
    long n = 0;
    for (ByteBuffer b : buffers) {
      n += b.remaining();
    }
    if (start + written + n > limit) {
      throw new TooLargeException("the body goes past " + limit + " bytes");
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
    sinceWriteBack += n;
    if (unforced >= FORCE_EVERY && digest == null && predecessorHeldNow()) {
      checkpoint();
    } else if (sinceWriteBack >= WRITE_BACK_EVERY && !writeBackRunning()) {
      startWriteBack();
    }
  }

  /** Whether a background force is still running (one that ended is settled here). */
  private boolean writeBackRunning() throws IOException {
    if (writeBack != null && !writeBack.isDone()) {
      return true;
    }
    settleWriteBack();
    return false;
  }

  private void startWriteBack() {
    sinceWriteBack = 0;
    writeBacksStarted++;
    writeBack = CompletableFuture.runAsync(() -> {
      try {
        channel.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, store.writeBack());
  }

  /** Waits for the background force, if any: its failure is this body's. */
  private void settleWriteBack() throws IOException {
    CompletableFuture<Void> f = writeBack;
    writeBack = null;
    if (f == null) {
      return;
    }
    try {
      f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw new IOException("forcing the data in the background: " + u.getCause().getMessage(), u.getCause());
      }
      throw e;
    }
  }

  /** How many background forces this body started. */
  int writeBacksStarted() {
    return writeBacksStarted;
  }

  /** Bytes of the body written so far. */
  public long written() {
    return written;
  }

  /**
   * The whole body arrived (call before {@link #finish()} is started): from now on the next
   * request on the connection may take over ({@link #mayBeFollowed()}), if this is a tus
   * {@code PATCH} that does not reach the upload's length.
   */
  public void bodyArrived() {
    long end = start + written;
    if (followable && completion == Completion.AT_LENGTH && end < limit) {
      followAt = end;
    }
  }

  /** Whether the next request on the connection may take this writer's lock over. */
  public boolean mayBeFollowed() {
    return followAt >= 0;
  }

  /**
   * Whether a body of {@code length} bytes for {@code u} at {@code offset} may follow this one:
   * same upload, starting where this body ends, within the limit.
   */
  boolean follows(Upload u, long offset, long length) {
    long at = followAt;
    return u == upload && at >= 0 && offset == at && length <= limit - at;
  }

  /**
   * Hands the lock over to the next writer, unless this one already let go of it (then the next
   * request takes its turn as any other would).
   */
  synchronized boolean handOver() {
    if (released || followAt < 0) {
      return false;
    }
    handedOver = true;
    return true;
  }

  /** Completes once this writer let go of the upload: its answer is decided. */
  public CompletableFuture<Void> ended() {
    return letGo;
  }

  /**
   * Completes when this writer may decide how its body ends: at once, or once the writer it
   * follows ended.
   */
  public CompletableFuture<Void> predecessorEnded() {
    return predecessor == null ? CompletableFuture.completedFuture(null) : predecessor;
  }

  /** Whether the body this one follows (if any) ended where this one starts; false while unknown. */
  private boolean predecessorHeldNow() {
    if (predecessor == null) {
      return true;
    }
    if (predecessorHeld == null) {
      if (!predecessor.isDone()) {
        return false;
      }
      predecessorHeld = !upload.gone() && upload.info().offset() == start;
    }
    return predecessorHeld;
  }

  /**
   * After the body this one follows failed: its bytes (and this one's) go, back to the durable
   * offset.
   */
  private void cutToDurable() throws IOException {
    if (!upload.gone()) {
      channel.truncate(upload.info().offset());
    }
  }

  private void checkpoint() throws IOException {
    settleWriteBack();
    channel.force(false);
    unforced = 0;
    store.update(upload, upload.info().withOffset(start + written, store.newExpiry()));
  }

  /**
   * The whole body arrived: checks its digest (offset unchanged on a mismatch), forces and records
   * the new offset, completes the upload if it is to be, and says what to answer.
   */
  public TusResponse finish() {
    if (!end()) {
      throw new IllegalStateException("finish after the end");
    }
    try {
      settleWriteBack();
      if (!predecessorEnded().isDone()) {
        throw new IllegalStateException("finish before the body followed ended");
      }
      if (!predecessorHeldNow()) {
        cutToDurable();
        return answer.conflict(upload);
      }
      if (digest != null && !check.matches(digest.digest())) {
        channel.truncate(start);
        return answer.digestMismatch(upload);
      }
      UploadInfo before = upload.info();
      // An empty body still counts when it creates, completes (draft), or ends a tus upload whose
      // length it just made known at the current offset.
      boolean lengthReached = completion == Completion.AT_LENGTH && before.lengthKnown() && start == before.length();
      if (written > 0 || recordEmpty || completion == Completion.AT_END || lengthReached) {
        channel.force(false);
        long end = start + written;
        UploadInfo info = upload.info().withOffset(end, store.newExpiry());
        if (completion == Completion.AT_END && !info.lengthKnown()) {
          info = info.withLength(end); // the draft: a completing request's end is the length
        }
        store.update(upload, info);
        boolean complete = switch (completion) {
          case AT_LENGTH -> info.lengthKnown() && end == info.length();
          case AT_END -> true;
          case NOT_YET -> false;
        };
        if (completion == Completion.AT_END && end != info.length()) {
          return answer.inconsistentLength(upload);
        }
        if (complete) {
          TusResponse refused = answer.beforeComplete(upload);
          if (refused != null) {
            return refused;
          }
          store.complete(upload);
        }
      }
      return answer.appended(upload);
    } catch (IOException e) {
      return TusResponse.error(500, "500 Internal Server Error: upload " + upload.id + ": " + e.getMessage());
    } finally {
      release();
    }
  }

  /**
   * The body ended early (the connection closed or stalled, or it was too long): keeps what
   * arrived, forced and recorded, unless a digest was to cover it. Only a tus upload completes
   * here (its length reached); a draft upload is never complete after an interruption.
   *
   * @throws IOException if what arrived could not be made durable (the recorded offset then stays
   *     where it was, which is still true)
   */
  public void abort() throws IOException {
    if (!end()) {
      return;
    }
    try {
      settleWriteBack();
      if (!predecessorEnded().isDone()) {
        throw new IllegalStateException("abort before the body followed ended");
      }
      if (!predecessorHeldNow()) {
        cutToDurable();
      } else if (digest != null) {
        channel.truncate(start);
      } else if (written > 0) {
        checkpoint();
        UploadInfo info = upload.info();
        if (completion == Completion.AT_LENGTH && info.lengthKnown() && info.offset() == info.length()) {
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
    boolean keep;
    synchronized (this) {
      released = true;
      keep = handedOver;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // closing a file opened for writing after it was forced loses nothing; report it anyway
      System.err.println("rget serve: upload " + upload.id + ": closing its data file: " + e.getMessage());
    } finally {
      try {
        if (!keep) {
          upload.unlock();
        }
        answer.released(upload);
      } finally {
        letGo.complete(null);
      }
    }
  }
}
