package dev.rget.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A caller's own executor for tests: a cached pool of daemon threads that knows its threads, so
 * that a test can tell which threads run rget's code.
 */
final class CallerPool implements Executor, AutoCloseable {
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "caller-pool");
    t.setDaemon(true);
    threads.add(t);
    return t;
  });

  @Override
  public void execute(Runnable task) {
    pool.execute(task);
  }

  /** Whether {@code t} is one of this pool's threads. */
  boolean owns(Thread t) {
    return threads.contains(t);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  /**
   * The threads, other than the caller, that {@code which} selects and that are inside rget's
   * code (a frame of a class in {@code dev.rget.core}, other than {@code ignored}), each named
   * with the first such frame.
   *
   * @param ignored a class whose frames do not count ({@code null}: none)
   */
  static List<String> inRgetCode(Predicate<Thread> which, Class<?> ignored) {
    List<String> busy = new ArrayList<>();
    Thread.getAllStackTraces().forEach((t, stack) -> {
      if (t == Thread.currentThread() || !which.test(t)) {
        return;
      }
      for (StackTraceElement e : stack) {
        if (e.getClassName().startsWith("dev.rget.core.")
            && (ignored == null || !e.getClassName().startsWith(ignored.getName()))) {
          busy.add(t.getName() + " in " + e);
          return;
        }
      }
    });
    return busy;
  }
}
