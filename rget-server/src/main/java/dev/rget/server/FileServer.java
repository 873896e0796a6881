package dev.rget.server;

import dev.rget.core.http.HostCheck;
import dev.rget.server.upload.TusEndpoint;
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
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A running rget file server: serves one directory over HTTP/1.1 with GET and HEAD, byte ranges
 * (single and {@code multipart/byteranges}), conditional requests and directory listings. File
 * bodies are sent zero-copy ({@code sendfile}) unless a rate limit is set. Uses native epoll when
 * available, NIO otherwise.
 *
 * <p>Bounded: every request head has a deadline, header count and size are limited, connections
 * are capped ({@link ServerConfig#maxConnections()}, sized to the heap by default) and what each
 * one can make the server hold is bounded ({@link Limits}). Files are found and opened on a few
 * file-system threads, never on an event loop. If an {@link Error} reaches a server thread the
 * server stops ({@link #failure()} says why): see {@link Fatal}.
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
  /** The directory served (for {@link #toString()}). */
  private final Path root;
  private final EventLoopGroup acceptor;
  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ChannelGroup channels;
  private final ExecutorService fileSystem;
  private final ExecutorService uploadIo;
  /** The upload endpoint (it holds its directory's lock until closed), or null. */
  private final TusEndpoint uploads;
  private final AccessLog accessLog;
  private final ConnectionLimiter limiter;
  private final Fatal fatal;
  private final boolean epoll;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile Thread guard;

  private FileServer(Path root, EventLoopGroup acceptor, EventLoopGroup group, Channel serverChannel,
      ChannelGroup channels, ExecutorService fileSystem, ExecutorService uploadIo, TusEndpoint uploads,
      AccessLog accessLog, ConnectionLimiter limiter, Fatal fatal, boolean epoll) {
    this.root = root;
    this.acceptor = acceptor;
    this.group = group;
    this.serverChannel = serverChannel;
    this.channels = channels;
    this.fileSystem = fileSystem;
    this.uploadIo = uploadIo;
    this.uploads = uploads;
    this.accessLog = accessLog;
    this.limiter = limiter;
    this.fatal = fatal;
    this.epoll = epoll;
  }

  /**
   * Starts serving and returns once the port is bound.
   *
   * @throws NotDirectoryException if the root is missing or not a directory
   * @throws BindException if the address cannot be bound (port in use, address not local)
   * @throws UnknownHostException if the bind address does not resolve
   * @throws IOException if the root cannot be opened, or the platform cannot open files relative
   *     to a directory handle
   */
  public static FileServer start(ServerConfig config) throws IOException {
    return start(config, ch -> { });
  }

  /** As {@link #start(ServerConfig)}; {@code tweak} sees each new connection (tests inject faults). */
  static FileServer start(ServerConfig config, Consumer<SocketChannel> tweak) throws IOException {
    Path root = config.root();
    if (!Files.isDirectory(root)) {
      throw new NotDirectoryException(root.toString());
    }
    ServedTree tree = new ServedTree(root, config.dotfiles());
    tree.checkSupported();
    // Opened before anything starts: a bad upload directory (a link planted as its hidden
    // directory) stops the server from starting.
    TusEndpoint uploads = config.uploads().isPresent()
        ? TusEndpoint.open(config.uploads().get(), config.uploadClock()) : null;
    try {
      return start(config, tweak, tree, uploads);
    } catch (IOException | RuntimeException | Error e) {
      if (uploads != null) {
        try {
          uploads.close(); // it did not start: the upload directory is free again
        } catch (IOException c) {
          e.addSuppressed(c);
        }
      }
      throw e;
    }
  }

  private static FileServer start(ServerConfig config, Consumer<SocketChannel> tweak, ServedTree tree,
      TusEndpoint uploads) throws IOException {
    Path root = config.root();
    InetAddress bindAddress = InetAddress.getByName(config.bind());
    InetSocketAddress address = new InetSocketAddress(bindAddress, config.port());

    boolean epoll = config.nativeTransport() && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> serverType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    Fatal fatal = new Fatal();
    // Accepting has a thread of its own: whatever happens to a connection's thread, the listening
    // socket can still be closed, and the connection cap is decided in one place.
    EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rget-server-accept", true), io);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(
        Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("rget-server", true), io);
    int fsThreads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    ExecutorService fileSystem = new ThreadPoolExecutor(fsThreads, fsThreads, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(config.maxConnections() + 16), new DefaultThreadFactory("rget-server-fs", true));
    // Upload bodies are written on threads of their own, so a slow disk under uploads does not
    // delay finding and opening the files that are served.
    ExecutorService uploadIo = uploads == null ? null : new ThreadPoolExecutor(fsThreads, fsThreads, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), new DefaultThreadFactory("rget-server-upload", true));
    ChannelGroup channels = new DefaultChannelGroup("rget-server", GlobalEventExecutor.INSTANCE);
    AccessLog accessLog = config.accessLog() ? new AccessLog(config.accessLogSink(), fatal) : null;
    long maxDirect = PlatformDependent.maxDirectMemory();
    MemoryBudget uploadReads = new MemoryBudget(
        Limits.uploadReadBudget(maxDirect > 0 ? maxDirect : Runtime.getRuntime().maxMemory()));
    MemoryBudget listings = new MemoryBudget(Limits.listingBudget(Runtime.getRuntime().maxMemory()));
    FileResponder responder = new FileResponder(tree, listings);
    HostCheck hostCheck = HostCheck.forBind(bindAddress, config.allowedHosts());
    ConnectionLimiter limiter = new ConnectionLimiter(config.maxConnections(), fatal);
    long idleNanos = config.idleTimeout().toNanos();
    long headNanos = config.headTimeout().toNanos();
    long rate = config.limitRatePerConnection();

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, group)
        .channel(serverType)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .handler(limiter)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(Limits.WRITE_LOW_WATER, Limits.WRITE_HIGH_WATER))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            ChannelPipeline p = ch.pipeline();
            RequestDecoder decoder = new RequestDecoder();
            // One read of at most MAX_READ bytes per read request (unparsed input never piles up),
            // larger only inside an upload body: a read size of its own per connection.
            ReadSize readSize = new ReadSize();
            ch.config().setRecvByteBufAllocator(readSize);
            p.addLast("idle", new IdleStateHandler(true, 0, 0, idleNanos, TimeUnit.NANOSECONDS));
            p.addLast("decoder", decoder);
            p.addLast("encoder", new HttpResponseEncoder());
            p.addLast("files", new FileRequestHandler(responder, fileSystem, decoder, hostCheck, tree,
                accessLog, rate, headNanos, fatal, uploads, uploadIo, limiter, readSize, uploadReads));
            tweak.accept(ch);
          }
        });

    ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
      fileSystem.shutdownNow();
      if (uploadIo != null) {
        uploadIo.shutdownNow();
      }
      if (accessLog != null) {
        accessLog.close();
      }
      Throwable cause = bound.cause();
      BindException e = new BindException("cannot listen on " + hostPort(address) + ": "
          + (cause == null ? "unknown error" : reason(cause)));
      e.initCause(cause);
      throw e;
    }
    FileServer server = new FileServer(root, acceptor, group, bound.channel(), channels, fileSystem, uploadIo,
        uploads, accessLog, limiter, fatal, epoll);
    if (uploads != null) {
      long every = Limits.UPLOAD_SWEEP.toNanos();
      acceptor.next().scheduleAtFixedRate(() -> uploadIo.execute(() -> fatal.guard(() -> sweep(uploads))),
          0, every, TimeUnit.NANOSECONDS);
    }
    server.watch();
    return server;
  }

  /**
   * Stops the server when an Error is reported or an event loop ends on its own: a dedicated
   * thread, started now (creating a thread after an OutOfMemoryError may itself fail), waits for
   * either and closes the server.
   */
  private void watch() {
    List<EventExecutor> loops = new ArrayList<>();
    acceptor.forEach(loops::add);
    group.forEach(loops::add);
    for (EventExecutor loop : loops) {
      loop.terminationFuture().addListener(f -> {
        if (!closed.get()) {
          fatal.report(f.cause() != null ? f.cause()
              : new IllegalStateException("network thread of " + loop + " ended unexpectedly"));
        }
      });
    }
    Thread t = new Thread(() -> {
      try {
        fatal.await();
      } catch (InterruptedException e) {
        return; // closed normally
      }
      close();
    }, "rget-server-guard");
    t.setDaemon(true);
    guard = t;
    t.start();
  }

  /** Tests only: one sweep of expired uploads now, as the periodic one does; returns how many went. */
  int sweepUploads() throws IOException {
    return uploads.sweep();
  }

  /** Removes expired uploads; a failure is reported and the next sweep tries again. */
  private static void sweep(TusEndpoint uploads) {
    try {
      uploads.sweep();
    } catch (IOException | RuntimeException e) {
      System.err.println("rget serve: sweeping expired uploads: " + e);
    }
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

  /** {@code "epoll"} or {@code "nio"}: the transport in use. */
  public String transport() {
    return epoll ? "epoll" : "nio";
  }

  /** Connections open now. */
  public int openConnections() {
    return limiter.open();
  }

  /**
   * The {@link Error} that stopped the server (an OutOfMemoryError, a network thread that died),
   * if that is why it stopped; empty while it runs and after a plain {@link #close()}.
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(fatal.failure());
  }

  /** Blocks until the server has stopped: {@link #close()}, or an Error ({@link #failure()}). */
  public void awaitClose() throws InterruptedException {
    terminated.await();
  }

  /**
   * Stops listening, closes every connection (transfers in progress are cut off), stops the network
   * and file-system threads and flushes the access log. Idempotent; returns when done. Bounded in
   * time even when a network thread has died.
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
      ChannelFuture listening = serverChannel.close();
      if ((!listening.awaitUninterruptibly(2, TimeUnit.SECONDS) || !listening.isSuccess())
          && serverChannel instanceof EpollServerSocketChannel e) {
        e.fd().close(); // its thread is gone: close the socket from here
      }
      closeConnections();
      acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      acceptor.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
      fileSystem.shutdownNow();
      if (uploadIo != null) {
        // Let writers finish what they were given: the bytes of cut-off uploads are kept.
        uploadIo.shutdown();
        uploadIo.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (uploads != null) {
        uploads.close(); // another server may take the upload directory now
      }
      if (accessLog != null) {
        accessLog.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // stopping anyway: what could not be closed goes with the process
    } finally {
      terminated.countDown();
      Thread t = guard;
      if (t != null && t != Thread.currentThread()) {
        t.interrupt();
      }
    }
  }

  /** Closes every connection; those whose network thread died are closed here, on their socket. */
  private void closeConnections() {
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel c : channels) {
      if (!c.eventLoop().isShuttingDown()) {
        closing.add(c.close());
      } else if (c instanceof EpollSocketChannel e) {
        try {
          e.fd().close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (ChannelFuture f : closing) {
      f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public String toString() {
    return "FileServer[" + uri() + ", root=" + root + ", " + transport() + "]";
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
