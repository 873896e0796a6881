package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A download's tasks: counted while pending and running, and none runs after the group ends. */
@Timeout(30)
class TaskGroupTest {
  /** An executor that runs its tasks only when the test says so. */
  private static final class Held implements java.util.concurrent.Executor {
    final List<Runnable> queue = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable r) {
      queue.add(r);
    }

    synchronized void runAll() {
      queue.forEach(Runnable::run);
      queue.clear();
    }
  }

  @Test
  void closeAndAwaitReturnsOnlyAfterTheRunningTaskHasEnded() throws Exception {
    TaskGroup group = new TaskGroup(r -> new Thread(r, "task").start());
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean ended = new AtomicBoolean();
    group.execute(() -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ended.set(true);
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Boolean> endedWhenAwaitReturned = CompletableFuture.supplyAsync(() -> {
      group.closeAndAwait();
      return ended.get();
    });
    // Blocked on the task (it cannot have returned: the task has not ended).
    assertThat(endedWhenAwaitReturned).isNotDone();
    release.countDown();

    assertThat(endedWhenAwaitReturned.get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aTaskTheExecutorStartsAfterCloseDoesNotRun() throws Exception {
    Held held = new Held();
    TaskGroup group = new TaskGroup(held);
    AtomicBoolean ran = new AtomicBoolean();
    group.execute(() -> ran.set(true));
    assertThat(group.awaitEnd(TimeUnit.MILLISECONDS.toNanos(1))).as("pending counts").isFalse();

    group.closeAndAwait();
    held.runAll();

    assertThat(ran).isFalse();
    assertThat(group.awaitEnd(0)).isTrue();
    assertThatThrownBy(() -> group.execute(() -> ran.set(true)))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void awaitEndWaitsForPendingTasksUntilTheyRun() throws Exception {
    Held held = new Held();
    TaskGroup group = new TaskGroup(held);
    AtomicBoolean ran = new AtomicBoolean();
    group.execute(() -> ran.set(true));
    assertThat(group.awaitEnd(TimeUnit.MILLISECONDS.toNanos(1))).isFalse();

    held.runAll();

    assertThat(ran).isTrue();
    assertThat(group.awaitEnd(0)).isTrue();
  }

  @Test
  void aRefusedTaskIsNotCounted() throws Exception {
    TaskGroup group = new TaskGroup(r -> {
      throw new RejectedExecutionException("full");
    });
    assertThatThrownBy(() -> group.execute(() -> { })).hasMessage("full");
    assertThat(group.awaitEnd(0)).isTrue();
  }
}
