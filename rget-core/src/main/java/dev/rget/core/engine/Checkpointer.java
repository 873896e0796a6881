package dev.rget.core.engine;

import dev.rget.core.range.RangeSet;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Saves the resume state while data flows: a quick save every {@code saveInterval} (the ranges
 * written so far, which survive a killed process), and a durable one every
 * {@code durableInterval} or every {@link #SYNC_BYTES} written, whichever comes first (force the
 * part file, then record those ranges as surviving a power cut too). Quick saves run on one
 * task, which also samples the transfer rate; forcing runs on another, so a slow disk flush
 * never delays a quick save, and the flush overlaps the transfer instead of all coming at the end.
 * Both run on the download's executor.
 */
final class Checkpointer implements AutoCloseable {
  /** Unforced bytes that trigger a durable save before the interval is up. */
  static final long SYNC_BYTES = 64L << 20;
  private final StateStore store;
  private final Function<RangeSet[], ResumeState> stateOf;
  private final WrittenRanges ledger;
  private final PartFile part;
  private final Duration saveInterval;
  private final Duration durableInterval;
  private final Consumer<IOException> onError;
  private final Runnable onTick;
  private final CountDownLatch ended = new CountDownLatch(2);
  private boolean started;
  private final Object wakeup = new Object();
  private volatile boolean running = true;
  private RangeSet durable;
  private long savedChange = -1;
  private final LongSupplier clock;
  private volatile long lastDurableNanos;
  private volatile long durableChange = -1;

  /**
   * @param stateOf builds the state to save from {written, durable}
   * @param onError told when a save fails (for example, disk full)
   * @param onTick called on every tick (rate sampling)
   * @param clock the download's clock, nanoseconds
   */
  Checkpointer(StateStore store, Function<RangeSet[], ResumeState> stateOf, WrittenRanges ledger,
      RangeSet durable, PartFile part, Duration saveInterval, Duration durableInterval,
      Consumer<IOException> onError, Runnable onTick, LongSupplier clock) {
    this.clock = clock;
    this.lastDurableNanos = clock.getAsLong();
    this.store = store;
    this.stateOf = stateOf;
    this.ledger = ledger;
    this.durable = durable.copy();
    this.part = part;
    this.saveInterval = saveInterval;
    this.durableInterval = durableInterval;
    this.onError = onError;
    this.onTick = onTick;
  }

  /** Starts the two loops on {@code executor}. */
  void start(Executor executor) {
    started = true;
    executor.execute(() -> runThenCountDown(this::loop));
    executor.execute(() -> runThenCountDown(this::syncLoop));
  }

  private void runThenCountDown(Runnable loop) {
    try {
      loop.run();
    } finally {
      ended.countDown();
    }
  }

  private void loop() {
    while (running) {
      if (!pause(saveInterval.toMillis())) {
        return;
      }
      onTick.run();
      try {
        saveQuick();
      } catch (IOException e) {
        onError.accept(e);
        return;
      }
    }
  }

  private void syncLoop() {
    long syncedSize = ledger.size();
    while (running) {
      if (!pause(Math.min(50, saveInterval.toMillis()))) {
        return;
      }
      long size = ledger.size();
      boolean due = clock.getAsLong() - lastDurableNanos >= durableInterval.toNanos()
          && ledger.changeCount() != durableChange;
      if (size - syncedSize >= SYNC_BYTES || due) {
        try {
          saveDurable();
        } catch (IOException e) {
          onError.accept(e);
          return;
        }
        syncedSize = size;
      }
    }
  }

  /** Saves now if anything changed since the last save. */
  synchronized void saveQuick() throws IOException {
    long change = ledger.changeCount();
    if (change == savedChange) {
      return;
    }
    RangeSet written = ledger.snapshot();
    // The ledger can also shrink (bytes found wrong are discarded): what is durable is only what
    // is still written, or a resume after a power cut would trust the discarded bytes.
    durable = durable.intersection(written);
    store.save(stateOf.apply(new RangeSet[] {written, durable}), false);
    savedChange = change;
  }


  /**
   * Forces the part file, then saves a state whose durable ranges are what was written before
   * the force. Quick saves go on while the disk flushes; only the save itself is exclusive.
   */
  void saveDurable() throws IOException {
    long change = ledger.changeCount();
    RangeSet forced = ledger.snapshot();
    part.force();
    synchronized (this) {
      RangeSet written = ledger.snapshot();
      // Bytes discarded while the disk flushed are not durable, however forced they were.
      durable = forced.intersection(written);
      store.save(stateOf.apply(new RangeSet[] {written, durable}), true);
      savedChange = -1;
      durableChange = change;
      lastDurableNanos = clock.getAsLong();
    }
  }

  /** Waits {@code millis} or until closed; false once closed. */
  private boolean pause(long millis) {
    synchronized (wakeup) {
      if (running) {
        try {
          wakeup.wait(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return running;
    }
  }

  /**
   * Stops the loops and waits for them to end (a durable save in progress finishes first, so the
   * part file is not closed under its force); does not save (the caller decides how to finish).
   * The loops are woken, never interrupted: an interrupt during a file operation would close the
   * part file's channel.
   */
  @Override
  public void close() {
    synchronized (wakeup) {
      running = false;
      wakeup.notifyAll();
    }
    if (!started) {
      return;
    }
    try {
      if (!ended.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("a resume-state save did not end within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
