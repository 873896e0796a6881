package dev.rget.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Immutable settings of a {@link FileServer}. Build one with {@link #builder()}:
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.builder()
 *     .root(dir)                      // required: the directory to serve
 *     .bind("127.0.0.1")              // default 127.0.0.1
 *     .port(0)                        // default 8080; 0 picks a free port
 *     .limitRatePerConnection(2 << 20) // bytes/s per connection; default 0 = unlimited (zero-copy)
 *     .accessLog(false)               // default true: one line per request to stdout
 *     .build();
 * }</pre>
 */
public final class ServerConfig {
  private final Path root;
  private final String bind;
  private final int port;
  private final long limitRatePerConnection;
  private final boolean accessLog;
  private final Consumer<String> accessLogSink;
  private final Duration idleTimeout;
  private final boolean nativeTransport;

  private ServerConfig(Builder b) {
    this.root = Objects.requireNonNull(b.root, "root is required");
    this.bind = b.bind;
    this.port = b.port;
    this.limitRatePerConnection = b.limitRatePerConnection;
    this.accessLog = b.accessLog;
    this.accessLogSink = b.accessLogSink;
    this.idleTimeout = b.idleTimeout;
    this.nativeTransport = b.nativeTransport;
  }

  /** A builder with the defaults described on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** The directory served. Nothing outside it (after resolving symlinks) is ever served. */
  public Path root() {
    return root;
  }

  /** The address to listen on, a host name or literal. */
  public String bind() {
    return bind;
  }

  /** The port asked for; {@code 0} means any free port (see {@link FileServer#port()}). */
  public int port() {
    return port;
  }

  /** Body bytes per second per connection; {@code 0} means unlimited. */
  public long limitRatePerConnection() {
    return limitRatePerConnection;
  }

  /** Whether one line per request is written to the access log. */
  public boolean accessLog() {
    return accessLog;
  }

  /**
   * Where access-log lines go, or {@code null} for standard output. Called from one dedicated
   * thread, never from a network thread.
   */
  public Consumer<String> accessLogSink() {
    return accessLogSink;
  }

  /** How long a connection may see no read and no write progress before it is closed. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Whether native epoll is used where available (otherwise, and as fallback, NIO). */
  public boolean nativeTransport() {
    return nativeTransport;
  }

  @Override
  public String toString() {
    return "ServerConfig[root=" + root + ", bind=" + bind + ", port=" + port
        + ", limitRatePerConnection=" + limitRatePerConnection + ", accessLog=" + accessLog
        + ", idleTimeout=" + idleTimeout + ", nativeTransport=" + nativeTransport + "]";
  }

  /** Builds a {@link ServerConfig}. Not thread-safe. */
  public static final class Builder {
    private Path root;
    private String bind = "127.0.0.1";
    private int port = 8080;
    private long limitRatePerConnection;
    private boolean accessLog = true;
    private Consumer<String> accessLogSink;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private boolean nativeTransport = true;

    private Builder() {}

    /** The directory to serve (required). It must exist when the server starts. */
    public Builder root(Path root) {
      this.root = Objects.requireNonNull(root, "root");
      return this;
    }

    /** The address to listen on; default {@code 127.0.0.1} (use {@code 0.0.0.0} for all). */
    public Builder bind(String bind) {
      this.bind = Objects.requireNonNull(bind, "bind");
      return this;
    }

    /** The port, {@code 0..65535}; default 8080; {@code 0} picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Throttles response bodies to this many bytes per second per connection (like nginx
     * {@code limit_rate}); default {@code 0}, unlimited, which sends file bodies zero-copy.
     */
    public Builder limitRatePerConnection(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException("negative rate: " + bytesPerSecond);
      }
      this.limitRatePerConnection = bytesPerSecond;
      return this;
    }

    /** Whether to write one access-log line per request; default {@code true}. */
    public Builder accessLog(boolean enabled) {
      this.accessLog = enabled;
      return this;
    }

    /**
     * Sends access-log lines (without line terminator) to {@code sink} instead of standard output;
     * it is called from one dedicated thread. Implies nothing about {@link #accessLog(boolean)}.
     */
    public Builder accessLogSink(Consumer<String> sink) {
      this.accessLogSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** Closes connections idle (no read, no write progress) this long; default 60 s. */
    public Builder idleTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("idle timeout must be positive: " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /** Whether to use native epoll when available; default {@code true}. NIO otherwise. */
    public Builder nativeTransport(boolean enabled) {
      this.nativeTransport = enabled;
      return this;
    }

    /** The configuration. */
    public ServerConfig build() {
      return new ServerConfig(this);
    }
  }
}
