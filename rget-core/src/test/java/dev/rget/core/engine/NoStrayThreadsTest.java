package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once a download's result is out, none of its threads is still running its code: no connection
 * still writing, reading or waiting, and no task the executor starts later does anything.
 */
@Timeout(60)
class NoStrayThreadsTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void whenACancelledDownloadsResultCompletesNoneOfItsOtherThreadsRunsItsCode() throws Exception {
    server.put("/f", Resource.builder(Content.pseudoRandom(16L * MIB, 71)).rateLimit(MIB).build());
    try (CallerPool pool = new CallerPool()) {
      Download d = Rget.download(server.url("/f"), dir.resolve("f.bin"),
          h.options().connections(8).executor(pool).build());
      HostileDownloads.awaitCondition(() -> d.progress().activeConnections() >= 4,
          Duration.ofSeconds(20));
      // Runs on the thread that completes the result, at that moment.
      AtomicReference<List<String>> busy = new AtomicReference<>();
      // The task group's own frames are the bookkeeping that ends each task.
      d.result().whenComplete((r, e) -> busy.set(
          CallerPool.inRgetCode(pool::owns, TaskGroup.class)));

      d.cancel();

      // The snapshot is awaited, not the result: a thread waiting in the result's get() may run
      // the callback itself, and then not on the completing thread at the moment of completion.
      HostileDownloads.awaitCondition(() -> busy.get() != null, Duration.ofSeconds(30));
      assertCancelled(d);
      assertThat(busy.get()).as("threads still in the download's code").isEmpty();
    }
  }

  @Test
  void connectionsTheExecutorHasNotStartedAtACancelNeverRunAndDoNotDelayTheResult()
      throws Exception {
    server.put("/f", Resource.builder(Content.pseudoRandom(8L * MIB, 72)).rateLimit(MIB).build());
    List<Runnable> held = new ArrayList<>();
    AtomicInteger submitted = new AtomicInteger();
    try (CallerPool pool = new CallerPool()) {
      // The download's own task, its two state savers and its first connection run; the
      // executor holds back the other three connections (a busy pool, say).
      Download d = Rget.download(server.url("/f"), dir.resolve("f.bin"), h.options()
          .executor(task -> {
            if (submitted.incrementAndGet() <= 4) {
              pool.execute(task);
            } else {
              synchronized (held) {
                held.add(task);
              }
            }
          }).build());
      HostileDownloads.awaitCondition(() -> d.progress().doneBytes() > 0, Duration.ofSeconds(20));
      synchronized (held) {
        assertThat(held).as("connections held back").hasSize(3);
      }
      long t0 = System.nanoTime();

      d.cancel();

      assertCancelled(d);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
      int requests = server.requests("/f").size();
      Path state = HostileDownloads.state(dir.resolve("f.bin"));
      byte[] saved = Files.readAllBytes(state);
      // The pool gets to them now: they must return without a request or a write.
      synchronized (held) {
        held.forEach(Runnable::run);
      }
      assertThat(server.requests("/f")).hasSize(requests);
      assertThat(Files.readAllBytes(state)).isEqualTo(saved);
      assertThat(submitted.get()).as("no task submitted after the result").isEqualTo(7);
    }
  }

  private static void assertCancelled(Download d) throws Exception {
    try {
      d.result().get(30, TimeUnit.SECONDS);
      throw new AssertionError("a cancelled download must not succeed");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DownloadException.class);
      assertThat(((DownloadException) e.getCause()).kind()).isEqualTo(FailureKind.CANCELLED);
    }
  }
}
