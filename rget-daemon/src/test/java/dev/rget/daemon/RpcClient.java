package dev.rget.daemon;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A plain JSON-RPC over HTTP client for tests: real sockets, the JDK's HttpClient. */
final class RpcClient {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI uri;
  private final String token;

  RpcClient(int port, String secret) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/jsonrpc");
    this.token = secret == null ? null : "token:" + secret;
  }

  /** Status code and parsed body of a raw POST. */
  record Raw(int status, Object body) {}

  Raw post(String body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    try {
      return new Raw(r.statusCode(), Json.parse(r.body(), 1 << 24));
    } catch (Json.ParseException e) {
      throw new AssertionError("daemon answered non-JSON: " + r.body(), e);
    }
  }

  /** The whole response object of {@code method(params)}, with the token first when there is one. */
  @SuppressWarnings("unchecked")
  Map<String, Object> response(String method, Object... params) throws IOException, InterruptedException {
    List<Object> p = new ArrayList<>();
    if (token != null) {
      p.add(token);
    }
    p.addAll(List.of(params));
    Map<String, Object> req = new LinkedHashMap<>();
    req.put("jsonrpc", "2.0");
    req.put("id", "t1");
    req.put("method", method);
    req.put("params", p);
    return (Map<String, Object>) post(Json.write(req)).body();
  }

  /** The result, or an AssertionError with the error object. */
  Object call(String method, Object... params) throws IOException, InterruptedException {
    Map<String, Object> r = response(method, params);
    if (r.containsKey("error")) {
      throw new AssertionError(method + " failed: " + r.get("error"));
    }
    return r.get("result");
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> status(String gid) throws IOException, InterruptedException {
    return (Map<String, Object>) call("aria2.tellStatus", gid);
  }

  /** Polls tellStatus until {@code until} holds, for at most {@code timeout}. */
  Map<String, Object> await(String gid, Predicate<Map<String, Object>> until, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> s = status(gid);
    while (!until.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within " + timeout + "; last status " + s);
      }
      Thread.sleep(20); // polling interval, not synchronisation: the condition decides
      s = status(gid);
    }
    return s;
  }

  static long num(Map<String, Object> status, String key) {
    return Long.parseLong((String) status.get(key));
  }
}
