package dev.rget.server;

import dev.rget.server.upload.UploadSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 *     .maxConnections(500)            // default: sized to the heap (Limits)
 *     .dotfiles(false)                // default false: names starting with '.' are 404 and unlisted
 *     .allowHost("myhost.local")      // extra Host names accepted on a loopback bind
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
  private final Duration headTimeout;
  private final boolean nativeTransport;
  private final int maxConnections;
  private final boolean dotfiles;
  private final Set<String> allowedHosts;
  private final UploadSettings uploads;
  private final Clock uploadClock;

  private ServerConfig(Builder b) {
    this.root = Objects.requireNonNull(b.root, "root is required");
    this.bind = b.bind;
    this.port = b.port;
    this.limitRatePerConnection = b.limitRatePerConnection;
    this.accessLog = b.accessLog;
    this.accessLogSink = b.accessLogSink;
    this.idleTimeout = b.idleTimeout;
    this.headTimeout = b.headTimeout;
    this.nativeTransport = b.nativeTransport;
    this.maxConnections = b.maxConnections > 0 ? b.maxConnections
        : Limits.defaultMaxConnections(b.limitRatePerConnection > 0);
    this.dotfiles = b.dotfiles;
    this.allowedHosts = Set.copyOf(b.allowedHosts);
    this.uploads = b.uploadDir == null ? null
        : new UploadSettings(b.uploadDir, b.uploadMaxSize, b.uploadToken, b.uploadExpiry);
    this.uploadClock = b.uploadClock;
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

  /**
   * How long a client may take to send a whole request head, counted from the connection's
   * acceptance for its first request and from the first byte of each later one; then it gets 408
   * and the connection is closed (a connection that sent nothing is just closed).
   */
  public Duration headTimeout() {
    return headTimeout;
  }

  /** Whether native epoll is used where available (otherwise, and as fallback, NIO). */
  public boolean nativeTransport() {
    return nativeTransport;
  }

  /**
   * The most connections open at once. At the cap the server stops accepting (new connections
   * wait in the kernel's backlog) until one closes.
   */
  public int maxConnections() {
    return maxConnections;
  }

  /** Whether names starting with {@code .} are served and listed (default: neither). */
  public boolean dotfiles() {
    return dotfiles;
  }

  /** The upload endpoint's settings, if {@code /uploads/} accepts uploads. */
  public Optional<UploadSettings> uploads() {
    return Optional.ofNullable(uploads);
  }

  /** The clock that upload expiry is read from: the system's, or a test's. */
  Clock uploadClock() {
    return uploadClock;
  }

  /**
   * Host names (lower case) accepted on a loopback bind besides {@code localhost} and loopback
   * addresses; requests naming any other host get 421. Not used on other binds.
   */
  public Set<String> allowedHosts() {
    return allowedHosts;
  }

  @Override
  public String toString() {
    return "ServerConfig[root=" + root + ", bind=" + bind + ", port=" + port
        + ", limitRatePerConnection=" + limitRatePerConnection + ", accessLog=" + accessLog
        + ", idleTimeout=" + idleTimeout + ", headTimeout=" + headTimeout
        + ", nativeTransport=" + nativeTransport + ", maxConnections=" + maxConnections
        + ", dotfiles=" + dotfiles + ", allowedHosts=" + allowedHosts + "]";
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
    private Duration headTimeout = Limits.HEAD_TIMEOUT;
    private boolean nativeTransport = true;
    private int maxConnections;
    private boolean dotfiles;
    private final Set<String> allowedHosts = new LinkedHashSet<>();
    private Path uploadDir;
    private long uploadMaxSize = UploadSettings.DEFAULT_MAX_SIZE;
    private String uploadToken;
    private Duration uploadExpiry = UploadSettings.DEFAULT_EXPIRY;
    private Clock uploadClock = Clock.systemUTC();

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

    /**
     * Time allowed for a whole request head; default 10 s. Beyond it the client gets 408 and the
     * connection is closed.
     */
    public Builder headTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("head timeout must be positive: " + timeout);
      }
      this.headTimeout = timeout;
      return this;
    }

    /** Whether to use native epoll when available; default {@code true}. NIO otherwise. */
    public Builder nativeTransport(boolean enabled) {
      this.nativeTransport = enabled;
      return this;
    }

    /**
     * The most connections open at once; default {@code 0}: derived from the heap so that every
     * connection at its worst fits (about 900 with a 96 MiB heap; see {@code rget-server/README.md}).
     */
    public Builder maxConnections(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("negative connection cap: " + max);
      }
      this.maxConnections = max;
      return this;
    }

    /** Serve and list names starting with {@code .}; default {@code false} (404, not listed). */
    public Builder dotfiles(boolean enabled) {
      this.dotfiles = enabled;
      return this;
    }

    /**
     * Also accepts {@code name} (any port) in the Host of requests to a loopback bind. By default
     * only {@code localhost}, {@code 127.x.y.z} and {@code [::1]} are: a page whose own name
     * resolves to 127.0.0.1 (DNS rebinding) gets 421.
     */
    public Builder allowHost(String name) {
      String n = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
      if (n.endsWith(".")) {
        n = n.substring(0, n.length() - 1);
      }
      if (n.isEmpty() || n.indexOf(':') >= 0 && !(n.startsWith("[") && n.endsWith("]"))
          || n.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@' || c >= 0x7f)) {
        throw new IllegalArgumentException("not a host name: '" + name + "'");
      }
      allowedHosts.add(n);
      return this;
    }

    /** {@link #allowHost(String)} for each. */
    public Builder allowHosts(Collection<String> names) {
      names.forEach(this::allowHost);
      return this;
    }

    /**
     * Accepts resumable uploads (tus 1.0.0) at {@code /uploads/}: completed uploads are moved into
     * {@code dir}, partial ones kept in its hidden directory {@code .rget-uploads}. Default: none
     * (no upload endpoint).
     */
    public Builder uploads(Path dir) {
      this.uploadDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Largest upload accepted, in bytes ({@code 413} beyond); default 4 GiB. */
    public Builder uploadMaxSize(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("upload max size must be positive: " + bytes);
      }
      this.uploadMaxSize = bytes;
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer TOKEN} on every upload request but {@code OPTIONS}
     * ({@code 401} without it); default none (anyone who reaches the port may upload).
     */
    public Builder uploadToken(String token) {
      if (token != null && (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))) {
        throw new IllegalArgumentException("an upload token is visible ASCII without spaces");
      }
      this.uploadToken = token;
      return this;
    }

    /** How long an unfinished upload is kept after its last write ({@code Upload-Expires}); default 24 h. */
    public Builder uploadExpiry(Duration expiry) {
      if (expiry.isNegative() || expiry.isZero()) {
        throw new IllegalArgumentException("upload expiry must be positive: " + expiry);
      }
      this.uploadExpiry = expiry;
      return this;
    }

    /** Tests only: the clock upload expiry is read from, so expiry is decided without waiting. */
    Builder uploadClock(Clock clock) {
      this.uploadClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The configuration. */
    public ServerConfig build() {
      return new ServerConfig(this);
    }
  }
}
