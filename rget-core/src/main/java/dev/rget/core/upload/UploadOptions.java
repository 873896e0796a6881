package dev.rget.core.upload;

import dev.rget.core.auth.Credentials;
import dev.rget.core.auth.Netrc;
import dev.rget.core.http.Headers;
import dev.rget.core.transport.ProxyRules;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * How to upload: chunk size, retries, where state is kept, which executor runs it; and how the
 * server is reached, as downloads reach theirs: bearer token, extra headers, User-Agent, login
 * (Basic or Digest, from {@link Builder#credentials}, the URL's {@code user:pass@} or a netrc),
 * proxies and TLS trust. The token, the login and {@code Authorization} and {@code Cookie}
 * headers go only to the endpoint's origin (scheme, host, port), not to an upload URL the server
 * names on another one, unless {@link Builder#locationTrusted(boolean)}; none of them is ever
 * stored or put in a message. Immutable; build with {@link #builder()}.
 */
public final class UploadOptions {
  /** The most parts of a parallel upload. */
  public static final int MAX_PARALLEL = 64;

  /** Headers the upload protocol or the connection own (besides every {@code Upload-*}). */
  private static final Set<String> OWNED = Set.of("host", "content-length", "content-type",
      "transfer-encoding", "connection", "te", "trailer", "upgrade", "expect",
      "proxy-authorization", "tus-resumable", "keep-alive");

  private final String token;
  private final long chunkSize;
  private final int retries;
  private final Path stateDir;
  private final Executor executor;
  private final TusUpload.RetryListener retryListener;
  private final int parallel;
  private final Consumer<String> noticeListener;
  private final Map<String, String> headers;
  private final String userAgent;
  private final Credentials credentials;
  private final Netrc netrc;
  private final boolean locationTrusted;
  private final ProxyRules proxies;
  private final SSLContext sslContext;

  private UploadOptions(Builder b) {
    this.token = b.token;
    this.chunkSize = b.chunkSize;
    this.retries = b.retries;
    this.stateDir = b.stateDir;
    this.executor = b.executor;
    this.retryListener = b.retryListener;
    this.parallel = b.parallel;
    this.noticeListener = b.noticeListener;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.userAgent = b.userAgent;
    this.credentials = b.credentials;
    this.netrc = b.netrc;
    this.locationTrusted = b.locationTrusted;
    this.proxies = b.proxies;
    this.sslContext = b.sslContext;
  }

  /** Extra request headers, sent on every request (name to value, in order). */
  public Map<String, String> headers() {
    return headers;
  }

  /** The User-Agent header (default {@code rget/0.1}; empty: none). */
  public String userAgent() {
    return userAgent;
  }

  /**
   * The login for the endpoint's server, answering its Basic or Digest challenge; or null (then
   * the URL's {@code user:pass@}, sent at once as Basic, or a netrc login, if any).
   */
  public Credentials credentials() {
    return credentials;
  }

  /** Logins per host (a {@code .netrc}), used for a server that asks for one; or null. */
  public Netrc netrc() {
    return netrc;
  }

  /**
   * Whether the token, the login and the {@code Authorization} and {@code Cookie} headers also
   * go to an upload URL on another origin than the endpoint's (curl's
   * {@code --location-trusted}). Default off.
   */
  public boolean locationTrusted() {
    return locationTrusted;
  }

  /** Which proxy each URL goes through (default: none; the CLI reads the environment). */
  public ProxyRules proxies() {
    return proxies;
  }

  /** TLS settings for https (trust), or null for the JVM's default authorities. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /**
   * Parts sent in parallel through tus concatenation (1: one stream, the default); see
   * {@link ParallelUpload}.
   */
  public int parallel() {
    return parallel;
  }

  /** Told of a change of plan the user should know about (such as one stream instead of parts). */
  public Consumer<String> noticeListener() {
    return noticeListener;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: no token, automatic chunk size, {@value TusUpload#DEFAULT_RETRIES} retries. */
  public static UploadOptions defaults() {
    return builder().build();
  }

  /** The bearer token, or null for none. */
  public String token() {
    return token;
  }

  /** Bytes per {@code PATCH}; 0 for {@link TusUpload#autoChunkSize(long)}. */
  public long chunkSize() {
    return chunkSize;
  }

  /** Failures in a row before giving up. */
  public int retries() {
    return retries;
  }

  /** Where unfinished uploads are remembered. */
  public Path stateDir() {
    return stateDir;
  }

  /**
   * The executor that runs the upload (one task for its whole life), or null for a new daemon
   * thread per upload.
   */
  public Executor executor() {
    return executor;
  }

  /** Told before each pause between attempts (for a notice to the user). */
  public TusUpload.RetryListener retryListener() {
    return retryListener;
  }

  /** Builds {@link UploadOptions}. */
  public static final class Builder {
    private String token;
    private long chunkSize;
    private int retries = TusUpload.DEFAULT_RETRIES;
    private Path stateDir = UploadState.defaultDirectory();
    private Executor executor;
    private TusUpload.RetryListener retryListener = (failures, pause, cause) -> {};
    private int parallel = 1;
    private Consumer<String> noticeListener = notice -> {};
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String userAgent = "rget/0.1";
    private Credentials credentials;
    private Netrc netrc;
    private boolean locationTrusted;
    private ProxyRules proxies = ProxyRules.direct();
    private SSLContext sslContext;

    private Builder() {}

    /**
     * Adds a request header (see {@link UploadOptions#headers()}); a second value for the same
     * name is joined to the first with a comma ({@code Cookie}: a semicolon). Headers the upload
     * protocol or the connection own (Host, Content-Length, Content-Type, Transfer-Encoding,
     * Expect, Connection, Proxy-Authorization, Tus-Resumable and the tus and resumable-upload
     * {@code Upload-*} fields) are refused, as is {@code Authorization} together with a
     * {@link #token}.
     *
     * @throws IllegalArgumentException for a bad name, a control character in the value, or a
     *     header rget sets itself
     */
    public Builder header(String name, String value) {
      Headers.addUserHeader(headers, name, value, n -> OWNED.contains(n) || n.startsWith("upload-"));
      return this;
    }

    /** See {@link UploadOptions#userAgent()}. */
    public Builder userAgent(String ua) {
      if (ua.chars().anyMatch(c -> c < ' ' || c == 0x7f || c > 0xff)) {
        throw new IllegalArgumentException("bad character in the User-Agent");
      }
      this.userAgent = ua;
      return this;
    }

    /** See {@link UploadOptions#credentials()}. */
    public Builder credentials(Credentials c) {
      this.credentials = c;
      return this;
    }

    /** See {@link UploadOptions#netrc()}. */
    public Builder netrc(Netrc n) {
      this.netrc = n;
      return this;
    }

    /** See {@link UploadOptions#locationTrusted()}. */
    public Builder locationTrusted(boolean trusted) {
      this.locationTrusted = trusted;
      return this;
    }

    /** See {@link UploadOptions#proxies()}. */
    public Builder proxies(ProxyRules rules) {
      this.proxies = Objects.requireNonNull(rules);
      return this;
    }

    /**
     * See {@link UploadOptions#sslContext()}; {@code TlsTrust.trusting(pem)} for a private CA,
     * {@code TlsTrust.insecure()} for none.
     */
    public Builder sslContext(SSLContext context) {
      this.sslContext = context;
      return this;
    }

    /** See {@link UploadOptions#parallel()}: 1 to {@value #MAX_PARALLEL}. */
    public Builder parallel(int parts) {
      if (parts < 1 || parts > MAX_PARALLEL) {
        throw new IllegalArgumentException("parts must be between 1 and " + MAX_PARALLEL);
      }
      this.parallel = parts;
      return this;
    }

    /** See {@link UploadOptions#noticeListener()}. */
    public Builder noticeListener(Consumer<String> listener) {
      this.noticeListener = Objects.requireNonNull(listener);
      return this;
    }

    /** Sends {@code Authorization: Bearer TOKEN} on every request (null: none). */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** See {@link TusUpload.Builder#chunkSize(long)}. */
    public Builder chunkSize(long bytes) {
      this.chunkSize = TusUpload.checkChunkSize(bytes);
      return this;
    }

    /** See {@link TusUpload.Builder#retries(int)}. */
    public Builder retries(int retries) {
      this.retries = TusUpload.checkRetries(retries);
      return this;
    }

    /** Where unfinished uploads are remembered (default {@link UploadState#defaultDirectory()}). */
    public Builder stateDir(Path dir) {
      this.stateDir = Objects.requireNonNull(dir);
      return this;
    }

    /** See {@link UploadOptions#executor()}. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    /** See {@link UploadOptions#retryListener()}. */
    public Builder retryListener(TusUpload.RetryListener listener) {
      this.retryListener = Objects.requireNonNull(listener);
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException when a token is combined with a login or an
     *     {@code Authorization} header (both would be that one header)
     */
    public UploadOptions build() {
      boolean authorizationHeader = headers.keySet().stream()
          .anyMatch(n -> n.equalsIgnoreCase("Authorization"));
      if (token != null && (credentials != null || authorizationHeader)) {
        throw new IllegalArgumentException("a token cannot be combined with a login or an"
            + " Authorization header: each is the Authorization header");
      }
      return new UploadOptions(this);
    }
  }
}
