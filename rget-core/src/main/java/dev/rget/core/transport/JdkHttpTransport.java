package dev.rget.core.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Transport} on {@code java.net.http.HttpClient}, forced to HTTP/1.1 so that each ranged
 * request gets its own TCP connection (no HTTP/2 multiplexing of ranges over one connection).
 * Bodies are pulled through a one-item-at-a-time subscription: the client never buffers more
 * than a few chunks per connection, and a consumer that waits too long for bytes sees a stall.
 */
public final class JdkHttpTransport implements Transport {
  private final HttpClient client;
  private final ExecutorService executor;
  private final Duration headerTimeout;

  /**
   * @param connectTimeout time allowed for the TCP (and TLS) handshake
   * @param headerTimeout time allowed from sending a request to receiving its headers
   * @param userAgent value of the User-Agent header
   * @param sslContext TLS settings, or {@code null} for the JVM's default
   */
  public JdkHttpTransport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      javax.net.ssl.SSLContext sslContext) {
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "rget-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .executor(executor);
    if (sslContext != null) {
      builder.sslContext(sslContext);
    }
    this.client = builder.build();
    this.headerTimeout = headerTimeout;
    this.userAgent = userAgent;
  }

  private final String userAgent;

  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(request.uri())
        .method(request.method(), HttpRequest.BodyPublishers.noBody())
        .timeout(headerTimeout)
        .header("User-Agent", userAgent);
    request.headers().forEach(b::header);
    PullSubscriber body = new PullSubscriber();
    CompletableFuture<HttpResponse<Void>> future =
        client.sendAsync(b.build(), info -> body.start(info));
    HttpResponse<Void> response;
    try {
      response = future.get(headerTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      body.close();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + request.uri());
    } catch (TimeoutException e) {
      future.cancel(true);
      body.close();
      throw new StallException("no response headers within " + headerTimeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      body.close();
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(c), c);
    }
    return new Response(response, body);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Adapts the JDK response to the pull interface. */
  private static final class Response implements TransportResponse {
    private final HttpResponse<Void> response;
    private final PullSubscriber body;

    Response(HttpResponse<Void> response, PullSubscriber body) {
      this.response = response;
      this.body = body;
    }

    @Override
    public int status() {
      return response.statusCode();
    }

    @Override
    public URI uri() {
      return response.uri();
    }

    @Override
    public Optional<String> header(String name) {
      return response.headers().firstValue(name);
    }

    @Override
    public List<String> headers(String name) {
      return response.headers().allValues(name);
    }

    @Override
    public ByteBuffer next(Duration stallTimeout) throws IOException {
      return body.next(stallTimeout);
    }

    @Override
    public void close() {
      body.close();
    }
  }

  /**
   * A body subscriber the consumer pulls from: it requests one list of buffers at a time and
   * hands the buffers out one by one, so memory per connection stays bounded.
   */
  private static final class PullSubscriber implements BodySubscriber<Void> {
    private static final Object END = new Object();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ArrayDeque<ByteBuffer> current = new ArrayDeque<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private boolean ended;

    BodySubscriber<Void> start(ResponseInfo info) {
      return this;
    }

    @Override
    public CompletionStage<Void> getBody() {
      // Completed at once: the response is handed over as soon as its headers are in.
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (closed) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(t);
      done.complete(null);
    }

    @Override
    public void onComplete() {
      queue.add(END);
      done.complete(null);
    }

    ByteBuffer next(Duration stallTimeout) throws IOException {
      while (true) {
        ByteBuffer b = current.poll();
        if (b != null) {
          if (!b.hasRemaining()) {
            continue;
          }
          return b;
        }
        if (ended) {
          return null;
        }
        Object item;
        try {
          item = queue.poll(stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted");
        }
        if (item == null) {
          throw new StallException("no data for " + stallTimeout.toSeconds() + " s");
        }
        if (item == END) {
          ended = true;
          return null;
        }
        if (item instanceof Throwable t) {
          ended = true;
          if (t instanceof IOException io) {
            throw io;
          }
          if (t instanceof CancellationException) {
            throw new IOException("transfer cancelled", t);
          }
          throw new IOException(String.valueOf(t), t);
        }
        @SuppressWarnings("unchecked")
        List<ByteBuffer> list = (List<ByteBuffer>) item;
        current.addAll(list);
        Flow.Subscription s = subscription;
        if (s != null) {
          s.request(1);
        }
      }
    }

    void close() {
      closed = true;
      Flow.Subscription s = subscription;
      if (s != null && !done.isDone()) {
        s.cancel();
      }
    }
  }
}
