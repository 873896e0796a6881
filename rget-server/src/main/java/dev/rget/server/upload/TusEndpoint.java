package dev.rget.server.upload;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tus 1.0.0 protocol at {@code /uploads/}: core ({@code HEAD}, {@code PATCH}, {@code OPTIONS}),
 * creation, creation-with-upload, termination, checksum ({@code sha1}, {@code sha256}) and
 * expiration, over an {@link UploadStore}. Each rule of the protocol is one method here, in the
 * order the specification gives them.
 *
 * <p>{@link #begin} is called off the network threads (it touches the disk) with a decoded request
 * head; it answers either with a {@link TusResponse} to send at once, or with a {@link PatchWriter}
 * that takes the request body.
 *
 * <p>Thread-safe.
 */
public final class TusEndpoint {
  /** The only protocol version spoken. */
  public static final String VERSION = "1.0.0";
  /** Extensions announced by {@code OPTIONS}. */
  static final String EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration";
  /** The media type of a {@code PATCH} body. */
  static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).withLocale(Locale.ROOT);

  private final UploadSettings settings;
  private final UploadStore store;
  private final byte[] token;

  private TusEndpoint(UploadSettings settings, UploadStore store) {
    this.settings = settings;
    this.store = store;
    this.token = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Opens the endpoint on {@code settings.dir()}.
   *
   * @throws IOException if the directory is unusable (see {@link UploadStore})
   */
  public static TusEndpoint open(UploadSettings settings) throws IOException {
    return new TusEndpoint(settings, UploadStore.open(settings.dir(), Clock.systemUTC(), settings.expiry().toMillis()));
  }

  /** Removes expired uploads; the server calls it periodically. Returns how many went. */
  public int sweep() throws IOException {
    return store.sweep();
  }

  /**
   * Starts answering one request.
   *
   * @param req the request head
   * @param rest the path segments after {@code uploads} (empty for the creation URL)
   * @return a {@link TusResponse}, or a {@link PatchWriter} that the request body goes to
   */
  public Object begin(HttpRequest req, List<String> rest) {
    HttpHeaders h = req.headers();
    String method = req.method().name();
    String override = h.get("X-HTTP-Method-Override");
    if (override != null && method.equals("POST")) {
      method = override.strip().toUpperCase(Locale.ROOT); // for clients behind proxies that pass only GET/POST
    }
    try {
      if (method.equals("OPTIONS")) {
        return options();
      }
      if (token != null && !authorized(h.get("Authorization"))) {
        return TusResponse.error(401, "401 Unauthorized: Authorization: Bearer TOKEN is required")
            .header("WWW-Authenticate", "Bearer realm=\"rget uploads\"").header("Tus-Resumable", VERSION);
      }
      if (!VERSION.equals(h.get("Tus-Resumable"))) {
        return response(412).header("Tus-Version", VERSION).header("Content-Type", "text/plain; charset=utf-8");
      }
      if (rest.isEmpty()) {
        return method.equals("POST") ? create(h) : notAllowed("OPTIONS, POST");
      }
      if (rest.size() > 1) {
        return withVersion(TusResponse.error(404, "404 Not Found"));
      }
      Upload u = store.find(rest.get(0));
      if (u == null) {
        return withVersion(TusResponse.error(404, "404 Not Found: no such upload"));
      }
      if (!u.info().complete() && store.expired(u.info())) {
        return withVersion(TusResponse.error(410, "410 Gone: the upload expired"));
      }
      return switch (method) {
        case "HEAD" -> head(u);
        case "PATCH" -> patch(u, h);
        case "DELETE" -> terminate(u);
        default -> notAllowed("OPTIONS, HEAD, PATCH, DELETE");
      };
    } catch (IOException e) {
      return withVersion(TusResponse.error(500, "500 Internal Server Error: " + e.getMessage()));
    }
  }

  /** Discovery: versions, extensions, limits. */
  private TusResponse options() {
    return response(204)
        .header("Tus-Version", VERSION)
        .header("Tus-Extension", EXTENSIONS)
        .header("Tus-Max-Size", settings.maxSize())
        .header("Tus-Checksum-Algorithm", UploadChecksum.SUPPORTED);
  }

  /** Bearer token, compared in constant time. */
  private boolean authorized(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(token, authorization.substring(7).strip().getBytes(StandardCharsets.US_ASCII));
  }

  /** Creation: a new upload of Upload-Length bytes; with a body, creation-with-upload. */
  private Object create(HttpHeaders h) throws IOException {
    if (h.contains("Upload-Defer-Length")) {
      return withVersion(TusResponse.error(400, "400 Bad Request: creation-defer-length is not supported"));
    }
    long length = parseLength(h.get("Upload-Length"));
    if (length < 0) {
      return withVersion(TusResponse.error(400, "400 Bad Request: Upload-Length must be a non-negative integer"));
    }
    if (length > settings.maxSize()) {
      return withVersion(TusResponse.error(413, "413 Content Too Large: Upload-Length over Tus-Max-Size "
          + settings.maxSize())).header("Tus-Max-Size", settings.maxSize());
    }
    boolean hasBody = hasBody(h);
    if (hasBody && !isOffsetStream(h)) {
      return withVersion(TusResponse.error(415, "415 Unsupported Media Type: the body must be " + OFFSET_OCTET_STREAM));
    }
    UploadChecksum checksum = null;
    String metadata = h.get("Upload-Metadata", "");
    String name;
    try {
      Map<String, byte[]> pairs = UploadMetadata.parse(metadata);
      name = SafeName.of(UploadMetadata.filename(pairs), null);
      if (hasBody && h.get("Upload-Checksum") != null) {
        checksum = UploadChecksum.parse(h.get("Upload-Checksum"));
      }
    } catch (UploadMetadata.BadMetadataException | UploadChecksum.BadChecksumException e) {
      return withVersion(TusResponse.error(400, "400 Bad Request: " + e.getMessage()));
    }
    long bodyLength = contentLength(h);
    if (hasBody && bodyLength > length) {
      return withVersion(TusResponse.error(413, "413 Content Too Large: the body is longer than Upload-Length"));
    }
    long usable = store.dir().toFile().getUsableSpace();
    if (length > usable) {
      return withVersion(TusResponse.error(507, "507 Insufficient Storage: " + usable + " bytes free"));
    }
    Upload u = store.create(length, metadata, name);
    if (hasBody) {
      if (!u.tryLock()) {
        throw new IllegalStateException("a new upload is locked");
      }
      return writer(u, checksum, true);
    }
    if (length == 0) {
      store.complete(u);
    }
    TusResponse r = response(201).header("Location", location(u.id)).header("Upload-Offset", 0);
    if (!u.info().complete()) {
      r.header("Upload-Expires", httpDate(u.info().expiresMillis()));
    }
    return r;
  }

  /** Core HEAD: the durable offset, never cached. */
  private TusResponse head(Upload u) {
    UploadInfo info = u.info();
    TusResponse r = response(200)
        .header("Upload-Offset", info.offset())
        .header("Upload-Length", info.length())
        .header("Cache-Control", "no-store");
    if (!info.metadata().isEmpty()) {
      r.header("Upload-Metadata", info.metadata());
    }
    if (!info.complete()) {
      r.header("Upload-Expires", httpDate(info.expiresMillis()));
    }
    return r;
  }

  /** Core PATCH: the body is appended at Upload-Offset, which must be the current offset. */
  private Object patch(Upload u, HttpHeaders h) throws IOException {
    if (!isOffsetStream(h)) {
      return withVersion(TusResponse.error(415, "415 Unsupported Media Type: a PATCH body must be " + OFFSET_OCTET_STREAM));
    }
    long offset = parseLength(h.get("Upload-Offset"));
    if (offset < 0) {
      return withVersion(TusResponse.error(400, "400 Bad Request: Upload-Offset must be a non-negative integer"));
    }
    UploadChecksum checksum = null;
    if (h.get("Upload-Checksum") != null) {
      try {
        checksum = UploadChecksum.parse(h.get("Upload-Checksum"));
      } catch (UploadChecksum.BadChecksumException e) {
        return withVersion(TusResponse.error(400, "400 Bad Request: " + e.getMessage()));
      }
    }
    if (!u.tryLock()) {
      return withVersion(TusResponse.error(423, "423 Locked: another request is writing this upload"));
    }
    boolean handedOver = false;
    try {
      UploadInfo info = u.info();
      if (u.gone()) {
        return withVersion(TusResponse.error(404, "404 Not Found: no such upload"));
      }
      if (offset != info.offset()) {
        return withVersion(TusResponse.error(409, "409 Conflict: the upload is at offset " + info.offset()))
            .header("Upload-Offset", info.offset());
      }
      long body = contentLength(h);
      if (body > info.length() - offset) {
        return withVersion(TusResponse.error(413, "413 Content Too Large: the body goes past Upload-Length"));
      }
      if (info.complete()) {
        return response(204).header("Upload-Offset", info.offset());
      }
      PatchWriter w = writer(u, checksum, false);
      handedOver = true;
      return w;
    } finally {
      if (!handedOver) {
        u.unlock();
      }
    }
  }

  private PatchWriter writer(Upload u, UploadChecksum checksum, boolean creation) throws IOException {
    FileChannel ch = store.openForWrite(u);
    try {
      return new PatchWriter(this, store, u, ch, checksum, creation);
    } catch (IOException | RuntimeException e) {
      ch.close();
      u.unlock();
      throw e;
    }
  }

  /** Termination: the upload and its data are gone (a completed file stays where it was moved). */
  private TusResponse terminate(Upload u) throws IOException {
    if (!u.tryLock()) {
      return withVersion(TusResponse.error(423, "423 Locked: another request is writing this upload"));
    }
    try {
      store.delete(u);
    } finally {
      u.unlock();
    }
    return response(204);
  }

  private TusResponse notAllowed(String allow) {
    return withVersion(TusResponse.error(405, "405 Method Not Allowed")).header("Allow", allow);
  }

  /** A response with {@code Tus-Resumable}, which every tus response carries. */
  TusResponse response(int status) {
    return new TusResponse(status).header("Tus-Resumable", VERSION);
  }

  private static TusResponse withVersion(TusResponse r) {
    return r.header("Tus-Resumable", VERSION);
  }

  static String location(String id) {
    return "/uploads/" + id;
  }

  static String httpDate(long millis) {
    return HTTP_DATE.format(Instant.ofEpochMilli(millis));
  }

  private static boolean isOffsetStream(HttpHeaders h) {
    String type = h.get("Content-Type");
    if (type == null) {
      return false;
    }
    int semi = type.indexOf(';');
    return (semi < 0 ? type : type.substring(0, semi)).strip().equalsIgnoreCase(OFFSET_OCTET_STREAM);
  }

  private static boolean hasBody(HttpHeaders h) {
    return h.contains("Transfer-Encoding") || contentLength(h) > 0;
  }

  /** The request's Content-Length, 0 when absent (a chunked body is bounded as it arrives). */
  private static long contentLength(HttpHeaders h) {
    long n = parseLength(h.get("Content-Length"));
    return Math.max(0, n);
  }

  /** A decimal of at most 18 digits (no sign, no spaces inside), else -1. */
  static long parseLength(String s) {
    if (s == null) {
      return -1;
    }
    String t = s.strip();
    if (t.isEmpty() || t.length() > 18) {
      return -1;
    }
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) < '0' || t.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(t);
  }
}
