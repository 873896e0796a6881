package dev.rget.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the connections open at once. Sits on the listening channel and sees each accepted
 * connection first.
 *
 * <p>At the cap, a connection that has only been waiting for a request head for at least
 * {@link #GRACE_NANOS} (since it was accepted, or idle since its last reply) is worth less than a
 * new one: the new connection is accepted and the connection that has waited longest is closed.
 * So connections that hold a slot without asking for anything (a slow-header flood, idle
 * keep-alive clients) keep new clients out for a second, not until their head deadline; a client
 * sends its head within a round trip of connecting and is then never closed for another. When no
 * connection can make room, the listening channel stops accepting (auto-read off): new
 * connections wait in the kernel's backlog and are accepted as soon as one closes or has waited
 * out its grace. A connection accepted in the same batch beyond the cap, with nothing to close in
 * its place, is closed at once.
 *
 * <p>The decision to pause or resume is taken on the listening channel's event loop only, so the
 * two cannot race.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  /**
   * How long a connection may wait for a request head before a new connection may take its slot
   * at the cap: well above a round trip, so a client is never closed before its head can arrive.
   */
  static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final Fatal fatal;
  /** Connections waiting for a request head and since when, the longest-waiting first. */
  private final Map<Channel, Long> waiting = new LinkedHashMap<>();
  private volatile Channel listener;
  /** A look is scheduled for when a grace ends. Only on the listening channel's event loop. */
  private boolean lookScheduled;

  ConnectionLimiter(int max, Fatal fatal) {
    this.max = max;
    this.fatal = fatal;
  }

  /** Connections open now. */
  int open() {
    return open.get();
  }

  /**
   * {@code ch} now waits for a request head: it may be closed to make room for a new connection.
   * Called on {@code ch}'s event loop when it is accepted and after each reply it keeps alive.
   */
  void waiting(Channel ch) {
    synchronized (waiting) {
      waiting.remove(ch); // to the back of the line
      waiting.put(ch, System.nanoTime());
    }
    Channel l = listener;
    if (l != null && !l.config().isAutoRead()) {
      resumeLater(l); // paused at the cap: this one can make room once its grace is over
    }
  }

  /** {@code ch} has a request to answer: it keeps its slot until it is done. */
  void serving(Channel ch) {
    synchronized (waiting) {
      waiting.remove(ch);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    Channel l = ctx.channel();
    listener = l;
    if (open.incrementAndGet() > max) {
      Channel longest = takeLongestWaiting(System.nanoTime());
      if (longest == null) {
        open.decrementAndGet();
        child.unsafe().closeForcibly(); // not registered yet: no events, just the socket closed
        update(l);
        return;
      }
      longest.close(); // its close counts it down
    }
    child.closeFuture().addListener(f -> {
      serving(child);
      open.decrementAndGet();
      if (l.isOpen()) {
        resumeLater(l);
      }
    });
    update(l);
    ctx.fireChannelRead(child);
  }

  /** Removes and returns the longest-waiting connection past its grace, or null. */
  private Channel takeLongestWaiting(long now) {
    synchronized (waiting) {
      Iterator<Map.Entry<Channel, Long>> it = waiting.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Channel, Long> e = it.next();
        if (!e.getKey().isActive()) {
          it.remove();
          continue;
        }
        if (now - e.getValue() < GRACE_NANOS) {
          return null; // the rest have waited even less
        }
        it.remove();
        return e.getKey();
      }
      return null;
    }
  }

  /**
   * Nanoseconds until some connection could make room: 0 if one can now, -1 if none is waiting.
   */
  private long untilRoom(long now) {
    synchronized (waiting) {
      for (Map.Entry<Channel, Long> e : waiting.entrySet()) {
        if (e.getKey().isActive()) {
          return Math.max(0, e.getValue() + GRACE_NANOS - now);
        }
      }
      return -1;
    }
  }

  private void resumeLater(Channel l) {
    try {
      l.eventLoop().execute(() -> fatal.guard(() -> update(l)));
    } catch (RejectedExecutionException e) {
      // the server is stopping
    }
  }

  /**
   * Accepts while below the cap or while some connection can make room, pauses otherwise (and
   * looks again when the longest-waiting connection's grace ends). On the listening channel's
   * event loop.
   */
  private void update(Channel l) {
    boolean accept = open.get() < max;
    if (!accept) {
      long until = untilRoom(System.nanoTime());
      accept = until == 0;
      if (until > 0 && !lookScheduled) {
        lookScheduled = true;
        l.eventLoop().schedule(() -> fatal.guard(() -> {
          lookScheduled = false;
          update(l);
        }), until, TimeUnit.NANOSECONDS);
      }
    }
    if (l.config().isAutoRead() != accept) {
      l.config().setAutoRead(accept);
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
