package dev.rget.server.upload;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.io.Closeable;
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
 * creation, creation-with-upload, creation-defer-length, termination, checksum ({@code crc32c}, {@code sha1},
 * {@code sha256}), expiration and concatenation, over an {@link UploadStore}. Each rule of the
 * protocol is one method here, in the order the specification gives them. Requests of the IETF
 * resumable-upload draft on the same endpoint go to a {@link DraftEndpoint} (see
 * {@link DraftEndpoint#speaks}).
 *
 * <p>{@link #begin} is called off the network threads (it touches the disk) with a decoded request
 * head; it answers either with a {@link TusResponse} to send at once, or with a {@link PatchWriter}
 * that takes the request body.
 *
 * <p>Thread-safe.
 */
public final class TusEndpoint implements Closeable {
  /** The only protocol version spoken. */
  public static final String VERSION = "1.0.0";
  /** Extensions announced by {@code OPTIONS}. */
  static final String EXTENSIONS =
      "creation,creation-with-upload,creation-defer-length,termination,checksum,expiration,concatenation";
  /** The media type of a {@code PATCH} body. */
  static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).withLocale(Locale.ROOT);

  private final UploadSettings settings;
  private final UploadStore store;
  private final byte[] token;
  private final DraftEndpoint draft;

  private TusEndpoint(UploadSettings settings, UploadStore store) {
    this.settings = settings;
    this.store = store;
    this.draft = new DraftEndpoint(settings, store);
    this.token = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Opens the endpoint on {@code settings.dir()}.
   *
   * @throws IOException if the directory is unusable, or another server has it (see
   *     {@link UploadStore})
   */
  public static TusEndpoint open(UploadSettings settings) throws IOException {
    return open(settings, Clock.systemUTC());
  }

  /** As {@link #open(UploadSettings)}, with expiry read from {@code clock} (tests pass their own). */
  public static TusEndpoint open(UploadSettings settings, Clock clock) throws IOException {
    return new TusEndpoint(settings, UploadStore.open(settings.dir(), clock, settings.expiry().toMillis()));
  }

  /**
   * Lets go of the upload directory (another server may then open it). Called by the server once
   * no request can reach this endpoint any more.
   */
  @Override
  public void close() throws IOException {
    store.close();
  }

  /**
   * Removes expired uploads; the server calls it periodically. Returns how many went (besides the
   * final uploads that went with a part).
   */
  public int sweep() throws IOException {
    assembleWaiting(); // a final whose parts are all complete is assembled before they may go
    int removed = store.sweep();
    assembleWaiting(); // a final whose part was just swept can never complete: it goes too
    return removed;
  }

  /**
   * What {@link #begin(HttpRequest, List, PatchWriter)} returns when the request cannot take over
   * from the writer before it: ask again, without one, once that writer ended.
   */
  public static final Object AFTER_PREVIOUS = new Object() {
    @Override
    public String toString() {
      return "after the previous request";
    }
  };

  /**
   * Starts answering a request that arrived on a connection whose previous request, a tus
   * {@code PATCH} written by {@code previous}, is still being answered (its end forced and
   * recorded). If it is the next {@code PATCH} of the same upload at the offset that body ends
   * at, and would be taken as it stands, it takes the lock over and its writer is returned;
   * otherwise nothing is done and {@link #AFTER_PREVIOUS} is returned.
   */
  public Object begin(HttpRequest req, List<String> rest, PatchWriter previous) {
    if (previous == null) {
      return begin(req, rest);
    }
    try {
      PatchWriter w = follow(req, rest, previous);
      return w != null ? w : AFTER_PREVIOUS;
    } catch (IOException e) {
      return withVersion(TusResponse.error(500, "500 Internal Server Error: " + e.getMessage()));
    }
  }

  /**
   * The writer of a {@code PATCH} that follows {@code previous} (the checks of {@link #patch} that
   * could refuse it all pass), or null.
   */
  private PatchWriter follow(HttpRequest req, List<String> rest, PatchWriter previous) throws IOException {
    HttpHeaders h = req.headers();
    if (!req.method().name().equals("PATCH") || h.contains("X-HTTP-Method-Override")
        || (token != null && !authorized(h.get("Authorization")))
        || DraftEndpoint.speaks(h, "PATCH") || !VERSION.equals(h.get("Tus-Resumable")) || rest.size() != 1
        || !isOffsetStream(h) || h.contains("Upload-Length")) {
      return null;
    }
    Upload u = store.find(rest.get(0));
    long offset = parseLength(h.get("Upload-Offset"));
    if (u == null || u.gone() || !previous.follows(u, offset, contentLength(h))) {
      return null;
    }
    UploadChecksum checksum = null;
    if (h.get("Upload-Checksum") != null) {
      try {
        checksum = UploadChecksum.parse(h.get("Upload-Checksum"));
      } catch (UploadChecksum.BadChecksumException e) {
        return null;
      }
    }
    if (!previous.handOver()) {
      return null; // it let go already: this request takes its turn as any other
    }
    FileChannel ch = null;
    try {
      ch = store.openForWrite(u);
      return new PatchWriter(previous, ch, checksum);
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      previous.ended().thenRun(u::unlock); // the lock was handed over to this request
      throw e;
    }
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
      if (DraftEndpoint.speaks(h, method)) {
        return draft.begin(method, h, rest);
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
      // A waiting final is settled first: assembled if it can be, ended if a part went, so that
      // every method answers from what it has become (never a 500 for a part that is gone).
      if (u.info().concat() == UploadInfo.Concat.FINAL) {
        if (settle(u) == UploadStore.Assembly.REMOVED) {
          return withVersion(TusResponse.error(404, "404 Not Found: no such upload (a partial upload it names is gone)"));
        }
        if (u.gone()) { // removed by another request or the sweep meanwhile
          return withVersion(TusResponse.error(404, "404 Not Found: no such upload"));
        }
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
        .header("Tus-Checksum-Algorithm", UploadChecksum.SUPPORTED)
        // the draft's discovery: PATCH bodies it takes, and its limits
        .header("Accept-Patch", DraftEndpoint.PARTIAL_UPLOAD + ", " + OFFSET_OCTET_STREAM)
        .header("Upload-Limit", draft.limits(null));
  }

  /** Bearer token, compared in constant time. */
  private boolean authorized(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(token, authorization.substring(7).strip().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Creation: a new upload of Upload-Length bytes (or of a length given later, with
   * creation-defer-length); with a body, creation-with-upload; with Upload-Concat, a partial
   * upload or a final one assembled from partial ones.
   */
  private Object create(HttpHeaders h) throws IOException {
    ConcatHeader concat = null;
    if (h.get("Upload-Concat") != null) {
      try {
        concat = ConcatHeader.parse(h.get("Upload-Concat"), h.get("Host"));
      } catch (ConcatHeader.BadConcatException e) {
        return withVersion(TusResponse.error(400, "400 Bad Request: " + e.getMessage()));
      }
    }
    String metadata = h.get("Upload-Metadata", "");
    String name;
    try {
      name = SafeName.of(UploadMetadata.filename(UploadMetadata.parse(metadata)), null);
    } catch (UploadMetadata.BadMetadataException e) {
      return withVersion(TusResponse.error(400, "400 Bad Request: " + e.getMessage()));
    }
    if (concat != null && concat.isFinal()) {
      return createFinal(h, concat, metadata, name);
    }
    String defer = h.get("Upload-Defer-Length");
    long length;
    if (defer != null) {
      if (!defer.strip().equals("1") || h.contains("Upload-Length")) {
        return withVersion(TusResponse.error(400,
            "400 Bad Request: Upload-Defer-Length must be 1, and comes without Upload-Length"));
      }
      length = UploadInfo.UNKNOWN;
    } else {
      length = parseLength(h.get("Upload-Length"));
      if (length < 0) {
        return withVersion(TusResponse.error(400, "400 Bad Request: Upload-Length must be a non-negative integer"));
      }
      if (length > settings.maxSize()) {
        return tooLarge("Upload-Length over Tus-Max-Size " + settings.maxSize());
      }
    }
    boolean hasBody = hasBody(h);
    if (hasBody && !isOffsetStream(h)) {
      return withVersion(TusResponse.error(415, "415 Unsupported Media Type: the body must be " + OFFSET_OCTET_STREAM));
    }
    UploadChecksum checksum = null;
    try {
      if (hasBody && h.get("Upload-Checksum") != null) {
        checksum = UploadChecksum.parse(h.get("Upload-Checksum"));
      }
    } catch (UploadChecksum.BadChecksumException e) {
      return withVersion(TusResponse.error(400, "400 Bad Request: " + e.getMessage()));
    }
    long bodyLength = contentLength(h);
    if (hasBody && bodyLength > (length == UploadInfo.UNKNOWN ? settings.maxSize() : length)) {
      return tooLarge("the body is longer than Upload-Length");
    }
    long usable = store.dir().toFile().getUsableSpace();
    if (length > usable) {
      return withVersion(TusResponse.error(507, "507 Insufficient Storage: " + usable + " bytes free"));
    }
    UploadInfo.Concat role = concat == null ? UploadInfo.Concat.NONE : UploadInfo.Concat.PARTIAL;
    Upload u = store.create(length, metadata, name, UploadInfo.Kind.TUS, role, List.of(), null);
    if (hasBody) {
      if (!u.tryLock()) {
        throw new IllegalStateException("a new upload is locked");
      }
      return writer(u, checksum, true);
    }
    if (length == 0) {
      store.complete(u);
      afterWrite(u);
    }
    TusResponse r = response(201).header("Location", location(u.id)).header("Upload-Offset", 0);
    if (!u.info().complete()) {
      r.header("Upload-Expires", httpDate(u.info().expiresMillis()));
    }
    return r;
  }

  /**
   * Concatenation: a final upload of the named partial uploads, which must be this server's,
   * partial, unexpired and of known length. It is assembled at once if they are all complete,
   * else as soon as the last one completes (or when it is asked for).
   */
  private TusResponse createFinal(HttpHeaders h, ConcatHeader concat, String metadata, String name)
      throws IOException {
    if (h.contains("Upload-Length") || h.contains("Upload-Defer-Length") || hasBody(h)) {
      return withVersion(TusResponse.error(400,
          "400 Bad Request: a final upload takes no Upload-Length, Upload-Defer-Length or body"));
    }
    long total = 0;
    boolean unfinished = false;
    String expired = null;
    for (String id : concat.ids()) {
      Upload p = store.find(id);
      if (p == null || p.info().concat() != UploadInfo.Concat.PARTIAL
          || (!p.info().complete() && store.expired(p.info()))) {
        return withVersion(TusResponse.error(400, "400 Bad Request: " + location(id) + " is not a partial upload here"));
      }
      if (!p.info().lengthKnown()) {
        return withVersion(TusResponse.error(400, "400 Bad Request: the length of " + location(id) + " is not known yet"));
      }
      unfinished |= !p.info().complete();
      if (store.expired(p.info())) {
        expired = id;
      }
      total += p.info().length();
      if (total > settings.maxSize()) {
        return tooLarge("the partial uploads add up to more than Tus-Max-Size " + settings.maxSize());
      }
    }
    if (unfinished && expired != null) {
      // A complete part past its expiry is used only at once: the sweep takes it before a wait ends.
      return withVersion(TusResponse.error(400, "400 Bad Request: " + location(expired)
          + " expired; it can be used only in a final upload whose other parts are complete"));
    }
    Upload u = store.create(total, metadata, name, UploadInfo.Kind.TUS, UploadInfo.Concat.FINAL, concat.ids(), null);
    if (settle(u) == UploadStore.Assembly.REMOVED) {
      // a part was terminated or swept between the checks above and now
      return withVersion(TusResponse.error(400, "400 Bad Request: a partial upload it names went meanwhile"));
    }
    return response(201).header("Location", location(u.id));
  }

  /**
   * Assembles a final upload if its parts are complete, or ends it if one went (see
   * {@link UploadStore#assemble}), unless another request or the sweep is at it (then
   * {@link UploadStore.Assembly#WAITING}, unless it is complete).
   */
  private UploadStore.Assembly settle(Upload fin) throws IOException {
    if (fin.info().complete()) {
      return UploadStore.Assembly.ASSEMBLED;
    }
    if (!fin.tryLock()) {
      return UploadStore.Assembly.WAITING;
    }
    try {
      return fin.gone() ? UploadStore.Assembly.REMOVED : store.assemble(fin);
    } finally {
      fin.unlock();
    }
  }

  /** Called once a writer let go of {@code u}: a partial upload just completed may finish a final one. */
  private void afterWrite(Upload u) {
    if (u.info().concat() == UploadInfo.Concat.PARTIAL && u.info().complete()) {
      assembleWaiting();
    }
  }

  /** Settles every waiting final upload; one failing is reported, the others are still tried. */
  private void assembleWaiting() {
    for (Upload fin : store.waitingFinals()) {
      try {
        settle(fin);
      } catch (IOException e) {
        System.err.println("rget serve: final upload " + fin.id + ": " + e.getMessage());
      }
    }
  }

  private TusResponse tooLarge(String why) {
    return withVersion(TusResponse.error(413, "413 Content Too Large: " + why)).header("Tus-Max-Size", settings.maxSize());
  }

  /**
   * Core HEAD: the durable offset, never cached; Upload-Defer-Length while the length is not known;
   * Upload-Concat for partial and final uploads, and no offset for a final upload whose parts are
   * not all complete ({@link #begin} settled it just before).
   */
  private TusResponse head(Upload u) {
    UploadInfo info = u.info();
    TusResponse r = response(200).header("Cache-Control", "no-store");
    boolean waiting = info.concat() == UploadInfo.Concat.FINAL && !info.complete();
    if (!waiting) {
      r.header("Upload-Offset", info.offset());
    }
    if (info.lengthKnown()) {
      r.header("Upload-Length", info.length());
    } else {
      r.header("Upload-Defer-Length", 1);
    }
    if (info.concat() == UploadInfo.Concat.PARTIAL) {
      r.header("Upload-Concat", "partial");
    } else if (info.concat() == UploadInfo.Concat.FINAL) {
      r.header("Upload-Concat", ConcatHeader.finalValue(info.parts()));
    }
    if (!info.metadata().isEmpty()) {
      r.header("Upload-Metadata", info.metadata());
    }
    if (!info.complete()) {
      r.header("Upload-Expires", httpDate(info.expiresMillis()));
    }
    return r;
  }

  /**
   * Core PATCH: the body is appended at Upload-Offset, which must be the current offset. A final
   * upload takes none (403); a deferred length may be given here once.
   */
  private Object patch(Upload u, HttpHeaders h) throws IOException {
    if (u.info().concat() == UploadInfo.Concat.FINAL) {
      return withVersion(TusResponse.error(403, "403 Forbidden: a final upload is assembled from its parts, not patched"));
    }
    if (!isOffsetStream(h)) {
      return withVersion(TusResponse.error(415, "415 Unsupported Media Type: a PATCH body must be " + OFFSET_OCTET_STREAM));
    }
    long offset = parseLength(h.get("Upload-Offset"));
    if (offset < 0) {
      return withVersion(TusResponse.error(400, "400 Bad Request: Upload-Offset must be a non-negative integer"));
    }
    long newLength = UploadInfo.UNKNOWN;
    if (h.contains("Upload-Length")) {
      newLength = parseLength(h.get("Upload-Length"));
      if (newLength < 0) {
        return withVersion(TusResponse.error(400, "400 Bad Request: Upload-Length must be a non-negative integer"));
      }
      if (newLength > settings.maxSize()) {
        return tooLarge("Upload-Length over Tus-Max-Size " + settings.maxSize());
      }
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
      if (newLength != UploadInfo.UNKNOWN) {
        if (info.lengthKnown() && newLength != info.length()) {
          return withVersion(TusResponse.error(400, "400 Bad Request: Upload-Length is already " + info.length()));
        }
        if (newLength < info.offset() + contentLength(h)) {
          return withVersion(TusResponse.error(400, "400 Bad Request: Upload-Length is below where this body ends, "
              + (info.offset() + contentLength(h))));
        }
        if (!info.lengthKnown()) {
          store.update(u, info.withLength(newLength)); // durable before any byte is taken against it
          info = u.info();
        }
      }
      long body = contentLength(h);
      long room = (info.lengthKnown() ? info.length() : settings.maxSize()) - offset;
      if (body > room) {
        return tooLarge("the body goes past Upload-Length");
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
      UploadInfo info = u.info();
      long limit = info.lengthKnown() ? info.length() : settings.maxSize();
      return new PatchWriter(store, u, ch, checksum, limit, PatchWriter.Completion.AT_LENGTH, creation,
          new Answers(creation), null, !creation);
    } catch (IOException | RuntimeException e) {
      ch.close();
      u.unlock();
      throw e;
    }
  }

  /** How tus answers the end of a body. */
  private final class Answers implements PatchWriter.Answer {
    private final boolean creation;

    Answers(boolean creation) {
      this.creation = creation;
    }

    @Override
    public TusResponse appended(Upload u) {
      UploadInfo info = u.info();
      TusResponse r = creation ? response(201).header("Location", location(u.id)) : response(204);
      r.header("Upload-Offset", info.offset());
      if (!info.complete()) {
        r.header("Upload-Expires", httpDate(info.expiresMillis()));
      }
      return r;
    }

    @Override
    public void released(Upload u) {
      afterWrite(u);
    }

    @Override
    public TusResponse conflict(Upload u) {
      return withVersion(TusResponse.error(409, "409 Conflict: the upload is at offset " + u.info().offset()))
          .header("Upload-Offset", u.info().offset());
    }

    @Override
    public TusResponse digestMismatch(Upload u) {
      return response(460).header("Content-Type", "text/plain; charset=utf-8").header("Upload-Offset", u.info().offset());
    }

    @Override
    public TusResponse inconsistentLength(Upload u) {
      throw new IllegalStateException("tus completes at its length, never at the end of a request");
    }

    @Override
    public TusResponse tooLarge(Upload u) {
      return TusEndpoint.this.tooLarge("the body goes past Upload-Length");
    }
  }

  /**
   * Termination: the upload and its data are gone (a completed file stays where it was moved). The
   * final uploads waiting for a terminated part could never complete: they go with it (one that
   * another request holds just then goes when next asked for, or at the next sweep).
   */
  private TusResponse terminate(Upload u) throws IOException {
    if (!u.tryLock()) {
      return withVersion(TusResponse.error(423, "423 Locked: another request is writing this upload"));
    }
    try {
      store.delete(u);
    } finally {
      u.unlock();
    }
    if (u.info().concat() == UploadInfo.Concat.PARTIAL) {
      for (Upload fin : store.waitingFinals()) {
        if (fin.info().parts().contains(u.id)) {
          try {
            settle(fin);
          } catch (IOException e) {
            // the part is gone as asked; the final is ended when next asked for, or by the sweep
            System.err.println("rget serve: final upload " + fin.id + " after its part went: " + e.getMessage());
          }
        }
      }
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
