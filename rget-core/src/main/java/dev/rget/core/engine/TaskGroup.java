package dev.rget.core.engine;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The tasks of one download (or of one phase of it) on the caller's executor, counted while
 * they wait to start and while they run, so that the download ends only after the last of its
 * threads: nothing of it still writes, reads or waits once its result is out. After
 * {@link #close} a task that had not started yet does nothing when the executor gets to it.
 */
final class TaskGroup implements Executor {
  private final Executor executor;
  private int pending;
  private int running;
  private boolean closed;

  TaskGroup(Executor executor) {
    this.executor = executor;
  }

  /**
   * Runs {@code task} on the executor as a member of this group.
   *
   * @throws RejectedExecutionException if the group is closed or the executor refuses the task
   */
  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (closed) {
        throw new RejectedExecutionException("the download has ended");
      }
      pending++;
    }
    try {
      executor.execute(() -> run(task));
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        pending--;
        notifyAll();
      }
      throw e;
    }
  }

  private void run(Runnable task) {
    synchronized (this) {
      pending--;
      if (closed) {
        notifyAll();
        return;
      }
      running++;
    }
    try {
      task.run();
    } finally {
      synchronized (this) {
        running--;
        notifyAll();
      }
    }
  }

  /**
   * From now on, tasks that have not started never will (they return at once when the executor
   * runs them), and no task may join. Tasks running now go on until they end.
   */
  synchronized void close() {
    closed = true;
    notifyAll();
  }

  /**
   * Waits up to {@code nanos} for every task to end (after {@link #close}, only the running
   * ones count).
   *
   * @return whether none is left
   */
  synchronized boolean awaitEnd(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (!ended()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /**
   * Closes the group and waits until its running tasks have ended. Uninterruptible: a download
   * must not report its end while one of its threads may still write to its files.
   */
  void closeAndAwait() {
    boolean interrupted = false;
    synchronized (this) {
      closed = true;
      while (running > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean ended() {
    return running == 0 && (closed || pending == 0);
  }
}
