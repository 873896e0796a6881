package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Resolver}: a caller waiting for a lookup that does not answer (a {@link BlockingLookup},
 * which ignores interrupts as the JDK's lookup does) stops waiting at once on its abort or on an
 * interrupt; the lookup it leaves behind finishes in the background; a few threads at most look
 * names up, one lookup per name; literal addresses never reach the lookup.
 */
@Timeout(60)
class ResolverTest {
  /** Generous for a loaded machine; the lookups here block for up to a minute. */
  private static final Duration PROMPT = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @AutoClose private final BlockingLookup names = new BlockingLookup(2);
  private final List<Thread> threads = new ArrayList<>();

  @Test
  void literalAddressesNeverReachTheLookup() throws Exception {
    Resolver r = new Resolver(host -> {
      throw new AssertionError("looked up " + host);
    }, 1);
    ConnectAbort abort = new ConnectAbort();

    assertThat(r.all("192.0.2.7", abort)).containsExactly(InetAddress.getByName("192.0.2.7"));
    assertThat(r.all("[2001:db8::1]", abort))
        .containsExactly(InetAddress.getByName("[2001:db8::1]"));
    assertThat(r.all("::1", abort)).containsExactly(InetAddress.getByName("::1"));
    InetSocketAddress a = r.socketAddress("127.0.0.1", 8080, abort);
    assertThat(a.isUnresolved()).isFalse();
    assertThat(a.getAddress().isLoopbackAddress()).isTrue();
    assertThat(a.getPort()).isEqualTo(8080);
    // A bracketed host that is no IPv6 address is unknown, still without a lookup.
    assertThat(r.socketAddress("[not:an:address::x]", 80, abort).isUnresolved()).isTrue();
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void theSystemResolverLooksANameUpOnItsThreads() throws Exception {
    // localhost comes from the hosts file: a real lookup that needs no network.
    InetAddress[] all = Resolver.system().all("localhost", new ConnectAbort());

    assertThat(all).isNotEmpty().allMatch(InetAddress::isLoopbackAddress);
    assertThat(all[0].getHostName()).isEqualTo("localhost");
    assertThat(Resolver.system().socketAddress("localhost", 443, new ConnectAbort()))
        .isEqualTo(new InetSocketAddress("localhost", 443));
  }

  @Test
  void anAbortEndsTheWaitAtOnceAndTheLookupFinishesInTheBackground() throws Exception {
    ConnectAbort abort = new ConnectAbort();
    FutureTask<InetAddress[]> call = call("slow.test", abort);
    assertThat(names.awaitStarted(1, WAIT)).isTrue();
    assertThat(call.isDone()).as("waiting for the lookup").isFalse();
    long t0 = System.nanoTime();

    abort.abort();

    assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(InterruptedIOException.class)
        .hasMessage("looking up slow.test cancelled");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPT);
    assertThat(names.finished()).as("the lookup is still blocked").isZero();
    assertThat(names.resolver().inFlight()).isEqualTo(1);

    names.release();

    assertThat(names.awaitFinished(1, WAIT)).isTrue();
    awaitCondition(() -> names.resolver().inFlight() == 0);
  }

  @Test
  void anInterruptEndsTheWaitAtOnceAndLeavesTheThreadInterrupted() throws Exception {
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    FutureTask<InetAddress[]> call = new FutureTask<>(() -> {
      try {
        return names.resolver().all("slow.test", new ConnectAbort());
      } finally {
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      }
    });
    Thread caller = start(call);
    assertThat(names.awaitStarted(1, WAIT)).isTrue();
    long t0 = System.nanoTime();

    caller.interrupt();

    assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS))
        .cause().isInstanceOf(InterruptedIOException.class)
        .hasMessage("interrupted while looking up slow.test");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPT);
    assertThat(stillInterrupted.get()).as("the interrupt is the interrupter's to clear").isTrue();
    assertThat(names.finished()).isZero();
  }

  @Test
  void callersOfOneNameShareOneLookup() throws Exception {
    FutureTask<InetAddress[]> first = call("same.test", new ConnectAbort());
    assertThat(names.awaitStarted(1, WAIT)).isTrue();
    FutureTask<InetAddress[]> second = call("same.test", new ConnectAbort());
    awaitCondition(() -> threads.get(1).getState() == Thread.State.WAITING);

    names.release();

    assertThat(first.get(30, TimeUnit.SECONDS)).containsExactly(InetAddress.getLoopbackAddress());
    assertThat(second.get(30, TimeUnit.SECONDS)).containsExactly(InetAddress.getLoopbackAddress());
    assertThat(names.started()).containsExactly("same.test");
  }

  @Test
  void beyondItsThreadsALookupWaitsInTheQueueAndItsCallerCanStillStop() throws Exception {
    call("one.test", new ConnectAbort());
    call("two.test", new ConnectAbort());
    assertThat(names.awaitStarted(2, WAIT)).isTrue();
    ConnectAbort third = new ConnectAbort();
    FutureTask<InetAddress[]> queued = call("three.test", third);
    awaitCondition(() -> threads.get(2).getState() == Thread.State.WAITING);
    assertThat(names.started()).as("both threads are taken").hasSize(2);
    assertThat(names.resolver().inFlight()).isEqualTo(3);
    long t0 = System.nanoTime();

    third.abort();

    assertThatThrownBy(() -> queued.get(30, TimeUnit.SECONDS))
        .cause().isInstanceOf(InterruptedIOException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPT);

    names.release();

    // The queued lookup still runs once a thread is free; then nothing is left in flight.
    assertThat(names.awaitFinished(3, WAIT)).isTrue();
    assertThat(names.started()).containsExactlyInAnyOrder("one.test", "two.test", "three.test");
    awaitCondition(() -> names.resolver().inFlight() == 0);
  }

  @Test
  void anUnknownNameFailsWithTheLookupsMessageOrIsUnresolved() throws Exception {
    names.release();

    assertThatThrownBy(() -> names.resolver().all("nosuch.invalid", new ConnectAbort()))
        .isExactlyInstanceOf(UnknownHostException.class)
        .hasMessage("nosuch.invalid: Name or service not known");
    assertThat(names.resolver().socketAddress("nosuch.invalid", 80, new ConnectAbort())
        .isUnresolved()).isTrue();
  }

  @Test
  void aCallerAlreadyAbortedOrInterruptedStartsNoLookup() throws Exception {
    ConnectAbort aborted = new ConnectAbort();
    aborted.abort();
    assertThatThrownBy(() -> names.resolver().all("a.test", aborted))
        .isInstanceOf(InterruptedIOException.class)
        .hasMessage("connection set-up cancelled");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> names.resolver().all("b.test", new ConnectAbort()))
          .isInstanceOf(InterruptedIOException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(names.started()).isEmpty();
    assertThat(names.resolver().inFlight()).isZero();
  }

  /** Runs {@code all(host, abort)} on a thread of its own. */
  private FutureTask<InetAddress[]> call(String host, ConnectAbort abort) {
    FutureTask<InetAddress[]> f = new FutureTask<>(() -> names.resolver().all(host, abort));
    start(f);
    return f;
  }

  private Thread start(Runnable r) {
    Thread t = new Thread(r, "resolver-caller-" + threads.size());
    t.setDaemon(true);
    threads.add(t);
    t.start();
    return t;
  }

  private static void awaitCondition(BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      Thread.sleep(5); // polling a condition that has no signal of its own
    }
  }
}
