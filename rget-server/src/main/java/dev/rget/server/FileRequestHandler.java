package dev.rget.server;

import dev.rget.core.range.ByteRange;
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
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One per connection: takes decoded requests one at a time, sends each reply, then asks for the
 * next. The channel runs with auto-read off, so a client that does not read its replies (or
 * pipelines requests faster than it reads) stops being read from: per connection the server holds
 * one reply in flight and at most {@link #MAX_PIPELINED} decoded requests. Request bodies are never
 * used; a request that has one gets its reply and then the connection is closed.
 */
final class FileRequestHandler extends ChannelInboundHandlerAdapter {
  /** Requests decoded but not yet answered; more than this and the connection is closed. */
  static final int MAX_PIPELINED = 16;
  /** After a reply that ends the connection, how long to drain what the client still sends. */
  static final long LINGER_SECONDS = 2;

  private final FileResponder responder;
  private final AccessLog accessLog;
  private final long ratePerConnection;
  private final ArrayDeque<HttpRequest> pending = new ArrayDeque<>();
  private boolean busy;
  private boolean draining;
  private PacedBody paced;
  private String remote = "-";

  FileRequestHandler(FileResponder responder, AccessLog accessLog, long ratePerConnection) {
    this.responder = responder;
    this.accessLog = accessLog;
    this.ratePerConnection = ratePerConnection;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    SocketAddress a = ctx.channel().remoteAddress();
    remote = a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort() : String.valueOf(a);
    ctx.read();
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (draining || !(msg instanceof HttpRequest req)) {
        return; // request bodies and anything after a closing reply are discarded
      }
      if (busy || !pending.isEmpty()) {
        if (pending.size() >= MAX_PIPELINED) {
          ctx.close();
          return;
        }
        pending.add(req);
        return;
      }
      handle(ctx, req);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!busy) {
      ctx.read(); // a partial request, or draining: keep reading
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
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (paced != null) {
      paced.abort();
    }
    pending.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // resets and broken pipes are routine; nothing else is expected here
  }

  private void handle(ChannelHandlerContext ctx, HttpRequest req) {
    busy = true;
    DecoderResult decoded = req.decoderResult();
    Exchange ex = new Exchange(remote, req.method().name(), req.uri(),
        req.headers().get(HttpHeaderNames.RANGE));
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    Reply reply;
    if (decoded.isFailure()) {
      reply = Reply.error(statusFor(decoded.cause()));
      reply.close = true;
    } else if (req.protocolVersion().majorVersion() != 1) {
      reply = Reply.error(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED);
      reply.close = true;
    } else if (req.protocolVersion().minorVersion() >= 1 && !req.headers().contains(HttpHeaderNames.HOST)) {
      reply = Reply.error(HttpResponseStatus.BAD_REQUEST); // RFC 9112 section 3.2
      reply.close = true;
    } else {
      try {
        reply = responder.respond(req);
      } catch (RuntimeException e) {
        reply = Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR);
        reply.close = true;
      }
      if (hasBody(req)) {
        reply.close = true;
      }
    }
    boolean head = !decoded.isFailure() && req.method().name().equals("HEAD");
    send(ctx, ex, reply, head, keepAlive && !reply.close, req.protocolVersion());
  }

  private void send(ChannelHandlerContext ctx, Exchange ex, Reply reply, boolean head, boolean keepAlive,
      HttpVersion requestVersion) {
    ex.status = reply.status.code();
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, reply.status, reply.headers);
    long length = reply.bodyLength();
    boolean notModified = reply.status.equals(HttpResponseStatus.NOT_MODIFIED);
    if (!notModified) {
      reply.headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
    }
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
    HttpRequest next = pending.poll();
    if (next != null) {
      ctx.executor().execute(() -> {
        if (ctx.channel().isActive()) {
          handle(ctx, next);
        }
      });
      return;
    }
    busy = false;
    ctx.read();
  }

  /**
   * Closes after a final reply without losing it: shuts down output (the client sees the end of
   * the reply), then reads and discards what the client still sends until it closes or
   * {@link #LINGER_SECONDS} pass. Closing with unread input would make the kernel send a reset,
   * which can destroy the reply before the client reads it (e.g. after a 431).
   */
  private void lingeringClose(ChannelHandlerContext ctx) {
    draining = true;
    busy = false;
    pending.clear();
    Channel ch = ctx.channel();
    if (!(ch instanceof DuplexChannel duplex) || !ch.isActive()) {
      ctx.close();
      return;
    }
    duplex.shutdownOutput().addListener(f -> {
      if (!f.isSuccess()) {
        ctx.close();
      }
    });
    ctx.read();
    ctx.executor().schedule(() -> {
      ctx.close();
    }, LINGER_SECONDS, TimeUnit.SECONDS);
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

  private static boolean hasBody(HttpRequest req) {
    return HttpUtil.isTransferEncodingChunked(req)
        || (req.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && HttpUtil.getContentLength(req, 0L) > 0);
  }
}
