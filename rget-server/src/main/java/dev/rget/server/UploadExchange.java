package dev.rget.server;

import dev.rget.server.upload.PatchWriter;
import dev.rget.server.upload.TusEndpoint;
import dev.rget.server.upload.TusResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One request to the upload endpoint on one connection: the only place where the server reads a
 * request body. The endpoint decides on an upload thread; if it takes the body, the body is read
 * with the connection's usual flow control (auto-read off: one read at a time, and no further read
 * while {@link Limits#UPLOAD_QUEUED} bytes wait for the disk) and written in order, one task at a
 * time, on the upload threads. So an uploading connection holds a bounded amount of memory however
 * fast it sends, and a client that stops sending is cut by the idle timeout like any other.
 *
 * <p>A body of known length is read in large pieces ({@link Limits#BODY_READ}, never past its end)
 * with up to {@link Limits#UPLOAD_QUEUED_LARGE} queued, if {@link Limits#UPLOAD_WINDOW} of the
 * shared budget for that is free; otherwise 16 KiB at a time as above. Everything queued when a
 * write finishes goes to the disk in one gathering write, straight from the read buffers.
 *
 * <p>Confined to the connection's event loop, except for the tasks it sends to the upload threads.
 */
final class UploadExchange {
  private final ChannelHandlerContext ctx;
  private final RequestDecoder decoder;
  private final TusEndpoint endpoint;
  private final Executor io;
  private final Fatal fatal;
  /** Sends a reply: the reply, and whether the request body was read to its end. */
  private final BiConsumer<Reply, Boolean> replier;
  /**
   * Told when the whole body arrived and its end is being forced and recorded, with a writer that
   * the next request on the connection may take over from ({@link PatchWriter#mayBeFollowed()}).
   */
  private final Consumer<PatchWriter> followable;
  /** The writer of the previous request on the connection, still being answered, or null. */
  private final PatchWriter previous;
  private final ReadSize readSize;
  private final MemoryBudget uploadReads;
  private final ArrayDeque<Piece> queue = new ArrayDeque<>();
  /** What the queued pieces count for against the queue's bound (see {@link #charge}). */
  private long queued;
  /** The body's length from Content-Length, or -1 (chunked, or none). */
  private long bodyLength = -1;
  /** Body bytes passed on by the decoder so far. */
  private long delivered;
  /** {@link Limits#UPLOAD_WINDOW} is reserved from uploadReads: reads are large. */
  private boolean large;
  private PatchWriter writer;
  private boolean writing;
  private boolean bodyEnded;
  private boolean connectionGone;
  private boolean done;
  private boolean readPaused;
  private boolean interimAllowed;
  /** The client waits for {@code 100 Continue} before it sends the body. */
  private boolean expectsContinue;
  /** The body is being read (the decoder was told to pass it on). */
  private boolean bodyResumed;

  /** A queued piece of the body and what it counts for against the queue's bound. */
  private record Piece(ByteBuf buf, long charge) {}

  /**
   * @param previous the writer of the previous request on the connection if its answer is still
   *     being decided (this request may take over from it), else null
   */
  UploadExchange(ChannelHandlerContext ctx, RequestDecoder decoder, ReadSize readSize, MemoryBudget uploadReads,
      TusEndpoint endpoint, Executor io, Fatal fatal, PatchWriter previous, BiConsumer<Reply, Boolean> replier,
      Consumer<PatchWriter> followable) {
    this.ctx = ctx;
    this.decoder = decoder;
    this.readSize = readSize;
    this.uploadReads = uploadReads;
    this.endpoint = endpoint;
    this.io = io;
    this.fatal = fatal;
    this.previous = previous;
    this.replier = replier;
    this.followable = followable;
  }

  /** Asks the endpoint what to do with {@code req}, on an upload thread. */
  void start(HttpRequest req, List<String> rest) {
    // RFC 9110 section 15.2: no 1xx response to an HTTP/1.0 client
    interimAllowed = !req.protocolVersion().equals(HttpVersion.HTTP_1_0);
    expectsContinue = interimAllowed && HttpUtil.is100ContinueExpected(req);
    if (!HttpUtil.isTransferEncodingChunked(req)) {
      bodyLength = HttpUtil.getContentLength(req, -1L);
    }
    decide(req, rest, previous);
    if (previous != null && !expectsContinue) {
      // A request that may follow the one before it is nearly always taken: its body is read
      // while that is decided (as bounded as ever); if it is refused, what was read is dropped
      // with the connection. Not inline: this is called from within the decoder's delivery.
      ctx.executor().execute(() -> fatal.guard(this::readBodyEarly));
    }
  }

  /** Starts reading the body before the endpoint decided (see {@link #start}), if still undecided. */
  private void readBodyEarly() {
    if (writer != null || done || connectionGone || bodyResumed) {
      return;
    }
    resumeBody();
  }

  /** Has the decoder pass the body on, then asks for reads (large ones if the body is long). */
  private void resumeBody() {
    bodyResumed = true;
    if (bodyEnded) {
      return;
    }
    try {
      decoder.resumeBody();
    } catch (Exception e) {
      ctx.close();
      return;
    }
    if (!bodyEnded) {
      largeReads();
      readOrPause();
    }
  }

  /**
   * Asks the endpoint on an upload thread. A request that cannot take over from the previous one
   * is asked again once that one ended, as if it had come after it.
   */
  private void decide(HttpRequest req, List<String> rest, PatchWriter after) {
    offload(() -> {
      Object decided;
      try {
        decided = endpoint.begin(req, rest, after);
      } catch (RuntimeException e) {
        decided = null; // answered 500
        report("request", e);
      }
      if (decided == TusEndpoint.AFTER_PREVIOUS) {
        after.ended().thenRun(() -> decide(req, rest, null));
        return;
      }
      Object d = decided;
      back(() -> started(d));
    });
  }

  private void started(Object decided) {
    if (decided instanceof PatchWriter w) {
      writer = w;
      if (connectionGone) {
        pump();
        return;
      }
      if (w.interim() != null && interimAllowed) {
        sendInterim(new HttpResponseStatus(w.interim().status(), "Upload Resumption Supported"),
            w.interim().headers());
      }
      if (expectsContinue) {
        // RFC 9110 section 10.1.1: the body is wanted. (A refusal is the final answer instead,
        // and the client never sends the body.) Without this, curl waits a second per request.
        sendInterim(HttpResponseStatus.CONTINUE, List.of());
      }
      if (!bodyResumed) {
        resumeBody();
      }
      pump();
      return;
    }
    done = true;
    releaseQueue();
    releaseLargeReads(); // of reads begun early (start): no writer, so nothing is being written
    reply(decided instanceof TusResponse r ? r : null, false);
  }

  /**
   * Sends an interim ({@code 1xx}) response before the body is read: the draft's {@code 104 Upload
   * Resumption Supported} that tells the client where to resume if this request breaks, or
   * {@code 100 Continue}.
   */
  private void sendInterim(HttpResponseStatus status, Iterable<Map.Entry<String, String>> headers) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    for (Map.Entry<String, String> e : headers) {
      r.headers().add(e.getKey(), e.getValue());
    }
    ctx.writeAndFlush(r).addListener(f -> {
      if (!f.isSuccess()) {
        ctx.close(); // the client is gone: connectionClosed keeps what arrived
      }
    });
  }

  /** A piece of the body arrived (on the event loop). */
  void content(HttpContent c) {
    if (done) {
      return;
    }
    ByteBuf b = c.content();
    if (b.isReadable()) {
      long charge = charge(b);
      queue.add(new Piece(b.retain(), charge));
      queued += charge;
      delivered += b.readableBytes();
    }
    if (c instanceof LastHttpContent) {
      bodyEnded = true;
      readSize.heads(); // what follows is the next request's head
    }
    if (writer == null) {
      return; // the body of a request not yet decided: an empty body that came with the head
    }
    pump(); // the next read is asked for when this one is complete: readComplete
  }

  /**
   * A read from the connection was decoded (on the event loop). While the body is wanted, the next
   * read is asked for here, whatever this one decoded to: a read may hold only chunk framing (a
   * chunk-size line, the CRLF after a chunk's data) and so bring no content at all. Asking only when
   * content arrives would then leave the connection unread for good, since the decoder's own "read
   * again when nothing was decoded" cannot be relied on: what it remembers of having decoded
   * something outlives the pause after the request head and after {@link RequestDecoder#resumeBody()}.
   */
  void readComplete() {
    if ((writer == null && !bodyResumed) || done || bodyEnded || connectionGone) {
      return; // not decided yet (started() asks for the first read), or nothing more to read
    }
    readOrPause();
  }

  /**
   * Switches this connection to large reads for the rest of a body of known length, if the shared
   * budget has room for one more such upload.
   */
  private void largeReads() {
    long left = bodyLength - delivered;
    if (large || left <= Limits.MAX_READ || !uploadReads.tryReserve(Limits.UPLOAD_WINDOW)) {
      return;
    }
    large = true;
    readSize.body(left);
  }

  /**
   * What a queued piece counts for: its bytes while reads are small (it is a slice of a 16 KiB read),
   * a whole large read while they are large, whatever its size: a slice pins its whole buffer.
   */
  private long charge(ByteBuf b) {
    return large ? Math.max(Limits.BODY_READ, b.readableBytes()) : b.readableBytes();
  }

  private long bound() {
    return large ? Limits.UPLOAD_QUEUED_LARGE : Limits.UPLOAD_QUEUED;
  }

  /** Gives back the large reads' reservation: nothing of the body is queued or being written. */
  private void releaseLargeReads() {
    readSize.heads();
    if (large) {
      large = false;
      uploadReads.release(Limits.UPLOAD_WINDOW);
    }
  }

  /** Asks for the next read, or pauses reading while too much waits for the disk (written() resumes). */
  private void readOrPause() {
    if (queued < bound()) {
      ctx.read();
    } else {
      readPaused = true;
    }
  }

  /** The connection closed (or was cut by a timeout): what arrived is kept, then the lock goes. */
  void connectionClosed() {
    connectionGone = true;
    if (writer != null && !writing) {
      pump();
    }
  }

  /** Writes what is queued, or ends the body when nothing is left. */
  private void pump() {
    if (writing || done || writer == null) {
      return;
    }
    if (queue.isEmpty()) {
      if (bodyEnded || connectionGone) {
        end();
      }
      return;
    }
    List<ByteBuffer> buffers = new ArrayList<>();
    List<ByteBuf> held = new ArrayList<>(queue.size());
    long n = 0;
    while (!queue.isEmpty()) {
      Piece p = queue.poll();
      ByteBuf b = p.buf();
      held.add(b);
      n += p.charge();
      for (ByteBuffer nio : b.nioBuffers()) {
        buffers.add(nio);
      }
    }
    long batch = n;
    writing = true;
    PatchWriter w = writer;
    offload(() -> {
      IOException failure = null;
      try {
        w.write(buffers.toArray(new ByteBuffer[0]));
      } catch (IOException e) {
        failure = e;
      } finally {
        held.forEach(ByteBuf::release);
      }
      IOException f = failure;
      back(() -> written(batch, f));
    });
  }

  private void written(long batch, IOException failure) {
    writing = false;
    queued -= batch;
    if (failure != null) {
      fail(failure);
      return;
    }
    if (readPaused && !bodyEnded && !connectionGone && queued < bound()) {
      readPaused = false;
      ctx.read();
    }
    pump();
  }

  /** The body is all here (or the connection is gone): finish or abort on an upload thread. */
  private void end() {
    done = true;
    releaseLargeReads(); // the queue is empty and no write is in flight
    PatchWriter w = writer;
    if (connectionGone || !bodyEnded) {
      afterPrevious(w, () -> {
        try {
          w.abort();
        } catch (IOException e) {
          report("keeping the bytes of an interrupted request", e);
        }
      });
      return;
    }
    w.bodyArrived();
    afterPrevious(w, () -> {
      TusResponse r = w.finish();
      back(() -> reply(r, true));
    });
    if (w.mayBeFollowed()) {
      followable.accept(w); // may decode the next request right here
    }
  }

  /** Runs {@code task} on an upload thread once the writer {@code w} follows (if any) ended. */
  private void afterPrevious(PatchWriter w, Runnable task) {
    CompletableFuture<Void> ready = w.predecessorEnded();
    if (ready.isDone()) {
      offload(task);
    } else {
      ready.thenRun(() -> offload(task));
    }
  }

  /** Writing failed or the body was too long: keep what is valid, answer, close. */
  private void fail(IOException failure) {
    done = true;
    releaseQueue();
    releaseLargeReads(); // called when a write ended: none is in flight
    PatchWriter w = writer;
    boolean tooLarge = failure instanceof PatchWriter.TooLargeException;
    if (!tooLarge) {
      report("writing", failure);
    }
    afterPrevious(w, () -> {
      try {
        w.abort();
      } catch (IOException e) {
        report("keeping the bytes of a failed request", e);
      }
      TusResponse answer = tooLarge ? w.tooLargeResponse() : null;
      back(() -> {
        Reply r;
        if (answer != null) {
          r = toReply(answer);
        } else {
          r = Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR);
          r.headers.set("Tus-Resumable", TusEndpoint.VERSION);
        }
        r.close = true;
        replier.accept(r, false);
      });
    });
  }

  private void reply(TusResponse t, boolean bodyRead) {
    if (connectionGone) {
      return;
    }
    Reply r;
    if (t == null) {
      r = Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR);
      r.close = true;
    } else {
      r = toReply(t);
    }
    replier.accept(r, bodyRead);
  }

  private static Reply toReply(TusResponse t) {
    Reply r = new Reply(HttpResponseStatus.valueOf(t.status()));
    for (Map.Entry<String, String> e : t.headers()) {
      r.headers.add(e.getKey(), e.getValue());
    }
    if (t.body().length > 0) {
      r.body(t.body());
    }
    return r;
  }

  private void releaseQueue() {
    while (!queue.isEmpty()) {
      queue.poll().buf().release();
    }
    queued = 0;
  }

  private void offload(Runnable task) {
    try {
      io.execute(() -> fatal.guard(task));
    } catch (RejectedExecutionException e) {
      ctx.close(); // the server is stopping
    }
  }

  private void back(Runnable task) {
    try {
      ctx.executor().execute(() -> fatal.guard(task));
    } catch (RejectedExecutionException e) {
      // the server is stopping: the connection goes with it
    }
  }

  private void report(String what, Exception e) {
    String id = writer == null ? "" : " " + writer.uploadId();
    System.err.println("rget serve: upload" + id + ": " + what + ": " + e);
  }
}
