package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.core.transport.Transport;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link ListRun}: real downloads from a real server on loopback, at most -j at once. */
@Timeout(60)
class ListRunTest {
  private static final int KIB = 1024;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();

  /** Remembers each outcome. */
  private static final class Outcomes implements ListRun.Listener {
    final ConcurrentHashMap<URI, Object> byUri = new ConcurrentHashMap<>();

    @Override
    public void done(URI uri, Download download, DownloadResult result) {
      byUri.put(uri, result);
    }

    @Override
    public void failed(URI uri, Download download, DownloadException failure) {
      byUri.put(uri, failure);
    }
  }

  @Test
  void runsAtMostJobsAtOnceAndReportsEachFileInListOrder() throws Exception {
    List<URI> uris = new ArrayList<>();
    List<Content> contents = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      if (i == 3) {
        uris.add(server.url("/missing"));
        contents.add(null);
        continue;
      }
      Content c = Content.pseudoRandom(256 * KIB, i);
      // Slow enough that the downloads overlap, so that the cap is what limits them.
      server.put("/f" + i, Resource.builder(c).rateLimit(1024 * KIB).build());
      uris.add(server.url("/f" + i));
      contents.add(c);
    }
    DownloadOptions opts = DownloadOptions.builder().connections(1).build();
    Outcomes outcomes = new Outcomes();
    int[] codes;
    try (Transport shared = Rget.newTransport(opts)) {
      codes = new ListRun(uris, 2, u -> Rget.download(u, dir, true, opts, shared), outcomes)
          .run();
    }

    assertThat(codes).containsExactly(0, 0, 0, 4, 0, 0, 0);
    assertThat(server.maxConcurrentRequests()).isEqualTo(2);
    assertThat(outcomes.byUri).hasSize(7);
    assertThat(outcomes.byUri.get(uris.get(3))).isInstanceOf(DownloadException.class);
    for (int i = 0; i < 7; i++) {
      if (contents.get(i) != null) {
        assertThat(sha256(dir.resolve("f" + i))).isEqualTo(contents.get(i).sha256());
      }
    }
  }

  @Test
  void downloadsThatEndAtOnceDoNotNestTheNextOnesStart() throws Exception {
    // An executor that refuses every task: each download fails inside Rget.download, before
    // ListRun sees it, so each completion runs on the thread that started it. Starting the next
    // from there must not nest one call per URL (a small stack would overflow).
    DownloadOptions opts = DownloadOptions.builder()
        .executor(r -> {
          throw new RejectedExecutionException("full");
        }).build();
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      uris.add(URI.create("http://127.0.0.1:1/f" + i));
    }
    AtomicReference<Object> out = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try (Transport shared = Rget.newTransport(opts)) {
        out.set(new ListRun(uris, 4, u -> Rget.download(u, dir, true, opts, shared),
            new Outcomes()).run());
      } catch (Throwable e) {
        out.set(e);
      }
    }, "small-stack", 256 * KIB);
    t.start();
    t.join(TimeUnit.SECONDS.toMillis(50));

    assertThat(out.get()).isInstanceOf(int[].class);
    assertThat((int[]) out.get()).hasSize(5000).containsOnly(ExitCodes.INTERNAL);
  }

  @Test
  void cancelStopsTheRunningDownloadsAndStartsNoMore() throws Exception {
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      server.put("/slow" + i, Resource.builder(Content.pseudoRandom(8L << 20, i))
          .rateLimit(64 * KIB).build());
      uris.add(server.url("/slow" + i));
    }
    DownloadOptions opts = DownloadOptions.builder().connections(1).build();
    Outcomes outcomes = new Outcomes();
    AtomicReference<Object> out = new AtomicReference<>();
    try (Transport shared = Rget.newTransport(opts)) {
      ListRun run = new ListRun(uris, 2, u -> Rget.download(u, dir, true, opts, shared),
          outcomes);
      Thread t = new Thread(() -> {
        try {
          out.set(run.run());
        } catch (Throwable e) {
          out.set(e);
        }
      });
      t.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (server.inFlightRequests() < 2) {
        assertThat(System.nanoTime()).as("two downloads under way").isLessThan(deadline);
        Thread.sleep(10); // polling the server for a condition, not waiting for a time
      }
      run.cancel();
      t.join(TimeUnit.SECONDS.toMillis(20));
    }

    assertThat(out.get()).isInstanceOf(int[].class);
    assertThat((int[]) out.get()).containsOnly(FailureKind.CANCELLED.exitCode());
    assertThat(server.requests("/slow2")).isEmpty();
    assertThat(server.requests("/slow3")).isEmpty();
    assertThat(server.requests("/slow4")).isEmpty();
    // Only the two started ones are reported; the other three are counted, not reported.
    assertThat(outcomes.byUri).containsOnlyKeys(uris.get(0), uris.get(1));
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(p)));
  }
}
