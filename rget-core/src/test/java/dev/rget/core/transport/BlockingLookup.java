package dev.rget.core.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A name lookup that does not answer until the test lets it, as a slow or dead resolver does, and
 * that an interrupt does not end (the JDK's lookup ignores interrupts too). JDK 17 has no
 * pluggable resolver, and the system's cannot be made slow on loopback without changing the
 * machine's resolver configuration, so tests give this one to the transport in place of
 * {@link InetAddress#getAllByName}. Once released it answers loopback, or, for a name ending in
 * {@code .invalid}, fails as an unknown name does. Public for the engine's tests, which reach
 * the package-private constructors through {@link #http1} and {@link #http2}.
 */
public final class BlockingLookup implements AutoCloseable {
  /** A bound on a test that forgot to release: the lookup then answers anyway. */
  private static final long MAX_BLOCK_SECONDS = 60;

  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> started = new ArrayList<>();
  private int finished;
  private final Resolver resolver;

  /** Behind a resolver with the production's number of threads. */
  public BlockingLookup() {
    this(Resolver.THREADS);
  }

  /** Behind a resolver with {@code threads} threads. */
  BlockingLookup(int threads) {
    resolver = new Resolver(this::lookup, threads);
  }

  /** The resolver that looks names up here. */
  Resolver resolver() {
    return resolver;
  }

  private InetAddress[] lookup(String host) throws UnknownHostException {
    synchronized (this) {
      started.add(host);
      notifyAll();
    }
    boolean interrupted = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_BLOCK_SECONDS);
      while (true) {
        try {
          release.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          break;
        } catch (InterruptedException e) {
          interrupted = true; // like the JDK's lookup: an interrupt does not end it
        }
      }
    } finally {
      synchronized (this) {
        finished++;
        notifyAll();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (host.endsWith(".invalid")) {
      throw new UnknownHostException(host + ": Name or service not known");
    }
    return new InetAddress[] {InetAddress.getLoopbackAddress()};
  }

  /** Lets every lookup, waiting or to come, answer at once. */
  public void release() {
    release.countDown();
  }

  /** The names looked up so far (started), in order. */
  public synchronized List<String> started() {
    return List.copyOf(started);
  }

  /** Lookups that have ended so far. */
  public synchronized int finished() {
    return finished;
  }

  /** Waits until {@code n} lookups have started; false if {@code timeout} passed first. */
  public boolean awaitStarted(int n, Duration timeout) throws InterruptedException {
    return await(() -> started.size() >= n, timeout);
  }

  /** Waits until {@code n} lookups have ended; false if {@code timeout} passed first. */
  public boolean awaitFinished(int n, Duration timeout) throws InterruptedException {
    return await(() -> finished >= n, timeout);
  }

  private synchronized boolean await(java.util.function.BooleanSupplier done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** An HTTP/1.1 transport (as {@link dev.rget.core.Rget#newTransport} makes) looking up here. */
  public Transport http1(Duration connectTimeout, Duration headerTimeout, SSLContext tls,
      ProxyRules proxies) {
    return new Http1Transport(connectTimeout, headerTimeout, "rget-test", tls, proxies, resolver);
  }

  /** An HTTP/2 transport (as {@link dev.rget.core.Rget#newTransport} makes) looking up here. */
  public Transport http2(Duration connectTimeout, Duration headerTimeout, SSLContext tls,
      Executor executor) {
    return new Http2Transport(connectTimeout, headerTimeout, "rget-test", tls,
        ProxyRules.direct(), executor, resolver);
  }

  /** Releases every lookup, so that none is left blocking a thread of the resolver. */
  @Override
  public void close() {
    release();
  }
}
