package dev.rget.core.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Looks host names up so that whoever waits for the answer can stop waiting at once: on an
 * interrupt of its thread (a download's stop) or on its {@link ConnectAbort} (an upload's
 * cancel). The JDK's lookup cannot be interrupted, and a slow or dead resolver holds it for the
 * resolver's timeout (often 5 to 30 s), so it runs on a thread of a small pool of this class's
 * own while the caller waits for its answer. A caller that stops waiting leaves the lookup to
 * finish in the background; its answer then only fills the JDK's cache.
 *
 * <p>Bounds: at most {@code threads} lookups run at once, and a name being looked up is not
 * looked up again meanwhile (a second caller waits for the lookup in flight). Beyond that,
 * lookups of other names wait in a queue, one entry per name, until a thread is free (after a
 * stuck lookup ends, at the resolver's timeout); their callers can still stop waiting at once.
 * The pool's threads are daemons and end after {@link #IDLE_SECONDS} without work.
 *
 * <p>Literal addresses ({@code 192.0.2.1}, {@code [2001:db8::1]}) never reach the resolver nor
 * the pool. Thread-safe.
 */
final class Resolver {
  /** Looks a name up, blocking; {@link InetAddress#getAllByName} but in tests. */
  @FunctionalInterface
  interface Lookup {
    InetAddress[] all(String host) throws UnknownHostException;
  }

  /**
   * Lookups at once: a client needs few (its origins, a redirect's, a proxy's), and more would
   * only pile up threads stuck behind a dead resolver.
   */
  static final int THREADS = 4;
  static final int IDLE_SECONDS = 10;
  private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final Pattern DOTTED_QUAD = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
  private static final Resolver SYSTEM = new Resolver(InetAddress::getAllByName, THREADS);

  private final Lookup lookup;
  private final ThreadPoolExecutor pool;
  /** The lookup in flight (running or queued) for each name. Guarded by itself. */
  private final Map<String, CompletableFuture<InetAddress[]>> inFlight = new HashMap<>();

  /** Looks names up with {@code lookup}, at most {@code threads} at once. */
  Resolver(Lookup lookup, int threads) {
    this.lookup = lookup;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "rget-resolver-" + n.incrementAndGet());
          t.setDaemon(true); // a lookup left behind by a cancel must not keep the JVM alive
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
  }

  /** The JVM's resolver ({@link InetAddress#getAllByName}), shared by every transport. */
  static Resolver system() {
    return SYSTEM;
  }

  /**
   * {@code new InetSocketAddress(host, port)}, but the wait for the lookup ends at once on an
   * interrupt or on {@code abort}: resolved, or unresolved when the name is unknown.
   *
   * @throws InterruptedIOException if the thread was interrupted (it stays interrupted) or
   *     {@code abort} aborted
   */
  InetSocketAddress socketAddress(String host, int port, ConnectAbort abort) throws IOException {
    if (host == null) {
      throw new IllegalArgumentException("hostname can't be null");
    }
    try {
      return new InetSocketAddress(all(host, abort)[0], port);
    } catch (UnknownHostException e) {
      return InetSocketAddress.createUnresolved(host, port);
    }
  }

  /**
   * {@link InetAddress#getAllByName}, but the wait ends at once on an interrupt or on
   * {@code abort}.
   *
   * @throws UnknownHostException if the name is unknown, with the JDK's message
   * @throws InterruptedIOException if the thread was interrupted (it stays interrupted) or
   *     {@code abort} aborted
   */
  InetAddress[] all(String host, ConnectAbort abort) throws IOException {
    InetAddress literal = literal(host);
    if (literal != null) {
      return new InetAddress[] {literal};
    }
    if (Thread.currentThread().isInterrupted()) {
      throw interrupted(host); // already stopped: no lookup to leave behind
    }
    CompletableFuture<InetAddress[]> answer = new CompletableFuture<>();
    abort.watch(() -> answer.cancel(false)); // throws if aborted already, before any lookup
    inFlight(host).whenComplete((a, e) -> {
      if (e == null) {
        answer.complete(a);
      } else {
        answer.completeExceptionally(e);
      }
    });
    try {
      InetAddress[] all = answer.get();
      if (all.length == 0) {
        throw new UnknownHostException(host);
      }
      return all.clone(); // the array is shared by every caller of the same lookup
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the interrupter's to see and clear
      throw interrupted(host);
    } catch (CancellationException e) {
      // Only the abort cancels the answer; the dialer reports it as the set-up's cancel.
      throw new InterruptedIOException("looking up " + host + " cancelled");
    } catch (ExecutionException e) {
      throw failure(host, e.getCause());
    }
  }

  /** Lookups running or queued: for tests. */
  int inFlight() {
    synchronized (inFlight) {
      return inFlight.size();
    }
  }

  /** The lookup of {@code host} in flight, started now if there is none. */
  private CompletableFuture<InetAddress[]> inFlight(String host) {
    synchronized (inFlight) {
      CompletableFuture<InetAddress[]> f = inFlight.get(host);
      if (f == null) {
        CompletableFuture<InetAddress[]> started = new CompletableFuture<>();
        inFlight.put(host, started);
        pool.execute(() -> run(host, started));
        f = started;
      }
      return f;
    }
  }

  private void run(String host, CompletableFuture<InetAddress[]> f) {
    InetAddress[] all = null;
    Throwable failure = null;
    try {
      all = lookup.all(host);
    } catch (Throwable t) { // handed to every caller waiting for it
      failure = t;
    }
    synchronized (inFlight) {
      inFlight.remove(host, f); // a later caller looks up afresh (the JDK caches answers)
    }
    if (failure == null) {
      f.complete(all);
    } else {
      f.completeExceptionally(failure);
    }
  }

  /**
   * The address {@code host} spells when it is a literal (dotted-quad IPv4, IPv6 with or without
   * brackets), parsed without a lookup; null for a name.
   */
  static InetAddress literal(String host) throws UnknownHostException {
    if (host.indexOf(':') >= 0) {
      // A name has no colon. In brackets the JDK parses it as IPv6 or fails, never looks it up.
      return InetAddress.getByName(host.startsWith("[") ? host : "[" + host + "]");
    }
    if (DOTTED_QUAD.matcher(host).matches()) {
      return InetAddress.getByName(host); // a literal: parsed, never looked up
    }
    return null;
  }

  private static InterruptedIOException interrupted(String host) {
    return new InterruptedIOException("interrupted while looking up " + host);
  }

  /** The lookup's failure for this caller: a copy, as callers of one lookup share its cause. */
  private static IOException failure(String host, Throwable cause) {
    if (cause instanceof UnknownHostException u) {
      UnknownHostException e = new UnknownHostException(u.getMessage());
      e.initCause(u);
      return e;
    }
    return new IOException("looking up " + host + " failed: " + cause, cause);
  }
}
