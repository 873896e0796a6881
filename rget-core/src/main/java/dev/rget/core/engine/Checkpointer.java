package dev.rget.core.engine;

import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Saves the resume state while data flows: a quick save every {@code saveInterval} (the ranges
 * written so far, which survive a killed process), and a durable one every
 * {@code durableInterval} (force the part file, then record those ranges as surviving a power
 * cut too). Runs on its own thread and also samples the transfer rate.
 */
final class Checkpointer implements AutoCloseable {
  private final StateStore store;
  private final Function<RangeSet[], ResumeState> stateOf;
  private final WrittenRanges ledger;
  private final PartFile part;
  private final Duration saveInterval;
  private final Duration durableInterval;
  private final Consumer<IOException> onError;
  private final Runnable onTick;
  private final Thread thread;
  private volatile boolean running = true;
  private RangeSet durable;
  private long savedChange = -1;
  private long lastDurableNanos = System.nanoTime();

  /**
   * @param stateOf builds the state to save from {written, durable}
   * @param onError told when a save fails (for example, disk full)
   * @param onTick called on every tick (rate sampling)
   */
  Checkpointer(StateStore store, Function<RangeSet[], ResumeState> stateOf, WrittenRanges ledger,
      RangeSet durable, PartFile part, Duration saveInterval, Duration durableInterval,
      Consumer<IOException> onError, Runnable onTick) {
    this.store = store;
    this.stateOf = stateOf;
    this.ledger = ledger;
    this.durable = durable.copy();
    this.part = part;
    this.saveInterval = saveInterval;
    this.durableInterval = durableInterval;
    this.onError = onError;
    this.onTick = onTick;
    this.thread = new Thread(this::loop, "rget-checkpoint");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(saveInterval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      onTick.run();
      try {
        if (System.nanoTime() - lastDurableNanos >= durableInterval.toNanos()) {
          saveDurable();
        } else {
          saveQuick();
        }
      } catch (IOException e) {
        onError.accept(e);
        return;
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
    durable = intersection(durable, written);
    store.save(stateOf.apply(new RangeSet[] {written, durable}), false);
    savedChange = change;
  }

  private static RangeSet intersection(RangeSet a, RangeSet b) {
    RangeSet out = new RangeSet();
    List<ByteRange> x = a.ranges();
    List<ByteRange> y = b.ranges();
    int i = 0;
    int j = 0;
    while (i < x.size() && j < y.size()) {
      long start = Math.max(x.get(i).first(), y.get(j).first());
      long end = Math.min(x.get(i).endExclusive(), y.get(j).endExclusive());
      if (start < end) {
        out.add(start, end);
      }
      if (x.get(i).endExclusive() < y.get(j).endExclusive()) {
        i++;
      } else {
        j++;
      }
    }
    return out;
  }

  /** Forces the part file, then saves a state whose durable ranges are what was forced. */
  synchronized void saveDurable() throws IOException {
    long change = ledger.changeCount();
    RangeSet written = ledger.snapshot();
    part.force();
    durable = written;
    store.save(stateOf.apply(new RangeSet[] {written, durable}), true);
    savedChange = change;
    lastDurableNanos = System.nanoTime();
  }

  /** Stops the thread; does not save (the caller decides how to finish). */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
