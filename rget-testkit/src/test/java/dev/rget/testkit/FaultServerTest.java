package dev.rget.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultServerTest {
  private static final int LEN = 300_000;
  private static final Content CONTENT = Content.pseudoRandom(LEN, 5);
  private static final Instant MODIFIED = Instant.parse("2024-03-04T05:06:07Z");

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private FaultServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FaultServer();
    server.put("/f.bin", Resource.builder(CONTENT).etag("v1").lastModified(MODIFIED).build());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.url(path)).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] slice(long from, int len) {
    return CONTENT.bytes(from, len);
  }

  @Test
  void servesWholeBodyWithValidators() throws Exception {
    HttpResponse<byte[]> r = get("/f.bin");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(CONTENT.toByteArray());
    assertThat(r.headers().firstValue("etag")).contains("\"v1\"");
    assertThat(r.headers().firstValue("last-modified")).contains("Mon, 04 Mar 2024 05:06:07 GMT");
    assertThat(r.headers().firstValue("accept-ranges")).contains("bytes");
    assertThat(r.headers().firstValueAsLong("content-length")).hasValue(LEN);

    HttpResponse<byte[]> head = client.send(HttpRequest.newBuilder(server.url("/f.bin"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValueAsLong("content-length")).hasValue(LEN);
    assertThat(get("/missing").statusCode()).isEqualTo(404);
    assertThat(server.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(server.requestCount()).isEqualTo(3);
    assertThat(server.bytesSent()).isEqualTo(LEN + "404 Not Found\n".length());
  }

  @Test
  void rangesAnd416() throws Exception {
    HttpResponse<byte[]> r = get("/f.bin", "Range", "bytes=100-199");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("content-range")).contains("bytes 100-199/" + LEN);
    assertThat(r.body()).isEqualTo(slice(100, 100));

    r = get("/f.bin", "Range", "bytes=" + (LEN - 10) + "-");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(slice(LEN - 10, 10));

    r = get("/f.bin", "Range", "bytes=-5");
    assertThat(r.headers().firstValue("content-range"))
        .contains("bytes " + (LEN - 5) + "-" + (LEN - 1) + "/" + LEN);
    assertThat(r.body()).isEqualTo(slice(LEN - 5, 5));

    r = get("/f.bin", "Range", "bytes=" + LEN + "-");
    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("content-range")).contains("bytes */" + LEN);

    r = get("/f.bin", "Range", "bytes=0-1,5-6");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(LEN);
  }

  @Test
  void servesContentBeyondFourGiB() throws Exception {
    long big = 5L << 30;
    Content huge = Content.pseudoRandom(big, 11);
    server.put("/huge", huge);
    HttpResponse<byte[]> r = get("/huge", "Range", "bytes=" + (big - 100) + "-");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("content-range"))
        .contains("bytes " + (big - 100) + "-" + (big - 1) + "/" + big);
    assertThat(r.body()).isEqualTo(huge.bytes(big - 100, 100));
    RawHttp.Reply head = RawHttp.send(server.port(), "HEAD", "/huge");
    assertThat(head.header("content-length")).isEqualTo(Long.toString(big));
  }

  @Test
  void ifRangeKeepsTheRangeOnlyWhenTheValidatorMatches() throws Exception {
    assertThat(get("/f.bin", "Range", "bytes=0-9", "If-Range", "\"v1\"").statusCode())
        .isEqualTo(206);
    assertThat(get("/f.bin", "Range", "bytes=0-9", "If-Range", "Mon, 04 Mar 2024 05:06:07 GMT")
        .statusCode()).isEqualTo(206);
    assertThat(get("/f.bin", "Range", "bytes=0-9", "If-Range", "\"v0\"").statusCode())
        .isEqualTo(200);
    assertThat(get("/f.bin", "Range", "bytes=0-9", "If-Range", "W/\"v1\"").statusCode())
        .isEqualTo(200);
    assertThat(get("/f.bin", "Range", "bytes=0-9", "If-Range", "Mon, 04 Mar 2024 05:06:08 GMT")
        .statusCode()).isEqualTo(200);

    server.put("/f.bin", Resource.builder(CONTENT).etag("v2").build());
    assertThat(get("/f.bin", "Range", "bytes=0-9", "If-Range", "\"v1\"").statusCode())
        .isEqualTo(200);
  }

  @Test
  void chunkedResource() throws Exception {
    server.put("/c", Resource.builder(Content.ofString("hello chunks")).chunked(true).build());
    RawHttp.Reply raw = RawHttp.send(server.port(), "GET", "/c");
    assertThat(raw.header("transfer-encoding")).isEqualTo("chunked");
    assertThat(raw.header("content-length")).isNull();
    assertThat(get("/c").body()).asString().isEqualTo("hello chunks");
  }

  @Test
  void dropAfterNBytesClosesEachConnection() throws Exception {
    server.faults().dropAfter(70_000);
    RawHttp.Reply r = RawHttp.send(server.port(), "GET", "/f.bin");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(slice(0, 70_000));
    RawHttp.Reply again = RawHttp.send(server.port(), "GET", "/f.bin", "Range: bytes=1000-");
    assertThat(again.body()).isEqualTo(slice(1000, 70_000));
    server.awaitIdle(Duration.ofSeconds(5));
    assertThat(server.requests()).extracting(RequestRecord::bodyBytes).containsOnly(70_000L);
    assertThat(server.requests()).extracting(RequestRecord::complete).containsOnly(false);

    server.faults().resetAfter(10);
    RawHttp.Reply reset = RawHttp.send(server.port(), "GET", "/f.bin");
    assertThat(reset.body().length).isLessThanOrEqualTo(10);
    assertThat(reset.reset()).isTrue();

    server.faults().clear();
    assertThat(RawHttp.send(server.port(), "GET", "/f.bin").body()).hasSize(LEN);
  }

  @Test
  void statusOverrideForTheNextRequests() throws Exception {
    server.faults().failNext(2, 503, 7);
    HttpResponse<byte[]> r = get("/f.bin");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("retry-after")).contains("7");
    assertThat(get("/f.bin").statusCode()).isEqualTo(503);
    assertThat(get("/f.bin").statusCode()).isEqualTo(200);
    server.faults().failAlways(429);
    assertThat(get("/f.bin").statusCode()).isEqualTo(429);
    assertThat(get("/f.bin").headers().firstValue("retry-after")).isEmpty();
    server.faults().clearStatus();
    server.awaitIdle(Duration.ofSeconds(5));
    assertThat(server.requests()).extracting(RequestRecord::status)
        .containsExactly(503, 503, 200, 429, 429);
  }

  @Test
  void wrongContentRangeAndShortBody() throws Exception {
    server.faults().wrongContentRangeStart(1);
    HttpResponse<byte[]> r = get("/f.bin", "Range", "bytes=10-19");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("content-range")).contains("bytes 11-20/" + LEN);
    assertThat(r.body()).isEqualTo(slice(10, 10));

    server.faults().wrongContentRangeTotal(-1);
    assertThat(get("/f.bin", "Range", "bytes=10-19").headers().firstValue("content-range"))
        .contains("bytes 10-19/" + (LEN - 1));

    server.faults().short206(4);
    RawHttp.Reply raw = RawHttp.send(server.port(), "GET", "/f.bin", "Range: bytes=10-19");
    assertThat(raw.status()).isEqualTo(206);
    assertThat(raw.header("content-length")).isEqualTo("10");
    assertThat(raw.body()).isEqualTo(slice(10, 6));

    server.faults().partialBodyWith200();
    r = get("/f.bin", "Range", "bytes=10-19");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-range")).contains("bytes 10-19/" + LEN);
    assertThat(r.body()).isEqualTo(slice(10, 10));

    server.faults().ifRangeAlwaysFails();
    assertThat(get("/f.bin", "Range", "bytes=0-9", "If-Range", "\"v1\"").body()).hasSize(LEN);
  }

  @Test
  void gzipIgnoringRange() throws Exception {
    server.faults().gzipIgnoringRange();
    HttpResponse<byte[]> r = get("/f.bin", "Range", "bytes=0-9", "Accept-Encoding", "gzip");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-encoding")).contains("gzip");
    byte[] plain = new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes();
    assertThat(plain).isEqualTo(CONTENT.toByteArray());
    assertThat(get("/f.bin", "Range", "bytes=0-9").statusCode()).isEqualTo(206);
  }

  @Test
  void redirectsAndStallRelease() throws Exception {
    server.redirect("/a", 302, "/b").redirect("/b", 307, server.url("/f.bin").toString());
    HttpResponse<byte[]> r = get("/a");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("location")).contains("/b");
    HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    assertThat(following.send(HttpRequest.newBuilder(server.url("/a")).build(),
        HttpResponse.BodyHandlers.ofByteArray()).body()).hasSize(LEN);

    server.faults().stallAfter(1000);
    CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(
        HttpRequest.newBuilder(server.url("/f.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(server.faults().awaitStalled(1, Duration.ofSeconds(5))).isTrue();
    assertThat(pending).isNotDone();
    server.faults().releaseStalls();
    assertThat(pending.get().body()).isEqualTo(CONTENT.toByteArray());
  }

  @Test
  void concurrencyLimitAndSlowConnections() throws Exception {
    server.faults().maxConcurrentRequests(1, 503, 2).stallAfter(100);
    CompletableFuture<HttpResponse<byte[]>> first = client.sendAsync(
        HttpRequest.newBuilder(server.url("/f.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(server.faults().awaitStalled(1, Duration.ofSeconds(5))).isTrue();
    RawHttp.Reply second = RawHttp.send(server.port(), "GET", "/f.bin");
    assertThat(second.status()).isEqualTo(503);
    assertThat(second.header("retry-after")).isEqualTo("2");
    server.faults().releaseStalls();
    assertThat(first.get().statusCode()).isEqualTo(200);
    server.faults().clear();

    server.put("/small", Content.pseudoRandom(60_000, 2));
    server.faults().slowConnections(2, 200_000);
    long fast = timeMillis(() -> RawHttp.send(server.port(), "GET", "/small"));
    long slow = timeMillis(() -> RawHttp.send(server.port(), "GET", "/small"));
    assertThat(server.connectionCount() % 2).isZero(); // the second raw request used an even one
    assertThat(slow).isGreaterThan(200L).isGreaterThan(fast);
  }

  private interface Io {
    Object run() throws Exception;
  }

  private static long timeMillis(Io io) throws Exception {
    long t0 = System.nanoTime();
    io.run();
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void rateLimitPacesTheBody() throws Exception {
    server.put("/slow", Resource.builder(Content.pseudoRandom(100_000, 1)).rateLimit(400_000).build());
    long t0 = System.nanoTime();
    assertThat(get("/slow").body()).hasSize(100_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).isBetween(180L, 2_000L);
  }

  @Test
  void logRecordsHeadersAndCountersReset() throws Exception {
    get("/f.bin", "Range", "bytes=0-99", "X-Test", "yes");
    server.awaitIdle(Duration.ofSeconds(5));
    RequestRecord rec = server.requests("/f.bin").get(0);
    assertThat(rec.header("range")).contains("bytes=0-99");
    assertThat(rec.header("x-test")).contains("yes");
    assertThat(rec.status()).isEqualTo(206);
    assertThat(rec.bodyBytes()).isEqualTo(100);
    assertThat(rec.complete()).isTrue();
    assertThat(server.maxConcurrentRequests()).isEqualTo(1);
    server.resetCounters();
    assertThat(server.requests()).isEmpty();
    assertThat(server.bytesSent()).isZero();
    assertThat(Arrays.asList(server.requestCount(), server.connectionCount()))
        .containsOnly(0L);
  }
}
