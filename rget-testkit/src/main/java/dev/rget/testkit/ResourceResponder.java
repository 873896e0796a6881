package dev.rget.testkit;

import java.util.Locale;

/**
 * Decides the response to a GET or HEAD of a {@link Resource}: validators, Range / If-Range
 * semantics and the active {@link Faults.RangeQuirk}. Pure: no I/O.
 */
final class ResourceResponder {

  private ResourceResponder() {}

  static Response plan(Request req, Resource res, Faults.Quirk quirk) {
    boolean head = req.method().equals("HEAD");
    if (head && !res.headAllowed()) {
      return Response.error(405).header("Allow", "GET");
    }
    Content content = res.content();
    long len = content.length();
    Faults.RangeQuirk q = quirk.kind();

    if (q == Faults.RangeQuirk.GZIP_IGNORING_RANGE && acceptsGzip(req)) {
      Response r = common(new Response(200), res)
          .header("Content-Encoding", "gzip").header("Vary", "Accept-Encoding")
          .header("Transfer-Encoding", "chunked").body(content, 0, len);
      r.chunked = true;
      r.gzip = true;
      return r;
    }
    String rangeHeader = req.header("Range").orElse(null);
    if (rangeHeader == null || res.rangeSupport() == Resource.RangeSupport.IGNORE
        || q == Faults.RangeQuirk.IGNORE_RANGE) {
      return whole(res);
    }
    String ifRange = req.header("If-Range").orElse(null);
    if (ifRange != null && (q == Faults.RangeQuirk.IF_RANGE_ALWAYS_FAILS
        || !ifRangeMatches(ifRange, res))) {
      return whole(res);
    }
    RangeRequest range = RangeRequest.parse(rangeHeader);
    if (range.kind() != RangeRequest.Kind.SINGLE) {
      return whole(res); // invalid → ignored; multiple ranges → whole body (documented)
    }
    long[] span = range.resolve(len);
    if (span == null) {
      return common(new Response(416), res).header("Content-Range", "bytes */" + len)
          .header("Content-Length", 0);
    }
    long first = span[0];
    long last = span[1];
    long n = last - first + 1;
    long crFirst = first;
    long crLast = last;
    long crTotal = len;
    int status = 206;
    Response r;
    switch (q) {
      case PARTIAL_BODY_WITH_200 -> status = 200;
      case WRONG_CONTENT_RANGE_START -> {
        crFirst += quirk.parameter();
        crLast += quirk.parameter();
      }
      case WRONG_CONTENT_RANGE_TOTAL -> crTotal += quirk.parameter();
      default -> { }
    }
    r = common(new Response(status), res)
        .header("Content-Range", "bytes " + crFirst + "-" + crLast + "/" + crTotal)
        .header("Content-Length", n).body(content, first, n);
    r.misranged = q == Faults.RangeQuirk.WRONG_CONTENT_RANGE_START
        || q == Faults.RangeQuirk.WRONG_CONTENT_RANGE_TOTAL;
    if (q == Faults.RangeQuirk.SHORT_206) {
      r.sendLimit = Math.max(0, n - quirk.parameter());
      r.close = true;
    }
    return r;
  }

  private static Response whole(Resource res) {
    Response r = common(new Response(200), res);
    long len = res.content().length();
    if (res.chunked()) {
      r.header("Transfer-Encoding", "chunked");
      r.chunked = true;
    } else {
      r.header("Content-Length", len);
    }
    return r.body(res.content(), 0, len);
  }

  private static Response common(Response r, Resource res) {
    r.rateLimit = res.rateLimit();
    r.header("Content-Type", res.contentType());
    res.extraHeaders().forEach(h -> r.header(h.getKey(), h.getValue()));
    res.etag().ifPresent(e -> r.header("ETag", e));
    res.lastModifiedHeader().ifPresent(d -> r.header("Last-Modified", d));
    switch (res.acceptRanges()) {
      case BYTES -> r.header("Accept-Ranges", "bytes");
      case NONE -> r.header("Accept-Ranges", "none");
      case ABSENT -> { }
    }
    return r;
  }

  /**
   * RFC 9110 section 13.1.5: an entity-tag matches only if both are strong and identical; a date
   * matches only if it equals Last-Modified exactly.
   */
  static boolean ifRangeMatches(String ifRange, Resource res) {
    String v = ifRange.trim();
    if (v.startsWith("\"") || v.startsWith("W/")) {
      return !v.startsWith("W/") && res.hasStrongEtag() && v.equals(res.etag().orElseThrow());
    }
    return res.lastModified().isPresent()
        && HttpDates.parse(v).map(d -> d.equals(res.lastModified().get())).orElse(false);
  }

  /** Whether Accept-Encoding lists gzip (or *) with a non-zero q-value. */
  static boolean acceptsGzip(Request req) {
    String ae = req.header("Accept-Encoding").orElse(null);
    if (ae == null) {
      return false;
    }
    for (String item : ae.split(",")) {
      String[] parts = item.trim().split(";");
      String coding = parts[0].trim().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
        continue;
      }
      double qv = 1.0;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.toLowerCase(Locale.ROOT).startsWith("q=")) {
          try {
            qv = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            qv = 0;
          }
        }
      }
      if (qv > 0) {
        return true;
      }
    }
    return false;
  }
}
