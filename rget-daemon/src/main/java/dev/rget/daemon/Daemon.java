package dev.rget.daemon;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A running rget daemon: a download queue driven over aria2's JSON-RPC interface, on HTTP
 * ({@code POST /jsonrpc}) and WebSocket ({@code /jsonrpc}, with notifications), plus a web page at
 * {@code /}. The unfinished and failed downloads are kept in a session file: a daemon started
 * again with the same configuration (after a crash or {@code kill -9} too) has them back under the
 * same GIDs, and each resumes from rget's state file.
 *
 * <pre>{@code
 * try (Daemon d = Daemon.start(DaemonConfig.defaults(dir).withPort(0), System.err::println)) {
 *   URI rpc = URI.create("http://127.0.0.1:" + d.port() + "/jsonrpc");
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Daemon implements AutoCloseable {
  private final DownloadQueue queue;
  private final SessionKeeper keeper;
  private final EventLoopGroup group;
  private final Channel server;
  private final ChannelGroup channels;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);

  private Daemon(DownloadQueue queue, SessionKeeper keeper, EventLoopGroup group,
      Channel server, ChannelGroup channels) {
    this.queue = queue;
    this.keeper = keeper;
    this.group = group;
    this.server = server;
    this.channels = channels;
  }

  /**
   * Loads the session, starts its downloads and listens.
   *
   * @param log receives one-line notices (download failures, session file trouble)
   * @throws IOException if the directory cannot be created, the session file cannot be trusted or
   *     read, or the port cannot be bound ({@link BindException})
   */
  public static Daemon start(DaemonConfig config, Consumer<String> log) throws IOException {
    Files.createDirectories(config.dir());
    SessionFile sessionFile = new SessionFile(config.session());
    sessionFile.prepareDirectory(config.session().equals(DaemonConfig.defaultSession(config.dir())));
    List<SessionFile.Entry> saved = sessionFile.load();

    ChannelGroup sockets = new DefaultChannelGroup("rget-daemon-ws", GlobalEventExecutor.INSTANCE);
    DownloadQueue.Events events = (method, gid) -> notify(sockets, method, gid);
    SessionKeeper[] keeperRef = new SessionKeeper[1];
    DownloadQueue queue = new DownloadQueue(config.dir(), config.maxActive(), config.perHost(), events,
        () -> {
          if (keeperRef[0] != null) {
            keeperRef[0].changed();
          }
        }, log);
    SessionKeeper keeper = new SessionKeeper(queue, sessionFile, log);
    keeperRef[0] = keeper;

    InetAddress bind = config.listenAll() ? InetAddress.getByName("0.0.0.0") : InetAddress.getLoopbackAddress();
    boolean loopbackOnly = !config.listenAll();
    Daemon[] self = new Daemon[1];
    Aria2Rpc rpc = new Aria2Rpc(queue, config.secret(), new Aria2Rpc.Host() {
      @Override
      public String saveSession() {
        return keeper.saveNow();
      }

      @Override
      public void shutdown() {
        Thread t = new Thread(() -> self[0].close(), "rget-daemon-shutdown");
        t.setDaemon(false);
        t.start();
      }

      @Override
      public Map<String, Object> globalOptions() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", config.dir().toString());
        m.put("max-concurrent-downloads", Integer.toString(config.maxActive()));
        m.put("rpc-listen-port", Integer.toString(config.port()));
        m.put("rpc-listen-all", Boolean.toString(config.listenAll()));
        m.put("save-session", config.session().toString());
        return m;
      }
    });

    AtomicInteger open = new AtomicInteger();
    ChannelGroup channels = new DefaultChannelGroup("rget-daemon", GlobalEventExecutor.INSTANCE);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rget-daemon-rpc", true),
        NioIoHandler.newFactory());
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // Connection cap: one more is closed at once, before it costs a buffer.
            if (open.incrementAndGet() > config.maxConnections()) {
              open.decrementAndGet();
              ch.close();
              return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            channels.add(ch);
            ChannelPipeline p = ch.pipeline();
            p.addLast("http", new HttpServerCodec(4096, 8192, 8192));
            p.addLast("aggregator", new HttpObjectAggregator(RpcHandler.MAX_BODY));
            p.addLast("rpc", new RpcHandler(rpc, loopbackOnly, config.secret() != null, sockets));
          }
        });
    ChannelFuture bound = b.bind(new InetSocketAddress(bind, config.port())).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
      BindException e = new BindException("cannot listen on port " + config.port() + ": "
          + (bound.cause() == null ? "unknown error" : bound.cause().getMessage()));
      e.initCause(bound.cause());
      throw e;
    }
    Daemon d = new Daemon(queue, keeper, group, bound.channel(), channels);
    self[0] = d;
    for (SessionFile.Entry e : saved) {
      try {
        queue.restore(e);
      } catch (RpcException ex) {
        log.accept("session download #" + e.gid() + " not restored: " + ex.getMessage());
      }
    }
    keeper.start();
    return d;
  }

  private static void notify(ChannelGroup sockets, String method, String gid) {
    if (sockets.isEmpty()) {
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jsonrpc", "2.0");
    m.put("method", method);
    m.put("params", List.of(Map.of("gid", gid)));
    sockets.writeAndFlush(new TextWebSocketFrame(Json.write(m)));
  }

  /** The RPC port (the actual one when 0 was asked for). */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Blocks until {@link #close()} (or {@code aria2.shutdown}) has stopped the daemon. */
  public void awaitClose() throws InterruptedException {
    terminated.await();
  }

  /**
   * Stops listening, stops every download (keeping its data and state), saves the session and
   * returns. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      try {
        terminated.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      queue.close();
      keeper.close();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    } finally {
      terminated.countDown();
    }
  }
}
