package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadOptions;
import dev.rget.core.HostLimiter;
import dev.rget.core.Rget;
import dev.rget.core.transport.Transport;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole-download rate limit, and the per-host connection cap shared by a list. */
@Timeout(60)
class RateAndHostLimitTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void rateLimitHoldsForTheWholeDownloadNotPerConnection() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 91);
    server.put("/f", c);
    long limit = MIB;
    Path out = dir.resolve("f.bin");

    long t0 = System.nanoTime();
    Download d = Rget.download(server.url("/f"), out,
        h.options().connections(4).limitRate(limit).build());
    int mostConnections = 0;
    while (!d.result().isDone()) { // sampling the connection count, not waiting for a condition
      mostConnections = Math.max(mostConnections, d.progress().activeConnections());
      Thread.sleep(10);
    }
    HostileDownloads.await(d);
    double seconds = (System.nanoTime() - t0) / 1e9;

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(mostConnections).as("connections receiving at once").isEqualTo(4);
    double rate = c.length() / seconds;
    // A per-connection limit would give about four times the rate. A quarter second of burst
    // is allowed at the start, so the rate may sit a little above the limit; a loaded machine
    // only makes it slower, so the lower bound is loose: it catches a limiter that books far
    // more time than the bytes need, not a busy scheduler.
    assertThat(rate).as("bytes/s").isBetween(0.5 * limit, 1.2 * limit);
  }

  @Test
  void hostLimiterCapsConnectionsAcrossTheDownloadsOfAList() throws Exception {
    List<Content> contents = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Content c = Content.pseudoRandom(2L * MIB, 92 + i);
      contents.add(c);
      // Paced, so that the downloads overlap and really compete for connections.
      server.put("/f" + i, Resource.builder(c).rateLimit(4L * MIB).build());
    }
    HostLimiter limiter = new HostLimiter(2);
    // Segments of 512 KiB and a 512 KiB split size: nothing is split mid-flight, so no
    // connection is aborted (an aborted one lingers on the server side for a moment).
    DownloadOptions opts = h.options().connections(4).minSplitSize(512 * 1024)
        .hostLimiter(limiter).build();
    List<Download> downloads = new ArrayList<>();
    try (Transport shared = Rget.newTransport(opts)) {
      for (int i = 0; i < 3; i++) {
        downloads.add(Rget.download(server.url("/f" + i), dir.resolve("f" + i), false, opts,
            shared));
      }
      for (Download d : downloads) {
        HostileDownloads.await(d);
      }
    }

    for (int i = 0; i < 3; i++) {
      assertThat(sha256(dir.resolve("f" + i))).isEqualTo(contents.get(i).sha256());
    }
    assertThat(server.maxConcurrentConnections()).isEqualTo(2);
  }

  @Test
  void afterARedirectTheCapCountsTheHostConnectedToNotTheOriginal() throws Exception {
    // A ("localhost") only redirects; B (this test's server, "127.0.0.1") serves the files.
    // HostLimiter counts per host name, so the two are different hosts to it.
    try (FaultServer origin = new FaultServer()) {
      List<Content> contents = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Content c = Content.pseudoRandom(2L * MIB, 95 + i);
        contents.add(c);
        // Paced, so that the downloads overlap and compete for B's slots.
        server.put("/f" + i, Resource.builder(c).rateLimit(4L * MIB).build());
        origin.redirect("/f" + i, 302, server.url("/f" + i).toString());
      }
      HostLimiter limiter = new HostLimiter(2);
      DownloadOptions opts = h.options().connections(4).minSplitSize(512 * 1024)
          .hostLimiter(limiter).build();
      List<Download> downloads = new ArrayList<>();
      try (Transport shared = Rget.newTransport(opts)) {
        for (int i = 0; i < 3; i++) {
          URI viaA = URI.create("http://localhost:" + origin.port() + "/f" + i);
          downloads.add(Rget.download(viaA, dir.resolve("f" + i), false, opts, shared));
        }
        for (Download d : downloads) {
          HostileDownloads.await(d);
        }
      }

      for (int i = 0; i < 3; i++) {
        assertThat(sha256(dir.resolve("f" + i))).isEqualTo(contents.get(i).sha256());
      }
      assertThat(origin.requests()).as("every download asked A first").hasSizeGreaterThanOrEqualTo(3);
      // B never had more connections than the cap, though A's slots were free all along (a slot
      // counted against A while its connection went to B would have let a third one in), and
      // it did get the cap's worth.
      assertThat(server.maxConcurrentConnections()).isEqualTo(2);
    }
  }
}
