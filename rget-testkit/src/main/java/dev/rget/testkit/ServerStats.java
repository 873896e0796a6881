package dev.rget.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Thread-safe counters and the request log of one {@link FaultServer}. */
final class ServerStats {
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicInteger maxConnections = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final List<RequestRecord> log = new ArrayList<>();

  void connectionOpened() {
    connections.incrementAndGet();
    int now = openConnections.incrementAndGet();
    maxConnections.accumulateAndGet(now, Math::max);
  }

  void connectionClosed() {
    openConnections.decrementAndGet();
  }

  /** Counts a new request; returns the number in flight including it. */
  int requestStarted() {
    requests.incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    return now;
  }

  void requestEnded() {
    inFlight.decrementAndGet();
  }

  void bodyBytes(long n) {
    bytesSent.addAndGet(n);
  }

  void record(RequestRecord r) {
    synchronized (log) {
      log.add(r);
    }
  }

  List<RequestRecord> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  long bytesSent() {
    return bytesSent.get();
  }

  long requestCount() {
    return requests.get();
  }

  long connectionCount() {
    return connections.get();
  }

  int openConnections() {
    return openConnections.get();
  }

  int inFlight() {
    return inFlight.get();
  }

  int maxConcurrentConnections() {
    return maxConnections.get();
  }

  int maxConcurrentRequests() {
    return maxInFlight.get();
  }

  void reset() {
    synchronized (log) {
      log.clear();
    }
    bytesSent.set(0);
    requests.set(0);
    connections.set(0);
    maxConnections.set(openConnections.get());
    maxInFlight.set(inFlight.get());
  }
}
