package dev.rget.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the connections open at once. Sits on the listening channel and sees each accepted
 * connection first: at the cap the listening channel stops accepting (auto-read off), so new
 * connections wait in the kernel's backlog rather than being refused, and it starts again as soon
 * as one closes. A connection accepted in the same batch beyond the cap is closed at once. The
 * decision to pause or resume is taken on the listening channel's event loop only, so the two
 * cannot race.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final Fatal fatal;

  ConnectionLimiter(int max, Fatal fatal) {
    this.max = max;
    this.fatal = fatal;
  }

  /** Connections open now. */
  int open() {
    return open.get();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      child.unsafe().closeForcibly(); // not registered yet: no events, just the socket closed
      update(ctx.channel());
      return;
    }
    Channel listener = ctx.channel();
    child.closeFuture().addListener(f -> {
      open.decrementAndGet();
      if (listener.isOpen()) {
        try {
          listener.eventLoop().execute(() -> fatal.guard(() -> update(listener)));
        } catch (RejectedExecutionException e) {
          // the server is stopping
        }
      }
    });
    update(listener);
    ctx.fireChannelRead(child);
  }

  /** Accepts while below the cap, pauses at it. On the listening channel's event loop. */
  private void update(Channel listener) {
    boolean below = open.get() < max;
    if (listener.config().isAutoRead() != below) {
      listener.config().setAutoRead(below);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Error e) {
      fatal.report(e);
    }
    ctx.fireExceptionCaught(cause);
  }
}
