package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cancel()} is prompt in every state a download can wait in: the result completes within
 * a second, whatever the server is doing, and what was written is saved for a resume.
 */
@Timeout(60)
class PromptCancelTest {
  private static final int KIB = 1 << 10;
  private static final int MIB = 1 << 20;
  /** What the issue promises: the result within a second of cancel(). */
  private static final Duration PROMPT = Duration.ofSeconds(1);

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void whileProbingAServerThatNeverAnswers() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    server.handle("/f", (request, out, socket) -> {
      asked.countDown();
      try {
        Thread.sleep(120_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    });
    Download d = Rget.download(server.url("/f"), dir.resolve("f.bin"),
        h.options().stallTimeout(Duration.ofSeconds(60)).build());
    assertThat(asked.await(20, TimeUnit.SECONDS)).as("probe request arrived").isTrue();

    assertCancelledPromptly(d);
  }

  @Test
  void whileWaitingOutARetryAfterOf120SecondsBeforeTheProbe() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 1));
    server.faults().failAlways(503, 120);
    Download d = Rget.download(server.url("/f"), dir.resolve("f.bin"), h.options().build());
    HostileDownloads.awaitCondition(() -> server.requests("/f").size() >= 1, Duration.ofSeconds(20));

    assertCancelledPromptly(d);
  }

  @Test
  void whileAConnectionWaitsOutARetryAfterOf120Seconds() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 2);
    server.put("/f", Resource.builder(c).rateLimit(512 * KIB).build());
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out, h.options().build());
    HostileDownloads.awaitCondition(() -> d.progress().doneBytes() > 0, Duration.ofSeconds(20));
    // From now on every request is told to come back in two minutes; the connections still
    // reading keep going until their segment ends, then wait.
    server.faults().failAlways(503, 120);
    HostileDownloads.awaitCondition(() -> server.requests("/f").stream()
        .filter(q -> q.status() == 503).count() >= 4 && d.progress().activeConnections() == 0,
        Duration.ofSeconds(20));

    assertCancelledPromptly(d);
    assertThat(HostileDownloads.writtenRanges(out)).as("progress saved").isNotEmpty();
  }

  @Test
  void whileRateLimitedTo10KibPerSecondWithEightConnections() throws Exception {
    server.put("/f", Content.pseudoRandom(4L * MIB, 3));
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out,
        h.options().connections(8).limitRate(10 * KIB).build());
    HostileDownloads.awaitCondition(() -> d.progress().doneBytes() >= 20 * KIB,
        Duration.ofSeconds(20));

    assertCancelledPromptly(d);
    assertThat(HostileDownloads.writtenRanges(out)).as("progress saved").isNotEmpty();
  }

  @Test
  void whileEveryConnectionIsStalled() throws Exception {
    server.put("/f", Content.pseudoRandom(4L * MIB, 4));
    server.faults().stallAfter(64 * KIB);
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out,
        h.options().stallTimeout(Duration.ofSeconds(60)).build());
    assertThat(server.faults().awaitStalled(4, Duration.ofSeconds(20))).isTrue();
    HostileDownloads.awaitCondition(() -> d.progress().doneBytes() >= 4 * 64 * KIB,
        Duration.ofSeconds(20));

    assertCancelledPromptly(d);
    assertThat(HostileDownloads.writtenRanges(out)).as("progress saved").isNotEmpty();
  }

  @Test
  void whileFinishingEndsInACompleteFileOrInAResumableOne() throws Exception {
    Content c = Content.pseudoRandom(64L * MIB, 5);
    server.put("/f", c);
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out, h.options().build());
    // Every byte written: the download is forcing, checking or renaming the file now.
    HostileDownloads.awaitCondition(
        () -> d.progress().doneBytes() == c.length() || d.result().isDone(),
        Duration.ofSeconds(30));
    long t0 = System.nanoTime();
    d.cancel();
    try {
      DownloadResult r = d.result().get(30, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPT);
      assertThat(r.path()).isEqualTo(out);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DownloadException.class);
      assertThat(((DownloadException) e.getCause()).kind()).isEqualTo(FailureKind.CANCELLED);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPT);
      assertThat(out).doesNotExist();
      // Saved as complete: the next run fetches nothing and commits. (The stopped run's flush
      // of the part file may still be ending, holding its lock for a moment.)
      DownloadResult again = completeOnceUnlocked(out);
      assertThat(again.bytesFetched()).isLessThanOrEqualTo(256 * KIB);
    }
    assertThat(HostileDownloads.sha256(out)).isEqualTo(c.sha256());
  }

  @Test
  void runsOnlyOnTheCallersExecutor() throws Exception {
    Content c = Content.pseudoRandom(8L * MIB, 6);
    server.put("/f", Resource.builder(c).rateLimit(4L * MIB).build());
    AtomicInteger tasks = new AtomicInteger();
    try (CallerPool pool = new CallerPool()) {
      // Earlier tests' downloads may still be ending on the default pool (a cancelled download's
      // last force, a connection being closed): start once none of them is left.
      HostileDownloads.awaitCondition(() -> strangers(pool).isEmpty(), Duration.ofSeconds(15));
      Download d = Rget.download(server.url("/f"), dir.resolve("f.bin"), h.options()
          .executor(task -> {
            tasks.incrementAndGet();
            pool.execute(task);
          }).build());
      Set<String> strangers = ConcurrentHashMap.newKeySet();
      while (!d.result().isDone()) {
        // Any thread running rget's engine or transport code must be one of the pool's.
        strangers.addAll(strangers(pool));
        Thread.sleep(20);
      }
      HostileDownloads.await(d);
      assertThat(strangers).isEmpty();
      // The download, its four connections and the two state savers at least.
      assertThat(tasks.get()).isGreaterThanOrEqualTo(7);
    }
  }

  private DownloadResult completeOnceUnlocked(Path out) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return Rget.download(server.url("/f"), out, h.options().build()).result().get();
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline
            || !String.valueOf(e.getCause().getMessage()).contains("another download")) {
          throw new AssertionError("resume after the cancel failed: " + e.getCause(), e);
        }
        Thread.sleep(20);
      }
    }
  }

  /** Threads other than the pool's and this one that are running rget code now. */
  private static List<String> strangers(CallerPool pool) {
    return CallerPool.inRgetCode(t -> !pool.owns(t), null);
  }

  /** Cancels and requires a CANCELLED result within {@link #PROMPT}. */
  private static void assertCancelledPromptly(Download d) throws Exception {
    CancelCheck.cancelledWithin(d, PROMPT, "running");
  }
}
