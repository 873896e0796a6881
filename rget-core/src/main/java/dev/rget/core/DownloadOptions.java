package dev.rget.core;

import dev.rget.core.auth.Credentials;
import dev.rget.core.auth.Netrc;
import dev.rget.core.cookie.CookieJar;
import dev.rget.core.http.Headers;
import dev.rget.core.transport.ProxyRules;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * How to download: connections, timeouts, retries, rate limit, integrity check. Immutable; build
 * with {@link #builder()}. Every option has a default fit for a command-line user.
 */
public final class DownloadOptions {
  /** Default number of parallel connections. */
  public static final int DEFAULT_CONNECTIONS = 8;

  private final int connections;
  private final long minSplitSize;
  private final Checksum checksum;
  private final boolean failIfChanged;
  private final int retries;
  private final Duration connectTimeout;
  private final Duration stallTimeout;
  private final long limitRate;
  private final String userAgent;
  private final Duration saveInterval;
  private final Duration durableInterval;
  private final Consumer<String> notices;
  private final HostLimiter hostLimiter;
  private final javax.net.ssl.SSLContext sslContext;
  private final long maxFileSize;
  private final boolean httpsOnly;
  private final boolean refusePrivateRedirects;
  private final ProxyRules proxies;
  private final Credentials credentials;
  private final Netrc netrc;
  private final boolean locationTrusted;
  private final Map<String, String> headers;
  private final String referer;
  private final CookieJar cookieJar;
  private final boolean remoteTime;
  private final boolean timestamping;
  private final boolean http2;
  private final Executor executor;
  private final boolean adaptiveConnections;

  private DownloadOptions(Builder b) {
    this.connections = b.connections;
    this.minSplitSize = b.minSplitSize;
    this.checksum = b.checksum;
    this.failIfChanged = b.failIfChanged;
    this.retries = b.retries;
    this.connectTimeout = b.connectTimeout;
    this.stallTimeout = b.stallTimeout;
    this.limitRate = b.limitRate;
    this.userAgent = b.userAgent;
    this.saveInterval = b.saveInterval;
    this.durableInterval = b.durableInterval;
    Consumer<String> sink = b.notices;
    this.notices = message -> sink.accept(SafeText.of(message));
    this.hostLimiter = b.hostLimiter;
    this.sslContext = b.sslContext;
    this.maxFileSize = b.maxFileSize;
    this.httpsOnly = b.httpsOnly;
    this.refusePrivateRedirects = b.refusePrivateRedirects;
    this.proxies = b.proxies;
    this.credentials = b.credentials;
    this.netrc = b.netrc;
    this.locationTrusted = b.locationTrusted;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.referer = b.referer;
    this.cookieJar = b.cookieJar;
    this.remoteTime = b.remoteTime;
    this.timestamping = b.timestamping;
    this.http2 = b.http2;
    this.executor = b.executor;
    this.adaptiveConnections = b.adaptiveConnections;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults. */
  public static DownloadOptions defaults() {
    return builder().build();
  }

  /**
   * The executor that runs a download's threads: the download itself, one task per connection,
   * two for saving the resume state, and short ones at the end; with {@link #http2()}, also the
   * reader of each HTTP/2 connection of a transport made by {@link Rget#newTransport}, for the
   * connection's lifetime. It must be able to run {@link #connections()} + 4 tasks at once, plus
   * one per HTTP/2 connection (a cached or a virtual-thread executor); no other threads are
   * created. Default: a pool of daemon threads shared by all downloads of this JVM,
   * each kept for a minute after its last task.
   */
  public Executor executor() {
    return executor != null ? executor : SharedThreads.POOL;
  }

  /** The default executor: idle threads are reused by later downloads, then let go. */
  private static final class SharedThreads {
    static final Executor POOL;

    static {
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "rget-" + n.incrementAndGet());
            // A download never keeps the JVM alive; Download.result() is how to wait for it.
            t.setDaemon(true);
            return t;
          });
      POOL = pool;
    }
  }

  /**
   * Whether a parallel download starts with two connections and doubles them, up to
   * {@link #connections()}, only while that makes the whole download faster (default false:
   * {@link #connections()} from the start). On a fast link more connections only cost CPU.
   */
  public boolean adaptiveConnections() {
    return adaptiveConnections;
  }

  /** Parallel connections (default 8). */
  public int connections() {
    return connections;
  }

  /**
   * A range is not split into pieces smaller than this (default 1 MiB), except that the
   * remainder held by a connection several times slower than the others is taken over whatever
   * its size, so the end of a download never waits on one slow connection.
   */
  public long minSplitSize() {
    return minSplitSize;
  }

  /** The expected digest of the finished file, or {@code null}. */
  public Checksum checksum() {
    return checksum;
  }

  /** Fail with {@link FailureKind#REMOTE_CHANGED} instead of starting over when the remote changed. */
  public boolean failIfChanged() {
    return failIfChanged;
  }

  /** Attempts in a row that may fail without progress before giving up (default 5). */
  public int retries() {
    return retries;
  }

  /** Time allowed to open a connection (default 10 s). */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** A connection that delivers no byte for this long is dropped and its range re-queued (default 30 s). */
  public Duration stallTimeout() {
    return stallTimeout;
  }

  /** Cap on the whole download's rate in bytes per second; 0 means none (default). */
  public long limitRate() {
    return limitRate;
  }

  /** The User-Agent header. */
  public String userAgent() {
    return userAgent;
  }

  /** How often the resume state is saved while data flows (default 100 ms). */
  public Duration saveInterval() {
    return saveInterval;
  }

  /** How often written data is forced to disk and recorded as surviving a power cut (default 5 s). */
  public Duration durableInterval() {
    return durableInterval;
  }

  /**
   * Receives one-line notices for the user (remote changed, resume not verifiable, ...). The
   * consumer given to the builder receives them made safe by {@link SafeText}.
   */
  public Consumer<String> notices() {
    return notices;
  }

  /** Caps connections per host across downloads that share it; {@code null} for no cap. */
  public HostLimiter hostLimiter() {
    return hostLimiter;
  }

  /** TLS settings for https (trusted certificates, ...); {@code null} for the JVM's default. */
  public javax.net.ssl.SSLContext sslContext() {
    return sslContext;
  }

  /**
   * Largest file accepted, in bytes; 0 means no cap (default). A file that announces a larger
   * length is refused before any byte of it is written; a body of unannounced length is cut off
   * once it passes the cap. Either fails with {@link FailureKind#TOO_LARGE}.
   */
  public long maxFileSize() {
    return maxFileSize;
  }

  /**
   * Whether only https is allowed: an http URL, or a redirect to one, fails (default: off, and a
   * redirect from https to http is followed with a notice).
   */
  public boolean httpsOnly() {
    return httpsOnly;
  }

  /**
   * Whether a redirect to a host that resolves to a loopback, private (RFC 1918, IPv6 unique
   * local, shared 100.64/10), link-local or unspecified address fails with
   * {@link FailureKind#HTTP_STATUS} instead of being followed (default: off). For services that
   * download URLs their users give them, so that a public server cannot redirect them into the
   * local network. The URL given to the download itself is not checked, and the address is
   * checked when the redirect is followed: a host name whose DNS answer changes between that
   * check and the connection is not caught.
   */
  public boolean refusePrivateRedirects() {
    return refusePrivateRedirects;
  }

  /**
   * Which proxy each URL goes through (default: none; the CLI reads the environment as curl
   * does, see {@link ProxyRules#fromEnvironment}).
   */
  public ProxyRules proxies() {
    return proxies;
  }

  /**
   * The login for the download's own server ({@code --user}), replacing any in its URL; or
   * {@code null}. It answers Basic and Digest challenges of the URL's origin (scheme, host,
   * port) only, unless {@link #locationTrusted()}. Credentials in the URL are sent at once as
   * Basic. Neither is ever stored in the resume state.
   */
  public Credentials credentials() {
    return credentials;
  }

  /** Logins per host (a {@code .netrc}), used for any host that has one; or {@code null}. */
  public Netrc netrc() {
    return netrc;
  }

  /**
   * Whether the download's credentials, and its {@code Authorization} and {@code Cookie}
   * headers, also go to the other hosts it is redirected to (curl's
   * {@code --location-trusted}; default off: they go to the URL's origin only).
   */
  public boolean locationTrusted() {
    return locationTrusted;
  }

  /** Extra request headers, sent on every request (name to value, in order). */
  public Map<String, String> headers() {
    return headers;
  }

  /** The {@code Referer} header sent on every request, or {@code null}. */
  public String referer() {
    return referer;
  }

  /**
   * The cookies to send, and where cookies set by responses go; {@code null} (default) for a
   * jar of the download's own that starts empty. Share one jar between downloads to share their
   * cookies, and save it afterwards with {@link CookieJar#save}.
   */
  public CookieJar cookieJar() {
    return cookieJar;
  }

  /**
   * Whether the finished file's modification time is set to the server's
   * {@code Last-Modified} (default on, as wget does).
   */
  public boolean remoteTime() {
    return remoteTime;
  }

  /**
   * wget's {@code -N}: when the output file exists and no partial download is pending, ask with
   * {@code If-Modified-Since} its modification time and keep it when the server's file is not
   * newer (304, or a Last-Modified not after it with the same length). In a directory, the name
   * comes from the URL. Default off.
   */
  public boolean timestamping() {
    return timestamping;
  }

  /** Headers the engine or transport writes itself: a user value would break the protocol. */
  private static final Set<String> MANAGED = Set.of("host", "range", "if-range", "content-length",
      "transfer-encoding", "connection", "te", "trailer", "upgrade", "proxy-authorization",
      "accept-encoding", "if-modified-since", "expect");

  /**
   * Whether https requests offer HTTP/2 (default: off). When the server chooses it, the
   * connections of a download become streams on one or a few shared connections; a server that
   * does not offer it is spoken to in HTTP/1.1, and plain http always is.
   */
  public boolean http2() {
    return http2;
  }

  /** Builds {@link DownloadOptions}. */
  public static final class Builder {
    private int connections = DEFAULT_CONNECTIONS;
    private long minSplitSize = 1L << 20;
    private Checksum checksum;
    private boolean failIfChanged;
    private int retries = 5;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration stallTimeout = Duration.ofSeconds(30);
    private long limitRate;
    private String userAgent = "rget/0.1";
    private Duration saveInterval = Duration.ofMillis(100);
    private Duration durableInterval = Duration.ofSeconds(5);
    private Consumer<String> notices = s -> { };
    private HostLimiter hostLimiter;
    private javax.net.ssl.SSLContext sslContext;
    private long maxFileSize;
    private boolean httpsOnly;
    private boolean refusePrivateRedirects;
    private ProxyRules proxies = ProxyRules.direct();
    private Credentials credentials;
    private Netrc netrc;
    private boolean locationTrusted;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String referer;
    private CookieJar cookieJar;
    private boolean remoteTime = true;
    private boolean timestamping;
    private boolean http2;
    private Executor executor;
    private boolean adaptiveConnections;

    private Builder() {}

    /** Parallel connections, 1 to 64. */
    public Builder connections(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("connections must be between 1 and 64, got " + n);
      }
      this.connections = n;
      return this;
    }

    /** Smallest piece a range is split into; at least 16 KiB. */
    public Builder minSplitSize(long bytes) {
      if (bytes < 16 * 1024) {
        throw new IllegalArgumentException("minimum split size must be at least 16 KiB");
      }
      this.minSplitSize = bytes;
      return this;
    }

    /** Expected digest, or {@code null}. */
    public Builder checksum(Checksum c) {
      this.checksum = c;
      return this;
    }

    /** See {@link DownloadOptions#failIfChanged()}. */
    public Builder failIfChanged(boolean b) {
      this.failIfChanged = b;
      return this;
    }

    /** See {@link DownloadOptions#retries()}; 0 or more. */
    public Builder retries(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("retries must be 0 or more");
      }
      this.retries = n;
      return this;
    }

    /** See {@link DownloadOptions#connectTimeout()}. */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connect timeout");
      return this;
    }

    /** See {@link DownloadOptions#stallTimeout()}. */
    public Builder stallTimeout(Duration d) {
      this.stallTimeout = positive(d, "stall timeout");
      return this;
    }

    /** See {@link DownloadOptions#limitRate()}; 0 for none. */
    public Builder limitRate(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException("rate limit must be 0 or more");
      }
      this.limitRate = bytesPerSecond;
      return this;
    }

    /** See {@link DownloadOptions#userAgent()}. */
    public Builder userAgent(String ua) {
      this.userAgent = Objects.requireNonNull(ua);
      return this;
    }

    /** See {@link DownloadOptions#saveInterval()}. */
    public Builder saveInterval(Duration d) {
      this.saveInterval = positive(d, "save interval");
      return this;
    }

    /** See {@link DownloadOptions#durableInterval()}. */
    public Builder durableInterval(Duration d) {
      this.durableInterval = positive(d, "durable interval");
      return this;
    }

    /** See {@link DownloadOptions#notices()}. */
    public Builder notices(Consumer<String> sink) {
      this.notices = Objects.requireNonNull(sink);
      return this;
    }

    /** See {@link DownloadOptions#hostLimiter()}. */
    public Builder hostLimiter(HostLimiter limiter) {
      this.hostLimiter = limiter;
      return this;
    }

    /** See {@link DownloadOptions#sslContext()}. */
    public Builder sslContext(javax.net.ssl.SSLContext context) {
      this.sslContext = context;
      return this;
    }

    /** See {@link DownloadOptions#maxFileSize()}; 0 for no cap. */
    public Builder maxFileSize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maximum file size must be 0 or more");
      }
      this.maxFileSize = bytes;
      return this;
    }

    /** See {@link DownloadOptions#httpsOnly()}. */
    public Builder httpsOnly(boolean b) {
      this.httpsOnly = b;
      return this;
    }

    /** See {@link DownloadOptions#refusePrivateRedirects()}. */
    public Builder refusePrivateRedirects(boolean b) {
      this.refusePrivateRedirects = b;
      return this;
    }

    /** See {@link DownloadOptions#proxies()}. */
    public Builder proxies(ProxyRules rules) {
      this.proxies = Objects.requireNonNull(rules);
      return this;
    }

    /** See {@link DownloadOptions#credentials()}. */
    public Builder credentials(Credentials c) {
      this.credentials = c;
      return this;
    }

    /** See {@link DownloadOptions#netrc()}. */
    public Builder netrc(Netrc n) {
      this.netrc = n;
      return this;
    }

    /** See {@link DownloadOptions#locationTrusted()}. */
    public Builder locationTrusted(boolean b) {
      this.locationTrusted = b;
      return this;
    }

    /**
     * Adds a request header (see {@link DownloadOptions#headers()}); a second value for the same
     * name is joined to the first with a comma ({@code Cookie}: a semicolon). An empty value for
     * {@code User-Agent} sends none. Headers that rget itself manages (Host, Range, If-Range,
     * framing and connection headers, Proxy-Authorization) are refused.
     *
     * @throws IllegalArgumentException for a bad name, a control character in the value, or a
     *     header rget manages
     */
    public Builder header(String name, String value) {
      Headers.addUserHeader(headers, name, value, MANAGED::contains);
      return this;
    }

    /** See {@link DownloadOptions#referer()}. */
    public Builder referer(String r) {
      if (r != null && r.chars().anyMatch(c -> c < ' ' || c == 0x7f || c > 0xff)) {
        throw new IllegalArgumentException("bad character in the referer");
      }
      this.referer = r;
      return this;
    }

    /** See {@link DownloadOptions#cookieJar()}. */
    public Builder cookieJar(CookieJar jar) {
      this.cookieJar = jar;
      return this;
    }

    /** See {@link DownloadOptions#remoteTime()}. */
    public Builder remoteTime(boolean b) {
      this.remoteTime = b;
      return this;
    }

    /** See {@link DownloadOptions#timestamping()}. */
    public Builder timestamping(boolean b) {
      this.timestamping = b;
      return this;
    }

    /** See {@link DownloadOptions#http2()}. */
    public Builder http2(boolean b) {
      this.http2 = b;
      return this;
    }

    /**
     * See {@link DownloadOptions#executor()}; {@code null} for the default.
     */
    public Builder executor(Executor e) {
      this.executor = e;
      return this;
    }

    /** See {@link DownloadOptions#adaptiveConnections()}. */
    public Builder adaptiveConnections(boolean b) {
      this.adaptiveConnections = b;
      return this;
    }

    /** The options. */
    public DownloadOptions build() {
      return new DownloadOptions(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return d;
    }
  }
}
