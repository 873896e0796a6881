package dev.rget.server;

import dev.rget.core.http.HostCheck;
import dev.rget.core.range.ByteRange;
import dev.rget.server.upload.PatchWriter;
import dev.rget.server.upload.TusEndpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FileRegion;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One per connection: takes decoded requests one at a time, sends each reply, then asks for the
 * next. The channel runs with auto-read off and the {@link RequestDecoder} pauses after each
 * request head, so a client that does not read its replies (or pipelines requests faster than it
 * reads) stops being read from: per connection the server holds one request, one reply in flight
 * and at most one read of raw input. Request bodies are never used; a request that has one gets
 * its reply and then the connection is closed.
 *
 * <p>On the event loop it only checks the request (decoding, version, Host, method, path,
 * dotfiles); finding and opening the file (blocking calls) is done by {@link FileResponder} on a
 * file-system thread, and the reply comes back to the event loop to be sent.
 *
 * <p>One exception to one request at a time: while the end of a tus {@code PATCH} body is forced
 * and recorded (milliseconds of disk flushes), the next request is read, and if it is the next
 * {@code PATCH} of the same upload it starts at once, taking the upload over from the one before
 * (see {@link dev.rget.server.upload.PatchWriter}), so a client that pipelines its {@code PATCH}es
 * is never left waiting for the disk. Any other request read meanwhile waits until the answer is
 * out. Replies still go in request order, and still one at a time.
 *
 * <p>Deadlines: the request head must be complete within {@code headTimeout}, counted from the
 * connection's acceptance for the first request and from the first byte of each later one (408,
 * then close; a connection that sent nothing is just closed). Between requests and while sending,
 * the idle timeout applies (no read and no write progress).
 */
final class FileRequestHandler extends ChannelInboundHandlerAdapter {
  static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
  static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
  /** The first path segment of the upload endpoint. */
  static final String UPLOADS = "uploads";

  private final FileResponder responder;
  private final Executor fileSystem;
  private final RequestDecoder decoder;
  private final HostCheck hostCheck;
  private final ServedTree tree;
  private final AccessLog accessLog;
  private final long ratePerConnection;
  private final long headTimeoutNanos;
  private final Fatal fatal;
  /** The upload endpoint, or null when the server takes no uploads. */
  private final TusEndpoint uploads;
  private final Executor uploadIo;
  private final ConnectionLimiter limiter;
  /** This connection's read size: large while an upload body is read. */
  private final ReadSize readSize;
  /** Direct memory for the large reads of upload bodies, shared by all connections. */
  private final MemoryBudget uploadReads;
  /** The upload request being answered on this connection, if any. */
  private UploadExchange upload;
  /**
   * An upload request whose body arrived and whose answer is still being decided, while the next
   * request is read (it may follow it: see {@link #readAhead}), or null.
   */
  private UploadExchange answering;
  /** The writer of {@link #answering}, which the next request may take over from. */
  private PatchWriter answeringWriter;
  /** The target of {@link #answering}: only a {@code PATCH} of the same target may follow it. */
  private String answeringTarget;
  /** The decoder was resumed for the request after {@link #answering} (reads may be asked for). */
  private boolean aheadResumed;
  /** A request read while {@link #answering} was decided that does not follow it: handled after. */
  private HttpRequest held;
  /** Replies decided while an earlier one had still to go out, in the order they are to be sent. */
  private final ArrayDeque<Runnable> readyReplies = new ArrayDeque<>(2);
  /** A reply is being written. */
  private boolean sending;
  private boolean busy;
  private boolean draining;
  private ScheduledFuture<?> headDeadline;
  private boolean headBytesSeen;
  private Reply inFlight;
  private PacedBody paced;
  private String remote = "-";

  FileRequestHandler(FileResponder responder, Executor fileSystem, RequestDecoder decoder,
      HostCheck hostCheck, ServedTree tree, AccessLog accessLog, long ratePerConnection,
      long headTimeoutNanos, Fatal fatal, TusEndpoint uploads, Executor uploadIo,
      ConnectionLimiter limiter, ReadSize readSize, MemoryBudget uploadReads) {
    this.responder = responder;
    this.fileSystem = fileSystem;
    this.decoder = decoder;
    this.hostCheck = hostCheck;
    this.tree = tree;
    this.accessLog = accessLog;
    this.ratePerConnection = ratePerConnection;
    this.headTimeoutNanos = headTimeoutNanos;
    this.fatal = fatal;
    this.uploads = uploads;
    this.uploadIo = uploadIo;
    this.limiter = limiter;
    this.readSize = readSize;
    this.uploadReads = uploadReads;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    SocketAddress a = ctx.channel().remoteAddress();
    remote = a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort() : String.valueOf(a);
    armHeadDeadline(ctx); // the first request's head is due within headTimeout of the accept
    limiter.waiting(ctx.channel());
    ctx.read();
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (upload != null && msg instanceof HttpContent c && !draining) {
        upload.content(c); // an upload body: the one kind of body the server reads
        return;
      }
      if (draining || !(msg instanceof HttpRequest req) || !ctx.channel().isActive()) {
        return; // request bodies, anything after a closing reply, a head cut off by the close
      }
      disarmHeadDeadline();
      if (readingAhead()) {
        if (follows(req)) {
          handle(ctx, req); // the next PATCH of the upload: it starts now
        } else {
          held = req; // handled once the answer before it is out
        }
        return;
      }
      handle(ctx, req);
    } catch (Error e) {
      fatal.report(e);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!busy) {
      ctx.read(); // a partial request, or draining: keep reading
    } else if (upload != null) {
      upload.readComplete(); // an upload body: the exchange decides whether to read on
    } else if (readingAhead() && aheadResumed) {
      ctx.read(); // the next request's head, read while the previous answer is decided
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (paced != null && ctx.channel().isWritable()) {
      paced.pump();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == RequestDecoder.HEAD_STARTED) {
      headBytesSeen = true;
      if ((!busy || readingAhead()) && headDeadline == null) {
        armHeadDeadline(ctx);
      }
      return;
    }
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarmHeadDeadline();
    if (paced != null) {
      paced.abort();
    }
    if (answering != null) {
      answering.connectionClosed(); // its answer is no longer sent
    }
    if (upload != null) {
      upload.connectionClosed(); // what arrived of its body is kept
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Error e) {
      fatal.report(e); // the server stops: see Fatal
    }
    ctx.close(); // resets and broken pipes are routine
  }

  private void armHeadDeadline(ChannelHandlerContext ctx) {
    headDeadline = ctx.executor().schedule(() -> fatal.guard(() -> headTimedOut(ctx)),
        headTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void disarmHeadDeadline() {
    if (headDeadline != null) {
      headDeadline.cancel(false);
      headDeadline = null;
    }
  }

  /** The head did not arrive in time: 408 if some of it did, else just close. */
  private void headTimedOut(ChannelHandlerContext ctx) {
    headDeadline = null;
    if (readingAhead() && !draining) {
      ctx.close(); // no 408 can go before the answer being decided: the slow head just ends here
      return;
    }
    if (busy || draining || !ctx.channel().isActive()) {
      return;
    }
    if (!headBytesSeen) {
      ctx.close();
      return;
    }
    busy = true;
    Reply reply = Reply.error(HttpResponseStatus.REQUEST_TIMEOUT);
    send(ctx, new Exchange(remote, "-", "-", null), reply, false, false, HttpVersion.HTTP_1_1);
  }

  private void handle(ChannelHandlerContext ctx, HttpRequest req) {
    busy = true;
    limiter.serving(ctx.channel());
    headBytesSeen = false;
    DecoderResult decoded = req.decoderResult();
    Exchange ex = new Exchange(remote, req.method().name(), req.uri(),
        req.headers().get(HttpHeaderNames.RANGE));
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    boolean head = decoded.isSuccess() && req.method().name().equals("HEAD");
    Reply reply;
    RequestPath path = null;
    if (decoded.isFailure()) {
      reply = Reply.error(statusFor(decoded.cause()));
      reply.close = true;
    } else {
      Object checked = screen(req);
      if (checked instanceof Reply r) {
        reply = r;
      } else {
        path = (RequestPath) checked;
        reply = null;
      }
    }
    if (reply == null && path.segments().size() > 0 && uploads != null
        && path.segments().get(0).equals(UPLOADS)) {
      startUpload(ctx, req, ex, path, keepAlive);
      return;
    }
    if (reply == null) {
      // Finding and opening the file may block (a slow disk, a FIFO swapped in at the last
      // moment): done on a file-system thread; the reply comes back here to be sent.
      RequestPath target = path;
      try {
        fileSystem.execute(() -> fatal.guard(() -> {
          Reply r;
          try {
            r = responder.respond(req, target);
          } catch (RuntimeException e) {
            r = Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR);
            r.close = true;
          }
          Reply done = r;
          try {
            ctx.executor().execute(() -> fatal.guard(() -> deliver(ctx, ex, done, req, head, keepAlive)));
          } catch (RejectedExecutionException e) {
            done.release(); // the server is stopping
          }
        }));
      } catch (RejectedExecutionException e) {
        Reply r = Reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE);
        r.close = true;
        send(ctx, ex, r, head, false, req.protocolVersion());
      }
      return;
    }
    if (!reply.close && hasBody(req)) {
      reply.close = true; // the body is never read: the connection cannot be reused
    }
    send(ctx, ex, reply, head, keepAlive && !reply.close, req.protocolVersion());
  }

  /**
   * Hands a request under {@code /uploads/} to the upload endpoint; its reply comes back here. The
   * connection is reused only if the request's body was read to its end.
   */
  private void startUpload(ChannelHandlerContext ctx, HttpRequest req, Exchange ex, RequestPath path,
      boolean keepAlive) {
    boolean head = req.method().name().equals("HEAD");
    PatchWriter previous = answering != null ? answeringWriter : null;
    UploadExchange[] self = new UploadExchange[1];
    self[0] = new UploadExchange(ctx, decoder, readSize, uploadReads, uploads, uploadIo, fatal, previous,
        (reply, bodyRead) -> {
          if (upload == self[0]) {
            upload = null;
          }
          Runnable out = () -> {
            if (!ctx.channel().isActive()) {
              reply.release();
              return;
            }
            if (!bodyRead && hasBody(req)) {
              reply.close = true; // the body was not read: the connection cannot be reused
            }
            send(ctx, ex, reply, head, keepAlive && !reply.close, req.protocolVersion());
          };
          if (answering == self[0]) {
            answering = null;
            answeringWriter = null;
            readyReplies.addFirst(out); // it goes before the reply of the request that followed it
          } else {
            readyReplies.addLast(out);
          }
          sendReadyReply();
        },
        w -> readAhead(ctx, self[0], w, req, keepAlive));
    upload = self[0];
    decoder.bodyWanted();
    upload.start(req, path.segments().subList(1, path.segments().size()));
  }

  /**
   * Sends the next reply decided, unless one is being written or an earlier one is still being
   * decided.
   */
  private void sendReadyReply() {
    if (!sending && answering == null && !readyReplies.isEmpty()) {
      readyReplies.poll().run();
    }
  }

  /**
   * The body of {@code x}, a tus {@code PATCH}, arrived and its end is being forced and recorded:
   * reads the next request meanwhile, if nothing else is pending on the connection. A request
   * that follows it ({@link #follows}) starts at once; any other waits ({@link #held}).
   */
  private void readAhead(ChannelHandlerContext ctx, UploadExchange x, PatchWriter w, HttpRequest req,
      boolean keepAlive) {
    if (x != upload || answering != null || sending || !readyReplies.isEmpty() || draining
        || !keepAlive || !req.protocolVersion().equals(HttpVersion.HTTP_1_1) || !ctx.channel().isActive()) {
      return;
    }
    upload = null;
    answering = x;
    answeringWriter = w;
    answeringTarget = req.uri();
    aheadResumed = false;
    // Not inline: this may be called from within the decoder's own delivery of the body's end.
    ctx.executor().execute(() -> fatal.guard(() -> {
      if (!readingAhead() || !ctx.channel().isActive()) {
        return;
      }
      aheadResumed = true;
      try {
        decoder.resume(); // may handle a buffered request right here
      } catch (Exception e) {
        ctx.close();
        return;
      }
      if (readingAhead()) {
        ctx.read();
      }
    }));
  }

  /** Whether the next request's head is being read while {@link #answering} is decided. */
  private boolean readingAhead() {
    return answering != null && upload == null && held == null;
  }

  /**
   * Whether {@code req}, read while {@link #answering} is decided, may start before that answer is
   * out: a well-formed HTTP/1.1 {@code PATCH} of the same target that the upload endpoint takes
   * (nothing the handler would answer itself, which would put its reply first).
   */
  private boolean follows(HttpRequest req) {
    return req.decoderResult().isSuccess() && req.method().name().equals("PATCH")
        && req.protocolVersion().equals(HttpVersion.HTTP_1_1) && req.uri().equals(answeringTarget)
        && screen(req) instanceof RequestPath;
  }

  /** Sends what the file-system thread decided, unless the connection went away meanwhile. */
  private void deliver(ChannelHandlerContext ctx, Exchange ex, Reply reply, HttpRequest req, boolean head,
      boolean keepAlive) {
    if (!ctx.channel().isActive()) {
      reply.release();
      return;
    }
    if (hasBody(req)) {
      reply.close = true;
    }
    send(ctx, ex, reply, head, keepAlive && !reply.close, req.protocolVersion());
  }

  /**
   * The checks that need no file system, on the event loop: a {@link Reply} when the request is
   * answered without looking for a file, else the parsed {@link RequestPath}.
   */
  private Object screen(HttpRequest req) {
    if (req.protocolVersion().majorVersion() != 1) {
      return closing(Reply.error(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED));
    }
    List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (hosts.isEmpty() && req.protocolVersion().minorVersion() >= 1)) {
      return closing(Reply.error(HttpResponseStatus.BAD_REQUEST)); // RFC 9112 section 3.2
    }
    String authority = absoluteFormAuthority(req.uri());
    if (authority == null && !hosts.isEmpty()) {
      authority = hosts.get(0);
    }
    switch (hostCheck.check(authority)) {
      case BAD_REQUEST:
        return closing(Reply.error(HttpResponseStatus.BAD_REQUEST));
      case MISDIRECTED:
        return closing(Reply.error(HttpResponseStatus.MISDIRECTED_REQUEST));
      case OK:
      default:
        break;
    }
    String method = req.method().name();
    if (uploads != null && isUploadTarget(req.uri())) {
      try {
        return RequestPath.parse(req.uri()); // any method: the upload endpoint answers it
      } catch (RequestPath.BadPathException e) {
        return closing(Reply.error(HttpResponseStatus.BAD_REQUEST));
      }
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      Reply r = Reply.error(HttpResponseStatus.METHOD_NOT_ALLOWED);
      r.headers.set(HttpHeaderNames.ALLOW, FileResponder.ALLOW);
      return r;
    }
    RequestPath path;
    try {
      path = RequestPath.parse(req.uri());
    } catch (RequestPath.BadPathException e) {
      return closing(Reply.error(HttpResponseStatus.BAD_REQUEST));
    }
    for (String segment : path.segments()) {
      if (!tree.visible(segment)) {
        return Reply.error(HttpResponseStatus.NOT_FOUND); // a dotfile: as if it did not exist
      }
    }
    return path;
  }

  /** Whether the target's path is {@code /uploads} or under it. */
  private static boolean isUploadTarget(String target) {
    try {
      List<String> segments = RequestPath.parse(target).segments();
      return !segments.isEmpty() && segments.get(0).equals(UPLOADS);
    } catch (RequestPath.BadPathException e) {
      return false;
    }
  }

  private static Reply closing(Reply r) {
    r.close = true;
    return r;
  }

  /** The authority of an absolute-form target ({@code http://host:port/path}), else null. */
  static String absoluteFormAuthority(String target) {
    int scheme = target.indexOf("://");
    if (scheme <= 0 || target.charAt(0) == '/') {
      return null;
    }
    int start = scheme + 3;
    int end = start;
    while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
      end++;
    }
    return target.substring(start, end);
  }

  private void send(ChannelHandlerContext ctx, Exchange ex, Reply reply, boolean head, boolean keepAlive,
      HttpVersion requestVersion) {
    ex.status = reply.status.code();
    sending = true;
    inFlight = reply;
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, reply.status, reply.headers);
    long length = reply.bodyLength();
    boolean notModified = reply.status.equals(HttpResponseStatus.NOT_MODIFIED);
    // RFC 9110 section 8.6: no Content-Length in a 204
    if (!notModified && !reply.status.equals(HttpResponseStatus.NO_CONTENT)) {
      reply.headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
    }
    reply.headers.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    if (!keepAlive) {
      reply.headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (requestVersion.equals(HttpVersion.HTTP_1_0)) {
      reply.headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ctx.write(res, ctx.voidPromise());

    if (head || notModified || length == 0) {
      reply.releaseFile();
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(f -> finish(ctx, ex, f.isSuccess(), keepAlive));
      return;
    }
    if (ratePerConnection > 0) {
      paced = new PacedBody(ctx, reply, ratePerConnection, ex, ok -> {
        paced = null;
        finish(ctx, ex, ok, keepAlive);
      });
      paced.start();
      return;
    }
    for (Object piece : reply.body) {
      if (piece instanceof byte[] bytes) {
        ctx.write(Unpooled.wrappedBuffer(bytes)).addListener(f -> {
          if (f.isSuccess()) {
            ex.bodyBytes += bytes.length;
          }
        });
      } else {
        ByteRange r = (ByteRange) piece;
        FileRegion region = reply.file.region(r.first(), r.length());
        ctx.write(region).addListener(f -> ex.bodyBytes += region.transferred());
      }
    }
    reply.releaseFile(); // the regions hold the file now
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(f -> finish(ctx, ex, f.isSuccess(), keepAlive));
  }

  /** The reply is out (or failed): log it, then go on with the next request or close. */
  private void finish(ChannelHandlerContext ctx, Exchange ex, boolean ok, boolean keepAlive) {
    sending = false;
    if (inFlight != null) {
      inFlight.release();
      inFlight = null;
    }
    if (accessLog != null) {
      accessLog.log(ex.toEntry());
    }
    if (!ok) {
      ctx.close();
      return;
    }
    if (!keepAlive) {
      lingeringClose(ctx);
      return;
    }
    if (!readyReplies.isEmpty() || answering != null) {
      sendReadyReply(); // the reply of a request that followed the one just answered
      return;
    }
    if (upload != null) {
      return; // a request that followed the one just answered is still being read
    }
    if (held != null) {
      HttpRequest next = held;
      held = null;
      // Not inline, as in next(): the write may have completed inside this very call stack.
      ctx.executor().execute(() -> fatal.guard(() -> {
        if (ctx.channel().isActive() && !draining) {
          handle(ctx, next);
        }
      }));
      return;
    }
    busy = false;
    limiter.waiting(ctx.channel());
    // Not inline: the write may have completed inside this very call stack, and a client with
    // many requests buffered would otherwise nest one reply inside the other.
    ctx.executor().execute(() -> fatal.guard(() -> next(ctx)));
  }

  /** Decodes the next request if it is already buffered, else reads for it. */
  private void next(ChannelHandlerContext ctx) {
    if (busy || !ctx.channel().isActive()) {
      return;
    }
    try {
      decoder.resume(); // may handle a buffered request right here
    } catch (Exception e) {
      ctx.close();
      return;
    }
    if (!busy) {
      ctx.read();
    }
  }

  /**
   * Closes after a final reply without losing it: shuts down output (the client sees the end of
   * the reply), then reads and discards what the client still sends until it closes or
   * {@link Limits#LINGER} passes. Closing with unread input would make the kernel send a reset,
   * which can destroy the reply before the client reads it (e.g. after a 431). The decoder is
   * removed first, so nothing read meanwhile is buffered or parsed.
   */
  private void lingeringClose(ChannelHandlerContext ctx) {
    draining = true;
    busy = false;
    Channel ch = ctx.channel();
    if (!(ch instanceof DuplexChannel duplex) || !ch.isActive()) {
      ctx.close();
      return;
    }
    if (ctx.pipeline().get(RequestDecoder.class) != null) {
      ctx.pipeline().remove(RequestDecoder.class);
    }
    duplex.shutdownOutput().addListener(f -> {
      if (!f.isSuccess()) {
        ctx.close();
      }
    });
    ctx.read();
    ctx.executor().schedule(() -> {
      ctx.close();
    }, Limits.LINGER.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  /** Whether the request announces a body (anything but a plain {@code Content-Length: 0}). */
  private static boolean hasBody(HttpRequest req) {
    if (req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return true;
    }
    String length = req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    return length != null && !length.trim().equals("0");
  }
}
