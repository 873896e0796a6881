package dev.rget.server.upload;

import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The IETF resumable-upload draft (draft-ietf-httpbis-resumable-upload) on the upload endpoint,
 * interop versions {@value #OLDEST_INTEROP} to {@value #LATEST_INTEROP}, and its RFC form (the same
 * rules without {@code Upload-Draft-Interop-Version}, then without the {@code 104}, which the draft
 * forbids for a request that does not name a version this server speaks).
 *
 * <ul>
 *   <li>Creation: {@code POST} (or {@code PUT}, {@code PATCH}) to {@code /uploads/} with
 *       {@code Upload-Complete}; the body, if any, is the start of the data. A {@code 104 Upload
 *       Resumption Supported} with {@code Location} goes out before the body is read.
 *   <li>Offset retrieval: {@code HEAD} gives {@code Upload-Offset}, {@code Upload-Complete},
 *       {@code Upload-Length} when known, {@code Upload-Limit}, {@code Cache-Control: no-store}.
 *   <li>Append: {@code PATCH} with {@code application/partial-upload}, {@code Upload-Offset} and
 *       {@code Upload-Complete}; errors are RFC 9457 problem details with the draft's types.
 *   <li>Cancellation: {@code DELETE}.
 *   <li>Integrity (RFC 9530): {@code Content-Digest} on a request is checked before its content
 *       counts; {@code Repr-Digest} on creation is checked when the upload completes, and the
 *       completing response carries the {@code Repr-Digest} computed (also on
 *       {@code Want-Repr-Digest}).
 * </ul>
 *
 * <p>An upload completes only when a request with {@code Upload-Complete: ?1} was processed whole;
 * its data is then moved into the upload directory under the {@code Content-Disposition} file name
 * (or a tus {@code Upload-Metadata} filename) like a tus upload. Thread-safe.
 */
final class DraftEndpoint {
  static final String PARTIAL_UPLOAD = "application/partial-upload";
  static final int OLDEST_INTEROP = 6;
  static final int LATEST_INTEROP = 8;
  static final String PROBLEMS = "https://iana.org/assignments/http-problem-types#";

  private final UploadSettings settings;
  private final UploadStore store;

  DraftEndpoint(UploadSettings settings, UploadStore store) {
    this.settings = settings;
    this.store = store;
  }

  /**
   * Whether a request follows the draft rather than tus: it names an interop version or carries
   * {@code Upload-Complete}; or, without {@code Tus-Resumable}, it is a {@code HEAD} or
   * {@code DELETE} (which carry no marker of their own in the draft) or a {@code PATCH} of
   * {@code application/partial-upload}.
   */
  static boolean speaks(HttpHeaders h, String method) {
    if (h.contains("Upload-Draft-Interop-Version") || h.contains("Upload-Complete")) {
      return true;
    }
    if (h.contains("Tus-Resumable")) {
      return false;
    }
    return method.equals("HEAD") || method.equals("DELETE") || isPartialUpload(h);
  }

  /** Answers one request (see {@link TusEndpoint#begin}). */
  Object begin(String method, HttpHeaders h, List<String> rest) throws IOException {
    int version = 0;
    String v = h.get("Upload-Draft-Interop-Version");
    if (v != null) {
      version = (int) Math.min(Integer.MAX_VALUE, TusEndpoint.parseLength(v));
      if (version < OLDEST_INTEROP || version > LATEST_INTEROP) {
        return problem(400, null, "Bad Request", "Upload-Draft-Interop-Version: this server speaks "
            + OLDEST_INTEROP + " to " + LATEST_INTEROP, Map.of());
      }
    }
    if (rest.isEmpty()) {
      return switch (method) {
        case "POST", "PUT", "PATCH" -> create(h, version);
        default -> notAllowed("OPTIONS, POST, PUT, PATCH");
      };
    }
    if (rest.size() > 1) {
      return problem(404, null, "Not Found", null, Map.of());
    }
    Upload u = store.find(rest.get(0));
    if (u == null) {
      return problem(404, null, "Not Found", "no such upload", Map.of());
    }
    if (!u.info().complete() && store.expired(u.info())) {
      return problem(410, null, "Gone", "the upload expired", Map.of());
    }
    return switch (method) {
      case "HEAD" -> head(u, version);
      case "PATCH" -> append(u, h, version);
      case "DELETE" -> cancel(u);
      default -> notAllowed("OPTIONS, HEAD, PATCH, DELETE");
    };
  }

  /** The {@code Upload-Limit} value for {@code u} (null: the general limits, for OPTIONS). */
  String limits(Upload u) {
    return limits(u, 0);
  }

  private String limits(Upload u, int version) {
    long age = u == null ? settings.expiry().toSeconds()
        : Math.max(0, (u.info().expiresMillis() - store.now()) / 1000);
    StringBuilder b = new StringBuilder("max-size=").append(settings.maxSize());
    if (u == null || !u.info().complete()) {
      b.append(", max-age=").append(age);
      if (version == OLDEST_INTEROP) {
        b.append(", expires=").append(age); // interop 6 called it expires
      }
    }
    return b.toString();
  }

  /** Upload creation. */
  private Object create(HttpHeaders h, int version) throws IOException {
    Boolean complete = parseBoolean(single(h, "Upload-Complete"));
    if (complete == null) {
      return problem(400, null, "Bad Request", "Upload-Complete must be ?0 or ?1", Map.of());
    }
    Object length = declaredLength(h, complete, 0);
    if (length instanceof TusResponse r) {
      return r;
    }
    long declared = (Long) length;
    if (declared > settings.maxSize() || contentLength(h) > settings.maxSize()) {
      return tooLarge(null, version);
    }
    if (declared != UploadInfo.UNKNOWN && contentLength(h) > declared) {
      return problem(400, PROBLEMS + "inconsistent-upload-length", "inconsistent length values for upload",
          "the content is longer than Upload-Length " + declared, Map.of());
    }
    DigestFields.Expected content;
    String repr;
    try {
      content = h.get("Content-Digest") == null ? null : DigestFields.parse("Content-Digest", h.get("Content-Digest"));
      DigestFields.Expected r = h.get("Repr-Digest") == null ? null : DigestFields.parse("Repr-Digest", h.get("Repr-Digest"));
      String want = h.get("Want-Repr-Digest") == null ? null : DigestFields.wanted(h.get("Want-Repr-Digest"));
      repr = r != null ? r.value() : want != null ? "want:" + want : null;
    } catch (DigestFields.BadDigestException e) {
      return problem(400, null, "Bad Request", e.getMessage(), Map.of());
    }
    long usable = store.dir().toFile().getUsableSpace();
    if (declared > usable) {
      return problem(507, null, "Insufficient Storage", usable + " bytes free", Map.of());
    }
    String proposed = ContentDisposition.filename(h.get("Content-Disposition"));
    String metadata = "";
    if (h.get("Upload-Metadata") != null) {
      // tus clients speaking the draft (tus-js-client's ietf-draft-05) still name the file this way
      try {
        metadata = h.get("Upload-Metadata");
        if (proposed == null) {
          proposed = UploadMetadata.filename(UploadMetadata.parse(metadata));
        }
      } catch (UploadMetadata.BadMetadataException e) {
        return problem(400, null, "Bad Request", e.getMessage(), Map.of());
      }
    }
    String name = SafeName.of(proposed, null);
    Upload u = store.create(declared, metadata, name, UploadInfo.Kind.DRAFT, UploadInfo.Concat.NONE, List.of(), repr);
    if (!u.tryLock()) {
      throw new IllegalStateException("a new upload is locked");
    }
    TusResponse interim = null;
    if (version != 0 && hasBody(h)) {
      interim = new TusResponse(104).header("Location", TusEndpoint.location(u.id))
          .header("Upload-Draft-Interop-Version", version).header("Upload-Limit", limits(u, version));
    }
    return writer(u, content, complete, true, version, interim);
  }

  /** Offset retrieval. */
  private TusResponse head(Upload u, int version) {
    UploadInfo info = u.info();
    TusResponse r = new TusResponse(204)
        .header("Upload-Offset", info.offset())
        .header("Upload-Complete", info.complete() ? "?1" : "?0");
    if (info.lengthKnown()) {
      r.header("Upload-Length", info.length());
    }
    return r.header("Upload-Limit", limits(u, version)).header("Cache-Control", "no-store");
  }

  /** Upload append. */
  private Object append(Upload u, HttpHeaders h, int version) throws IOException {
    if (u.info().concat() == UploadInfo.Concat.FINAL) {
      return problem(403, null, "Forbidden", "a final tus upload is assembled from its parts", Map.of());
    }
    if (!isPartialUpload(h)) {
      return problem(415, null, "Unsupported Media Type", "an append is " + PARTIAL_UPLOAD, Map.of());
    }
    long offset = TusEndpoint.parseLength(single(h, "Upload-Offset"));
    if (offset < 0) {
      return problem(400, null, "Bad Request", "Upload-Offset must be a non-negative integer", Map.of());
    }
    Boolean complete = parseBoolean(single(h, "Upload-Complete"));
    if (complete == null) {
      return problem(400, null, "Bad Request", "Upload-Complete must be ?0 or ?1", Map.of());
    }
    DigestFields.Expected content;
    try {
      content = h.get("Content-Digest") == null ? null : DigestFields.parse("Content-Digest", h.get("Content-Digest"));
    } catch (DigestFields.BadDigestException e) {
      return problem(400, null, "Bad Request", e.getMessage(), Map.of());
    }
    if (!u.tryLock()) {
      return problem(423, null, "Locked", "another request is writing this upload", Map.of())
          .header("Upload-Offset", u.info().offset());
    }
    boolean handedOver = false;
    try {
      UploadInfo info = u.info();
      if (u.gone()) {
        return problem(404, null, "Not Found", "no such upload", Map.of());
      }
      if (info.complete()) {
        return contentLength(h) > 0 || h.contains("Transfer-Encoding")
            ? inconsistent(u, "the upload is complete: nothing can be appended")
            : problem(400, PROBLEMS + "completed-upload", "upload is already completed", null, Map.of())
                .header("Upload-Complete", "?1");
      }
      if (offset != info.offset()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("expected-offset", info.offset());
        m.put("provided-offset", offset);
        return problem(409, PROBLEMS + "mismatching-upload-offset",
            "offset from request does not match offset of resource", null, m)
            .header("Upload-Offset", info.offset()).header("Upload-Complete", "?0");
      }
      Object length = declaredLength(h, complete, offset);
      if (length instanceof TusResponse r) {
        return r;
      }
      long declared = (Long) length;
      if (declared != UploadInfo.UNKNOWN) {
        if ((info.lengthKnown() && declared != info.length()) || declared < offset) {
          return inconsistent(u, "the length was given as " + info.length());
        }
        if (declared > settings.maxSize()) {
          return tooLarge(u, version);
        }
        if (!info.lengthKnown()) {
          store.update(u, info.withLength(declared)); // durable before any byte is taken against it
        }
      }
      long room = (u.info().lengthKnown() ? u.info().length() : settings.maxSize()) - offset;
      if (contentLength(h) > room) {
        return u.info().lengthKnown() ? inconsistent(u, "the content goes past the length " + u.info().length())
            : tooLarge(u, version);
      }
      PatchWriter w = writer(u, content, complete, false, version, null);
      handedOver = true;
      return w;
    } finally {
      if (!handedOver) {
        u.unlock();
      }
    }
  }

  /** Cancellation: the upload and its data are gone (a completed file stays where it was moved). */
  private TusResponse cancel(Upload u) throws IOException {
    if (!u.tryLock()) {
      return problem(423, null, "Locked", "another request is writing this upload", Map.of());
    }
    try {
      store.delete(u);
    } finally {
      u.unlock();
    }
    return new TusResponse(204);
  }

  private PatchWriter writer(Upload u, BodyDigest content, boolean complete, boolean creation, int version,
      TusResponse interim) throws IOException {
    FileChannel ch;
    try {
      ch = store.openForWrite(u);
    } catch (IOException e) {
      u.unlock();
      throw e;
    }
    try {
      UploadInfo info = u.info();
      long limit = info.lengthKnown() ? info.length() : settings.maxSize();
      return new PatchWriter(store, u, ch, content, limit,
          complete ? PatchWriter.Completion.AT_END : PatchWriter.Completion.NOT_YET, creation,
          new Answers(creation, version), interim);
    } catch (IOException | RuntimeException e) {
      ch.close();
      u.unlock();
      throw e;
    }
  }

  /** How the draft answers the end of a body. */
  private final class Answers implements PatchWriter.Answer {
    private final boolean creation;
    private final int version;
    private String reprDigest;

    Answers(boolean creation, int version) {
      this.creation = creation;
      this.version = version;
    }

    @Override
    public TusResponse appended(Upload u) {
      UploadInfo info = u.info();
      TusResponse r = new TusResponse(creation ? 201 : info.complete() ? 200 : 204);
      if (creation) {
        r.header("Location", TusEndpoint.location(u.id));
      }
      r.header("Upload-Complete", info.complete() ? "?1" : "?0").header("Upload-Offset", info.offset());
      if (!info.complete()) {
        r.header("Upload-Limit", limits(u, version));
      } else if (reprDigest != null) {
        r.header("Repr-Digest", reprDigest);
      }
      return r;
    }

    @Override
    public TusResponse digestMismatch(Upload u) {
      return problem(400, null, "Bad Request", "Content-Digest does not match the content; nothing of it was kept",
          Map.of()).header("Upload-Offset", u.info().offset()).header("Upload-Complete", "?0");
    }

    @Override
    public TusResponse inconsistentLength(Upload u) {
      return inconsistent(u, "the data ends at " + u.info().offset() + ", not at the length " + u.info().length());
    }

    @Override
    public TusResponse tooLarge(Upload u) {
      return u.info().lengthKnown() ? inconsistent(u, "the content goes past the length " + u.info().length())
          : DraftEndpoint.this.tooLarge(u, version);
    }

    /** Computes the whole data's digest if one was given or wanted; a mismatch discards the upload. */
    @Override
    public TusResponse beforeComplete(Upload u) throws IOException {
      String repr = u.info().reprDigest();
      if (repr == null) {
        return null;
      }
      boolean wantOnly = repr.startsWith("want:");
      String algorithm = wantOnly ? repr.substring(5) : repr.substring(0, repr.indexOf('='));
      MessageDigest md = DigestFields.newDigest(algorithm);
      try (FileChannel in = store.openForRead(u)) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (in.read(b) >= 0) {
          b.flip();
          md.update(b);
          b.clear();
        }
      }
      String actual = DigestFields.value(algorithm, md.digest());
      if (!wantOnly && !MessageDigest.isEqual(actual.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          repr.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
        store.delete(u); // the data is not what the client meant to send: it must not land in UPDIR
        return problem(400, null, "Bad Request",
            "Repr-Digest does not match the uploaded data; the upload was discarded", Map.of())
            .header("Upload-Complete", "?1").header("Repr-Digest", actual);
      }
      reprDigest = actual;
      return null;
    }
  }

  /**
   * The length a request declares: {@code Upload-Length}, or with {@code Upload-Complete: ?1} the
   * offset plus {@code Content-Length}; both must agree. {@link UploadInfo#UNKNOWN} when it declares
   * none; a problem response when malformed or inconsistent.
   */
  private Object declaredLength(HttpHeaders h, boolean complete, long offset) {
    long declared = UploadInfo.UNKNOWN;
    if (h.contains("Upload-Length")) {
      declared = TusEndpoint.parseLength(single(h, "Upload-Length"));
      if (declared < 0) {
        return problem(400, null, "Bad Request", "Upload-Length must be a non-negative integer", Map.of());
      }
    }
    if (complete && h.contains("Content-Length") && !h.contains("Transfer-Encoding")) {
      long fromContent = offset + contentLength(h);
      if (declared != UploadInfo.UNKNOWN && declared != fromContent) {
        return problem(400, PROBLEMS + "inconsistent-upload-length", "inconsistent length values for upload",
            "Upload-Length " + declared + " but the content ends at " + fromContent, Map.of());
      }
      declared = fromContent;
    }
    return declared;
  }

  private TusResponse inconsistent(Upload u, String detail) {
    return problem(400, PROBLEMS + "inconsistent-upload-length", "inconsistent length values for upload", detail,
        Map.of()).header("Upload-Offset", u.info().offset()).header("Upload-Complete", u.info().complete() ? "?1" : "?0");
  }

  private TusResponse tooLarge(Upload u, int version) {
    return problem(413, null, "Content Too Large", "over the largest upload taken, " + settings.maxSize() + " bytes",
        Map.of()).header("Upload-Limit", limits(u, version));
  }

  private static TusResponse notAllowed(String allow) {
    return problem(405, null, "Method Not Allowed", null, Map.of()).header("Allow", allow);
  }

  private static TusResponse problem(int status, String type, String title, String detail, Map<String, Object> m) {
    return TusResponse.problem(status, type, title, detail, m);
  }

  /**
   * The value of a field that must appear once: field lines given twice combine into a list, which
   * is not a valid Item, so the field is ignored (null) as the draft asks.
   */
  private static String single(HttpHeaders h, String name) {
    List<String> all = h.getAll(name);
    return all.size() == 1 ? all.get(0) : null;
  }

  /** A Structured Field Boolean ({@code ?0}, {@code ?1}); null for anything else. */
  static Boolean parseBoolean(String s) {
    if (s == null) {
      return null;
    }
    return switch (s.strip()) {
      case "?1" -> Boolean.TRUE;
      case "?0" -> Boolean.FALSE;
      default -> null;
    };
  }

  static boolean isPartialUpload(HttpHeaders h) {
    String type = h.get("Content-Type");
    if (type == null) {
      return false;
    }
    int semi = type.indexOf(';');
    return (semi < 0 ? type : type.substring(0, semi)).strip().toLowerCase(Locale.ROOT).equals(PARTIAL_UPLOAD);
  }

  private static boolean hasBody(HttpHeaders h) {
    return h.contains("Transfer-Encoding") || contentLength(h) > 0;
  }

  private static long contentLength(HttpHeaders h) {
    return Math.max(0, TusEndpoint.parseLength(h.get("Content-Length")));
  }
}
