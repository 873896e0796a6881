package dev.rget.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running rget file server: serves one directory over HTTP/1.1 with GET and HEAD, byte ranges
 * (single and {@code multipart/byteranges}), conditional requests and directory listings. File
 * bodies are sent zero-copy ({@code sendfile}) unless a rate limit is set. Uses native epoll when
 * available, NIO otherwise.
 *
 * <pre>{@code
 * try (FileServer server = FileServer.start(ServerConfig.builder().root(dir).port(0).build())) {
 *   URI base = server.uri(); // http://127.0.0.1:PORT/
 * }
 * }</pre>
 *
 * <p>Thread-safe. Network threads are daemon threads; {@link #close()} stops them.
 */
public final class FileServer implements AutoCloseable {
  /** Longest request line accepted (414 beyond). */
  static final int MAX_REQUEST_LINE = 8 * 1024;
  /** Largest header section accepted (431 beyond). */
  static final int MAX_HEADER_SIZE = 16 * 1024;

  private final ServerConfig config;
  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ChannelGroup channels;
  private final AccessLog accessLog;
  private final boolean epoll;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);

  private FileServer(ServerConfig config, EventLoopGroup group, Channel serverChannel,
      ChannelGroup channels, AccessLog accessLog, boolean epoll) {
    this.config = config;
    this.group = group;
    this.serverChannel = serverChannel;
    this.channels = channels;
    this.accessLog = accessLog;
    this.epoll = epoll;
  }

  /**
   * Starts serving and returns once the port is bound.
   *
   * @throws NotDirectoryException if the root is missing or not a directory
   * @throws BindException if the address cannot be bound (port in use, address not local)
   * @throws UnknownHostException if the bind address does not resolve
   * @throws IOException if the root cannot be resolved
   */
  public static FileServer start(ServerConfig config) throws IOException {
    Path root = config.root();
    if (!Files.isDirectory(root)) {
      throw new NotDirectoryException(root.toString());
    }
    Path realRoot = root.toRealPath();
    InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(config.bind()), config.port());

    boolean epoll = config.nativeTransport() && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> serverType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(
        Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("rget-server", true), io);
    ChannelGroup channels = new DefaultChannelGroup("rget-server", GlobalEventExecutor.INSTANCE);
    AccessLog accessLog = config.accessLog() ? new AccessLog(config.accessLogSink()) : null;
    FileResponder responder = new FileResponder(realRoot);
    long idleNanos = config.idleTimeout().toNanos();
    long rate = config.limitRatePerConnection();

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(serverType)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            ChannelPipeline p = ch.pipeline();
            p.addLast("idle", new IdleStateHandler(true, 0, 0, idleNanos, TimeUnit.NANOSECONDS));
            p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(16 * 1024)));
            p.addLast("files", new FileRequestHandler(responder, accessLog, rate));
          }
        });

    ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
      if (accessLog != null) {
        accessLog.close();
      }
      Throwable cause = bound.cause();
      BindException e = new BindException("cannot listen on " + hostPort(address) + ": "
          + (cause == null ? "unknown error" : reason(cause)));
      e.initCause(cause);
      throw e;
    }
    return new FileServer(config, group, bound.channel(), channels, accessLog, epoll);
  }

  /** The port listened on (the actual one when {@code 0} was asked for). */
  public int port() {
    return address().getPort();
  }

  /** The socket address listened on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** {@code http://HOST:PORT/}, the base URI of the served directory. */
  public URI uri() {
    return URI.create("http://" + hostPort(address()) + "/");
  }

  /** The configuration this server runs with. */
  public ServerConfig config() {
    return config;
  }

  /** {@code "epoll"} or {@code "nio"}: the transport in use. */
  public String transport() {
    return epoll ? "epoll" : "nio";
  }

  /** Blocks until {@link #close()} has finished (from any thread). */
  public void awaitClose() throws InterruptedException {
    terminated.await();
  }

  /**
   * Stops listening, closes every connection (transfers in progress are cut off), stops the network
   * threads and flushes the access log. Idempotent; returns when done.
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
      serverChannel.close().awaitUninterruptibly();
      channels.close().awaitUninterruptibly();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      if (accessLog != null) {
        accessLog.close();
      }
    } finally {
      terminated.countDown();
    }
  }

  @Override
  public String toString() {
    return "FileServer[" + uri() + ", root=" + config.root() + ", " + transport() + "]";
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      int zone = host.indexOf('%');
      host = "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]";
    }
    return host + ":" + a.getPort();
  }

  private static String reason(Throwable t) {
    String m = t.getMessage();
    if (m == null) {
      return t.getClass().getSimpleName();
    }
    int colon = m.lastIndexOf(": ");
    // epoll says "bind(..) failed: Address already in use"; keep the errno text.
    return m.startsWith("bind(") && colon >= 0 ? m.substring(colon + 2) : m;
  }
}
