package dev.rget.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

/** Serves the requests of one accepted connection, in order, until it closes. */
final class ConnectionHandler implements Runnable {
  private static final int READ_BUFFER = 64 * 1024;

  private final FaultServer server;
  private final Socket socket;
  private final long id;
  private final Faults faults;
  private final ServerStats stats;

  ConnectionHandler(FaultServer server, Socket socket, long id) {
    this.server = server;
    this.socket = socket;
    this.id = id;
    this.faults = server.faults();
    this.stats = server.stats();
  }

  @Override
  public void run() {
    try (socket) {
      socket.setTcpNoDelay(true);
      RequestParser parser = new RequestParser(new BufferedInputStream(socket.getInputStream()));
      BodyWriter writer = new BodyWriter(socket, id, faults, stats);
      while (!socket.isClosed()) {
        Request req;
        try {
          req = parser.next();
        } catch (ProtocolException e) {
          writer.startResponse();
          send(writer, null, closing(Response.error(400)));
          return;
        }
        if (req == null) {
          return;
        }
        if (!serve(req, writer)) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // client went away, fault dropped the connection, or server closing: nothing to report
    } finally {
      stats.connectionClosed();
      server.forget(socket);
    }
  }

  /** Serves one request; false if the connection must be closed afterwards. */
  private boolean serve(Request req, BodyWriter writer) throws IOException {
    int inFlight = stats.requestStarted();
    int status = 0;
    boolean complete = false;
    writer.startResponse();
    try {
      Object route = server.route(req.path());
      Response r = decide(req, route, inFlight);
      if (r == null) { // raw handler
        RawHandler handler = (RawHandler) route;
        writer.flush();
        complete = true;
        return handler.handle(req, socket.getOutputStream(), socket) && !socket.isClosed();
      }
      status = r.status;
      boolean close = r.close || !req.keepAlive() || faults.closeAfterEachResponse();
      if (close && !r.close) {
        r = closing(r);
      }
      complete = send(writer, req, r);
      if (writer.dropDue()) {
        writer.dropNow();
      }
      return complete && !close;
    } finally {
      stats.record(new RequestRecord(id, req, status, writer.responseBytes(), complete));
      stats.requestEnded();
    }
  }

  /** The response to send, or null to hand the exchange to a raw handler. */
  private Response decide(Request req, Object route, int inFlight) {
    Faults.ConcurrencyLimit limit = faults.concurrencyLimit();
    if (limit != null && inFlight > limit.maxInFlight()) {
      return withRetryAfter(Response.error(limit.status()), limit.retryAfterSeconds());
    }
    Faults.StatusOverride o = faults.takeStatusOverride();
    if (o != null) {
      Response r = withRetryAfter(Response.error(o.status()), o.retryAfterSeconds());
      if (o.status() == 401) {
        r.header("WWW-Authenticate", "Basic realm=\"rget-testkit\"");
      }
      return r;
    }
    if (route == null) {
      return Response.error(404);
    }
    if (route instanceof RawHandler) {
      return null;
    }
    if (route instanceof FaultServer.Redirect redirect) {
      return Response.text(redirect.status(), "redirect to " + redirect.location() + "\n")
          .header("Location", redirect.location());
    }
    if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
      return Response.error(405).header("Allow", "GET, HEAD");
    }
    Response r = ResourceResponder.plan(req, (Resource) route, faults.quirk());
    if (r.misranged) {
      faults.noteMisranged();
    }
    return r;
  }

  private static Response withRetryAfter(Response r, long seconds) {
    return seconds >= 0 ? r.header("Retry-After", seconds) : r;
  }

  private static Response closing(Response r) {
    r.close = true;
    return r.header("Connection", "close");
  }

  /** Writes the response; true if the whole announced body went out. */
  private boolean send(BodyWriter writer, Request req, Response r) throws IOException {
    boolean head = req != null && req.method().equals("HEAD");
    writer.head(headBytes(r));
    if (head || r.content == null) {
      writer.flush();
      return true;
    }
    writer.beginBody(r.rateLimit, r.chunked);
    if (r.gzip) {
      OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          writer.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          writer.write(b, off, len);
        }
      };
      GZIPOutputStream gz = new GZIPOutputStream(sink, BodyWriter.MAX_SLICE);
      copy(r.content, r.offset, r.length, gz::write);
      gz.finish();
      writer.endBody();
      return true;
    }
    long toSend = r.sendLimit >= 0 ? Math.min(r.sendLimit, r.length) : r.length;
    copy(r.content, r.offset, toSend, writer::write);
    if (toSend < r.length) {
      writer.flush();
      socket.close();
      return false;
    }
    writer.endBody();
    return true;
  }

  private interface Sink {
    void write(byte[] b, int off, int len) throws IOException;
  }

  private static void copy(Content content, long offset, long length, Sink sink)
      throws IOException {
    byte[] buf = new byte[(int) Math.min(READ_BUFFER, Math.max(1, length))];
    for (long pos = 0; pos < length; ) {
      int n = (int) Math.min(buf.length, length - pos);
      content.read(offset + pos, buf, 0, n);
      sink.write(buf, 0, n);
      pos += n;
    }
  }

  private static byte[] headBytes(Response r) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("HTTP/1.1 ").append(r.status).append(' ').append(Response.reason(r.status))
        .append("\r\n");
    sb.append("Date: ").append(HttpDates.format(Instant.now())).append("\r\n");
    sb.append("Server: rget-testkit\r\n");
    for (String[] h : r.headers) {
      sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
