package dev.rget.testkit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link FaultServer} serves at a path: a {@link Content} plus how its validators and range
 * handling look on the wire. Immutable; build with {@link #builder(Content)}, derive variants with
 * {@link #toBuilder()}.
 *
 * <p>Defaults: strong ETag {@code "<content fingerprint>"}, Last-Modified = build time truncated to
 * seconds, {@code Accept-Ranges: bytes}, ranges honoured, HEAD allowed, Content-Length framing, no
 * rate limit, {@code Content-Type: application/octet-stream}.
 */
public final class Resource {

  /** What the {@code Accept-Ranges} response header says. */
  public enum AcceptRanges {
    /** {@code Accept-Ranges: bytes}. */
    BYTES,
    /** {@code Accept-Ranges: none}. */
    NONE,
    /** No {@code Accept-Ranges} header. */
    ABSENT
  }

  /** Whether Range requests are served as such. */
  public enum RangeSupport {
    /** Single ranges get 206 (or 416); see {@link FaultServer} for the details. */
    HONOR,
    /** Range headers are ignored: always 200 with the whole body. */
    IGNORE
  }

  private final Content content;
  private final String etag;
  private final Instant lastModified;
  private final AcceptRanges acceptRanges;
  private final RangeSupport rangeSupport;
  private final boolean headAllowed;
  private final boolean chunked;
  private final long rateLimit;
  private final String contentType;
  private final java.util.List<java.util.Map.Entry<String, String>> extraHeaders;

  private Resource(Builder b) {
    this.content = b.content;
    this.etag = b.etag;
    this.lastModified = b.lastModified;
    this.acceptRanges = b.acceptRanges;
    this.rangeSupport = b.rangeSupport;
    this.headAllowed = b.headAllowed;
    this.chunked = b.chunked;
    this.rateLimit = b.rateLimit;
    this.contentType = b.contentType;
    this.extraHeaders = java.util.List.copyOf(b.extraHeaders);
  }

  /** A resource with all defaults for {@code content}. */
  public static Resource of(Content content) {
    return builder(content).build();
  }

  /** A builder starting from the defaults for {@code content}. */
  public static Builder builder(Content content) {
    return new Builder(content);
  }

  /** A builder initialised with this resource's settings. */
  public Builder toBuilder() {
    Builder b = new Builder(content);
    b.etag = etag;
    b.lastModified = lastModified;
    b.acceptRanges = acceptRanges;
    b.rangeSupport = rangeSupport;
    b.headAllowed = headAllowed;
    b.chunked = chunked;
    b.rateLimit = rateLimit;
    b.extraHeaders.addAll(extraHeaders);
    b.contentType = contentType;
    return b;
  }

  /** The body. */
  public Content content() {
    return content;
  }

  /** The ETag header value exactly as sent ({@code "x"} or {@code W/"x"}), if any. */
  public Optional<String> etag() {
    return Optional.ofNullable(etag);
  }

  /** Whether the ETag is present and strong. */
  public boolean hasStrongEtag() {
    return etag != null && !etag.startsWith("W/");
  }

  /** The Last-Modified instant (whole seconds), if any. */
  public Optional<Instant> lastModified() {
    return Optional.ofNullable(lastModified);
  }

  /** The Last-Modified header value, if any. */
  public Optional<String> lastModifiedHeader() {
    return lastModified().map(HttpDates::format);
  }

  /** The Accept-Ranges header mode. */
  public AcceptRanges acceptRanges() {
    return acceptRanges;
  }

  /** Whether ranges are honoured. */
  public RangeSupport rangeSupport() {
    return rangeSupport;
  }

  /** Whether HEAD is allowed (otherwise 405). */
  public boolean headAllowed() {
    return headAllowed;
  }

  /** Whether 200 responses use chunked transfer coding instead of Content-Length. */
  public boolean chunked() {
    return chunked;
  }

  /** Per-connection rate limit in bytes/s; 0 means unlimited. */
  public long rateLimit() {
    return rateLimit;
  }

  /** The Content-Type header value. */
  public String contentType() {
    return contentType;
  }

  /** Headers added verbatim to every 200 and 206 (for example a hostile Content-Disposition). */
  public java.util.List<java.util.Map.Entry<String, String>> extraHeaders() {
    return extraHeaders;
  }

  @Override
  public String toString() {
    return "Resource[" + content + ", etag=" + etag + ", lastModified=" + lastModified
        + ", acceptRanges=" + acceptRanges + ", rangeSupport=" + rangeSupport + ", head="
        + headAllowed + ", chunked=" + chunked + ", rate=" + rateLimit + "]";
  }

  /** Mutable builder for {@link Resource}. */
  public static final class Builder {
    private Content content;
    private String etag;
    private Instant lastModified;
    private AcceptRanges acceptRanges = AcceptRanges.BYTES;
    private RangeSupport rangeSupport = RangeSupport.HONOR;
    private boolean headAllowed = true;
    private boolean chunked;
    private long rateLimit;
    private String contentType = "application/octet-stream";
    private final java.util.List<java.util.Map.Entry<String, String>> extraHeaders =
        new java.util.ArrayList<>();

    private Builder(Content content) {
      this.content = Objects.requireNonNull(content, "content");
      this.etag = quote(content.fingerprint());
      this.lastModified = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    /** Replaces the body (the ETag is kept as it is; set it too if the version should change). */
    public Builder content(Content content) {
      this.content = Objects.requireNonNull(content, "content");
      return this;
    }

    /** Strong ETag {@code "opaque"}. */
    public Builder etag(String opaque) {
      this.etag = quote(opaque);
      return this;
    }

    /** Weak ETag {@code W/"opaque"}. */
    public Builder weakEtag(String opaque) {
      this.etag = "W/" + quote(opaque);
      return this;
    }

    /** Sends the given ETag header value verbatim (may be malformed on purpose). */
    public Builder rawEtag(String headerValue) {
      this.etag = Objects.requireNonNull(headerValue);
      return this;
    }

    /** No ETag header. */
    public Builder noEtag() {
      this.etag = null;
      return this;
    }

    /** Last-Modified (truncated to whole seconds, as HTTP dates are). */
    public Builder lastModified(Instant instant) {
      this.lastModified = instant.truncatedTo(ChronoUnit.SECONDS);
      return this;
    }

    /** No Last-Modified header. */
    public Builder noLastModified() {
      this.lastModified = null;
      return this;
    }

    /** Accept-Ranges header mode. */
    public Builder acceptRanges(AcceptRanges mode) {
      this.acceptRanges = Objects.requireNonNull(mode);
      return this;
    }

    /** Whether ranges are honoured or ignored. */
    public Builder rangeSupport(RangeSupport support) {
      this.rangeSupport = Objects.requireNonNull(support);
      return this;
    }

    /** False makes HEAD answer 405. */
    public Builder headAllowed(boolean allowed) {
      this.headAllowed = allowed;
      return this;
    }

    /** True: 200 responses carry {@code Transfer-Encoding: chunked} and no Content-Length. */
    public Builder chunked(boolean chunked) {
      this.chunked = chunked;
      return this;
    }

    /** Per-connection rate limit in bytes per second (paced in small slices); 0 = unlimited. */
    public Builder rateLimit(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException("negative rate");
      }
      this.rateLimit = bytesPerSecond;
      return this;
    }

    /** Content-Type header value. */
    public Builder contentType(String contentType) {
      this.contentType = Objects.requireNonNull(contentType);
      return this;
    }

    /**
     * Adds {@code name: value} verbatim (no checks: control characters pass as ISO-8859-1 bytes)
     * to every 200 and 206.
     */
    public Builder header(String name, String value) {
      extraHeaders.add(java.util.Map.entry(name, value));
      return this;
    }

    /** The immutable resource. */
    public Resource build() {
      return new Resource(this);
    }

    private static String quote(String opaque) {
      if (opaque.indexOf('"') >= 0) {
        throw new IllegalArgumentException("ETag opaque-tag must not contain '\"': " + opaque);
      }
      return '"' + opaque + '"';
    }
  }
}
