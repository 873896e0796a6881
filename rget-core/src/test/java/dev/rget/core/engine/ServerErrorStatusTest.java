package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.complete;
import static dev.rget.core.engine.HostileDownloads.failure;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.RequestRecord;
import dev.rget.testkit.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Error statuses: throttling (429, 503) is waited out with fewer connections; other errors end
 * the download with one clear HTTP_STATUS failure and nothing at the output path.
 */
@Timeout(60)
class ServerErrorStatusTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @ParameterizedTest
  @ValueSource(ints = {503, 429})
  void throttlingWithoutRetryAfterIsWaitedOutWithBackoff(int status) throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 21);
    server.put("/f", c);
    server.faults().failNext(3, status);
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    List<RequestRecord> log = server.requests("/f");
    assertThat(log.stream().filter(q -> q.status() == status)).hasSize(3);
  }

  @ParameterizedTest
  @ValueSource(ints = {503, 429})
  void throttlingWithRetryAfterWaitsAsLongAsTheServerAsked(int status) throws Exception {
    Content c = Content.pseudoRandom(MIB, 22);
    server.put("/f", c);
    server.faults().failNext(1, status, 1);
    Path out = dir.resolve("f.bin");

    long t0 = System.nanoTime();
    complete(server.url("/f"), out, h.options().build());
    long millis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(sha256(out)).isEqualTo(c.sha256());
    // Exponential backoff alone would have waited at most 250 ms; Retry-After asked for 1 s.
    assertThat(millis).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void serverRefusingMoreThanTwoConcurrentRequestsGetsFewerConnectionsNotAFailure()
      throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 23);
    server.put("/f", Resource.builder(c).rateLimit(4L * MIB).build());
    server.faults().maxConcurrentRequests(2);
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().connections(8).minSplitSize(256 * 1024).build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(h.notices).anyMatch(n -> n.contains("503") && n.contains("fewer"));
    server.awaitIdle(Duration.ofSeconds(5));
    // Once the engine backed off, the server saw no more than a handful of refused requests.
    long refused = server.requests("/f").stream().filter(q -> q.status() == 503).count();
    assertThat(refused).isBetween(1L, 12L);
  }

  @Test
  void internalServerErrorEveryTimeIsRetriedABoundedNumberOfTimesThenReported() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 24));
    server.faults().failAlways(500);
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(server.url("/f"), out, h.options().retries(2).build());

    assertThat(e.kind()).isEqualTo(FailureKind.HTTP_STATUS);
    assertThat(e.kind().exitCode()).isEqualTo(4);
    assertThat(e.getMessage()).contains("500 Internal Server Error").contains("3 attempts");
    // Three attempts, one request each.
    assertThat(server.requestCount()).isEqualTo(3);
    assertThat(out).doesNotExist();
    assertThat(HostileDownloads.part(out)).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(ints = {404, 403, 401})
  void clientErrorStatusFailsAtOnceWithNoOutputFile(int status) throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 25));
    if (status != 404) {
      server.faults().failAlways(status);
    }
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(server.url(status == 404 ? "/missing" : "/f"), out,
        h.options().build());

    assertThat(e.kind()).isEqualTo(FailureKind.HTTP_STATUS);
    assertThat(e.getMessage()).startsWith("HTTP " + status);
    // Not retried: the one probe request.
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(out).doesNotExist();
    assertThat(HostileDownloads.part(out)).doesNotExist();
    assertThat(HostileDownloads.state(out)).doesNotExist();
  }

  @Test
  void errorStatusInTheMiddleIsRetriedWithoutFetchingWrittenBytesAgain() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 26);
    server.put("/f", Resource.builder(c).rateLimit(2L * MIB).build());
    server.faults().dropAfter(512 * 1024);
    Path out = dir.resolve("f.bin");
    // Four retries: even if one connection drew all four 502s in a row, it would not give up.
    Download d = Rget.download(server.url("/f"), out, h.options().retries(4).build());
    HostileDownloads.awaitCondition(() -> d.progress().doneBytes() > MIB, Duration.ofSeconds(20));
    server.faults().failNext(4, 502);

    HostileDownloads.await(d);

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(server.requests("/f").stream().filter(q -> q.status() == 502)).hasSize(4);
    assertThat(server.bytesSent()).isLessThan(c.length() + c.length() / 10);
  }
}
