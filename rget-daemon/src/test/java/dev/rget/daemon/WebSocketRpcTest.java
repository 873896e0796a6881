package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON-RPC over the WebSocket at {@code /jsonrpc}, as AriaNg and the aria2 client libraries use
 * it: calls answered on the socket, and aria2's notifications pushed for a download's start and
 * completion. The client is the JDK's own WebSocket implementation, over a real socket.
 */
class WebSocketRpcTest {
  @TempDir Path dir;
  private final FaultServer origin = FaultServer.open();
  private Daemon daemon;
  private WebSocket socket;
  private final BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
  private final List<Map<String, Object>> history = new ArrayList<>();

  @AfterEach
  void tearDown() {
    if (socket != null) {
      socket.abort();
    }
    if (daemon != null) {
      daemon.close();
    }
    origin.close();
  }

  private void connect() throws Exception {
    daemon = Daemon.start(DaemonConfig.defaults(dir).withPort(0).withMaxActive(2),
        line -> System.err.println("daemon: " + line));
    socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + daemon.port() + "/jsonrpc"), new Collector())
        .get(10, TimeUnit.SECONDS);
  }

  /** Collects whole text messages, parsed. */
  private final class Collector implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          received.add((Map<String, Object>) Json.parse(partial.toString(), 1 << 20));
        } catch (Json.ParseException e) {
          throw new AssertionError("the daemon sent a message that is not JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  /**
   * A message matching {@code p}, among those received so far or arriving within 30 s (a
   * notification may come before the answer to the call that caused it).
   */
  private Map<String, Object> awaitMessage(String what, java.util.function.Predicate<Map<String, Object>> p)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      for (Map<String, Object> m : history) {
        if (p.test(m)) {
          return m;
        }
      }
      long left = deadline - System.nanoTime();
      Map<String, Object> m = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
      if (m == null) {
        throw new AssertionError("no " + what + " within 30 s; received " + history);
      }
      history.add(m);
    }
  }

  private static boolean notification(Map<String, Object> m, String method, String gid) {
    if (!method.equals(m.get("method"))) {
      return false;
    }
    List<?> params = (List<?>) m.get("params");
    return params != null && !params.isEmpty()
        && gid.equals(((Map<?, ?>) params.get(0)).get("gid"));
  }

  @Test
  void callsAreAnsweredOnTheSocketAndADownloadNotifiesStartAndComplete() throws Exception {
    Content c = Content.pseudoRandom(2 << 20, 7);
    origin.put("/w.bin", c);
    connect();

    socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":\"v\",\"method\":\"aria2.getVersion\"}", true);
    Map<String, Object> version = awaitMessage("getVersion answer", m -> "v".equals(m.get("id")));
    assertThat(((Map<?, ?>) version.get("result")).keySet()).map(Object::toString)
        .contains("version");

    socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"aria2.addUri\",\"params\":[[\""
        + origin.url("/w.bin") + "\"],{\"out\":\"w.bin\"}]}", true);
    Map<String, Object> added = awaitMessage("addUri answer", m -> "a".equals(m.get("id")));
    String gid = (String) added.get("result");
    assertThat(gid).matches("[0-9a-f]{16}");

    awaitMessage("onDownloadStart", m -> notification(m, "aria2.onDownloadStart", gid));
    awaitMessage("onDownloadComplete", m -> notification(m, "aria2.onDownloadComplete", gid));
    assertThat(sha256(dir.resolve("w.bin"))).isEqualTo(c.sha256());
  }

  /** Sends a call on the socket and returns its result (an AssertionError if it answered an error). */
  private Object call(String id, String method, String params) throws InterruptedException {
    socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"" + method + "\",\"params\":"
        + params + "}", true);
    Map<String, Object> answer = awaitMessage(method + " answer", m -> id.equals(m.get("id")));
    assertThat(answer).as("%s answer", method).containsKey("result");
    return answer.get("result");
  }

  @Test
  void pauseRemoveAndAnOrigin404AreNotified() throws Exception {
    origin.put("/slow.bin", dev.rget.testkit.Resource.builder(Content.pseudoRandom(4 << 20, 8)).rateLimit(256 << 10)
        .build());
    connect();
    String url = "\"" + origin.url("/slow.bin") + "\"";

    String paused = (String) call("p1", "aria2.addUri", "[[" + url + "],{\"out\":\"p.bin\"}]");
    awaitMessage("onDownloadStart", m -> notification(m, "aria2.onDownloadStart", paused));
    call("p2", "aria2.pause", "[\"" + paused + "\"]");
    awaitMessage("onDownloadPause", m -> notification(m, "aria2.onDownloadPause", paused));

    String removed = (String) call("r1", "aria2.addUri", "[[" + url + "],{\"out\":\"r.bin\"}]");
    awaitMessage("onDownloadStart", m -> notification(m, "aria2.onDownloadStart", removed));
    call("r2", "aria2.remove", "[\"" + removed + "\"]");
    awaitMessage("onDownloadStop", m -> notification(m, "aria2.onDownloadStop", removed));

    String missing = (String) call("e1", "aria2.addUri", "[[\"" + origin.url("/missing.bin") + "\"]]");
    awaitMessage("onDownloadError", m -> notification(m, "aria2.onDownloadError", missing));
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) call("e2", "aria2.tellStatus", "[\"" + missing + "\"]");
    assertThat(status).containsEntry("status", "error").containsEntry("errorCode", "3");

    // Each notification was for its own download only: no complete or error for the others.
    assertThat(history).noneMatch(m -> notification(m, "aria2.onDownloadComplete", paused)
        || notification(m, "aria2.onDownloadError", paused) || notification(m, "aria2.onDownloadError", removed)
        || notification(m, "aria2.onDownloadPause", removed));
  }

  @Test
  void malformedJsonOnTheSocketGetsAParseErrorAndTheSocketStaysUsable() throws Exception {
    connect();

    socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":", true);
    Map<String, Object> error = awaitMessage("parse error", m -> m.containsKey("error"));
    assertThat(((Map<?, ?>) error.get("error")).get("code")).isEqualTo(-32700L);

    socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":\"m\",\"method\":\"system.listMethods\"}", true);
    Map<String, Object> methods = awaitMessage("listMethods answer", m -> "m".equals(m.get("id")));
    assertThat((List<?>) methods.get("result")).map(Object::toString)
        .contains("aria2.addUri", "aria2.tellStatus");
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
