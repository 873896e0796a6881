package dev.rget.server;

/** Book-keeping of one request/response, for the access log. Confined to the event loop. */
final class Exchange {
  final String remote;
  final String method;
  final String target;
  final String range;
  final long startNanos = System.nanoTime();
  final long startMillis = System.currentTimeMillis();
  int status;
  /** Body bytes the transport has actually written. */
  long bodyBytes;

  Exchange(String remote, String method, String target, String range) {
    this.remote = remote;
    this.method = AccessLog.cap(method);
    this.target = AccessLog.cap(target);
    this.range = AccessLog.cap(range);
  }

  AccessLog.Entry toEntry() {
    return new AccessLog.Entry(
        startMillis, remote, method, target, range, status, bodyBytes, System.nanoTime() - startNanos);
  }
}
