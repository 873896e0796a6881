package dev.rget.daemon;

import static dev.rget.daemon.RpcClient.num;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** aria2's methods against a running daemon downloading from a FaultServer, over real sockets. */
class DaemonRpcTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  @TempDir Path dir;
  private FaultServer origin;
  private Daemon daemon;
  private RpcClient rpc;

  @BeforeEach
  void setUp() throws Exception {
    origin = new FaultServer();
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    origin.close();
  }

  private void start(int jobs, String secret) throws Exception {
    daemon = Daemon.start(DaemonConfig.defaults(dir).withPort(0).withMaxActive(jobs).withSecret(secret),
        line -> System.err.println("daemon: " + line));
    rpc = new RpcClient(daemon.port(), secret);
  }

  @Test
  void addUriDownloadsByteExactAndTellStatusReportsAria2Shapes() throws Exception {
    start(2, null);
    Content c = Content.pseudoRandom(3 << 20, 1);
    origin.put("/a.bin", c);
    String gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/a.bin").toString()),
        Map.of("out", "x.bin", "split", "4"));
    assertThat(gid).matches("[0-9a-f]{16}");
    Map<String, Object> s = rpc.await(gid, m -> m.get("status").equals("complete"), LONG);
    assertThat(s).containsEntry("totalLength", Long.toString(c.length()))
        .containsEntry("completedLength", Long.toString(c.length())).containsEntry("gid", gid)
        .containsEntry("errorCode", "0").containsEntry("dir", dir.toString())
        .containsEntry("bitfield", "f".repeat(48)).containsEntry("numPieces", "192");
    assertThat(sha256(dir.resolve("x.bin"))).isEqualTo(c.sha256());
    @SuppressWarnings("unchecked")
    Map<String, Object> only = (Map<String, Object>) rpc.call("aria2.tellStatus", gid, List.of("gid", "status"));
    assertThat(only).containsOnlyKeys("gid", "status");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> files = (List<Map<String, Object>>) rpc.call("aria2.getFiles", gid);
    assertThat(files.get(0)).containsEntry("path", dir.resolve("x.bin").toString())
        .containsEntry("length", Long.toString(c.length()));
    assertThat((List<?>) rpc.call("aria2.getUris", gid)).hasSize(1);
    assertThat((List<?>) rpc.call("aria2.tellStopped", 0L, 10L)).hasSize(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> stat = (Map<String, Object>) rpc.call("aria2.getGlobalStat");
    assertThat(stat).containsEntry("numActive", "0").containsEntry("numStopped", "1");
    assertThat(rpc.call("aria2.removeDownloadResult", gid)).isEqualTo("OK");
    assertThat(rpc.response("aria2.tellStatus", gid).get("error").toString()).contains("is not found");
  }

  @Test
  void pauseKeepsPartialDataAndUnpauseResumesByteExact() throws Exception {
    start(2, null);
    Content c = Content.pseudoRandom(2 << 20, 2);
    origin.put("/p.bin", Resource.builder(c).rateLimit(1 << 20).build());
    String gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/p.bin").toString()),
        Map.of("out", "p.bin", "split", "2"));
    Map<String, Object> active = rpc.await(gid, m -> num(m, "completedLength") >= 256 << 10, LONG);
    // 2 MiB in pieces of 16 KiB: 128 bits. Two connections are fetching: some pieces in flight.
    assertThat(active).containsEntry("numPieces", "128").containsEntry("pieceLength", "16384");
    assertThat((String) active.get("bitfield")).hasSize(32).matches("[0-9a-f]+").isNotEqualTo("0".repeat(32));
    assertThat((String) active.get(StatusView.IN_FLIGHT)).hasSize(32).isNotEqualTo("0".repeat(32));
    assertThat(rpc.call("aria2.pause", gid)).isEqualTo(gid);
    Map<String, Object> paused = rpc.status(gid);
    assertThat(paused.get("status")).isEqualTo("paused");
    assertThat((List<?>) rpc.call("aria2.tellWaiting", 0L, 10L)).hasSize(1);
    assertThat(origin.awaitIdle(Duration.ofSeconds(10))).as("the run stopped").isTrue();
    // The origin sees the connections close a moment before the daemon has taken the run's end.
    Map<String, Object> stopped = rpc.await(gid, m -> "0".repeat(32).equals(m.get(StatusView.IN_FLIGHT)), LONG);
    long kept = num(stopped, "completedLength");
    // A paused download still shows its written pieces, and nothing in flight.
    assertThat(Long.bitCount(Long.parseUnsignedLong(((String) stopped.get("bitfield")).substring(0, 16), 16))
        + Long.bitCount(Long.parseUnsignedLong(((String) stopped.get("bitfield")).substring(16), 16)))
        .isLessThanOrEqualTo((int) (kept / 16384)).isGreaterThanOrEqualTo((int) (kept / 16384) - 2);
    assertThat(stopped.get(StatusView.IN_FLIGHT)).isEqualTo("0".repeat(32));
    assertThat(kept).isGreaterThanOrEqualTo(256 << 10).isLessThan(c.length());
    assertThat(dir.resolve("p.bin.part")).exists();
    assertThat(rpc.response("aria2.pause", gid)).containsKey("error");
    long sentBefore = origin.bytesSent();
    assertThat(rpc.call("aria2.unpause", gid)).isEqualTo(gid);
    rpc.await(gid, m -> m.get("status").equals("complete"), LONG);
    assertThat(sha256(dir.resolve("p.bin"))).isEqualTo(c.sha256());
    assertThat(origin.bytesSent() - sentBefore).as("resumed, not restarted")
        .isLessThan(c.length() - kept + (256 << 10));
  }

  @Test
  void withOneJobTheQueueRunsInOrderAndRemoveStartsTheNext() throws Exception {
    start(1, null);
    Content c = Content.pseudoRandom(1 << 20, 3);
    origin.put("/slow.bin", Resource.builder(c).rateLimit(64 << 10).build());
    origin.put("/fast.bin", c);
    String first = (String) rpc.call("aria2.addUri", List.of(origin.url("/slow.bin").toString()), Map.of("out", "1"));
    String second = (String) rpc.call("aria2.addUri", List.of(origin.url("/fast.bin").toString()), Map.of("out", "2"));
    String third = (String) rpc.call("aria2.addUri", List.of(origin.url("/fast.bin").toString()), Map.of("out", "3"));
    rpc.await(first, m -> m.get("status").equals("active"), LONG);
    assertThat(rpc.status(second).get("status")).isEqualTo("waiting");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> waiting = (List<Map<String, Object>>) rpc.call("aria2.tellWaiting", 0L, 10L);
    assertThat(waiting).extracting(m -> m.get("gid")).containsExactly(second, third);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> reversed = (List<Map<String, Object>>) rpc.call("aria2.tellWaiting", -1L, 10L);
    assertThat(reversed).extracting(m -> m.get("gid")).containsExactly(third, second);
    assertThat((List<?>) rpc.call("aria2.tellActive")).hasSize(1);
    assertThat(rpc.call("aria2.forceRemove", first)).isEqualTo(first);
    assertThat(rpc.status(first).get("status")).isEqualTo("removed");
    rpc.await(third, m -> m.get("status").equals("complete"), LONG);
    assertThat(rpc.status(second).get("status")).isEqualTo("complete");
    assertThat(sha256(dir.resolve("3"))).isEqualTo(c.sha256());
    assertThat(rpc.call("aria2.purgeDownloadResult")).isEqualTo("OK");
    assertThat((List<?>) rpc.call("aria2.tellStopped", 0L, 10L)).isEmpty();
  }

  @Test
  void aSecretIsRequiredAndNeverEchoed() throws Exception {
    start(1, "s3cret-value");
    assertThat(rpc.call("aria2.getVersion")).isInstanceOf(Map.class);
    RpcClient wrong = new RpcClient(daemon.port(), "guess");
    Map<String, Object> r = wrong.response("aria2.getVersion");
    assertThat(r.get("error")).isEqualTo(Map.of("code", 1L, "message", "Unauthorized"));
    RpcClient none = new RpcClient(daemon.port(), null);
    assertThat(none.response("aria2.tellActive").get("error")).isEqualTo(Map.of("code", 1L, "message", "Unauthorized"));
    assertThat(none.call("system.listMethods")).asList().contains("aria2.addUri", "system.multicall");
    assertThat(none.call("system.listNotifications")).asList().contains("aria2.onDownloadComplete");
    origin.put("/slow", Resource.builder(Content.pseudoRandom(1 << 20, 4)).rateLimit(64 << 10).build());
    rpc.call("aria2.addUri", List.of(origin.url("/slow").toString()), Map.of("out", "n"));
    assertThat(rpc.call("aria2.saveSession")).isEqualTo("OK");
    Path session = DaemonConfig.defaults(dir).session();
    assertThat(Files.readString(session)).contains("/slow").doesNotContain("s3cret");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(session))).isEqualTo("rw-------");
  }

  @Test
  void malformedRequestsGetJsonRpcErrorObjects() throws Exception {
    start(1, null);
    RpcClient.Raw parse = rpc.post("{\"jsonrpc\":\"2.0\",");
    assertThat(parse.status()).isEqualTo(400);
    assertThat(Json.write(parse.body()))
        .isEqualTo("{\"id\":null,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error.\"}}");
    assertThat(rpc.post("[1,2,]").body().toString()).contains("-32700");
    assertThat(rpc.post("[".repeat(100) + "]".repeat(100)).body().toString()).contains("-32700");
    assertThat(rpc.post("{\"id\":1,\"params\":[]}").body().toString()).contains("-32600");
    assertThat(rpc.post("[]").body().toString()).contains("-32600");
    RpcClient.Raw unknown = rpc.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"aria2.nope\"}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().toString()).contains("-32601");
    assertThat(rpc.response("aria2.tellStatus", "zz").get("error").toString()).contains("code=1");
    assertThat(rpc.response("aria2.addUri", List.of("ftp://x/y")).get("error").toString()).contains("code=1");
    assertThat(rpc.response("aria2.addUri", List.of("http://x/y"), Map.of("out", "../escape")).get("error")
        .toString()).contains("inside dir");
    RpcClient.Raw batch = rpc.post("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"aria2.getVersion\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"aria2.nope\"}]");
    assertThat(batch.status()).isEqualTo(200);
    assertThat((List<?>) batch.body()).hasSize(2);
    String big = "{\"a\":\"" + "x".repeat(RpcHandler.MAX_BODY) + "\"}";
    assertThat(postStatus(big)).isEqualTo(413);
    assertThat(rpc.call("aria2.getVersion")).as("still serving").isNotNull();
  }

  @Test
  void multicallAnswersEachCallInOrder() throws Exception {
    start(1, null);
    Object r = rpc.call("system.multicall", List.of(
        Map.of("methodName", "aria2.getVersion"),
        Map.of("methodName", "aria2.tellStatus", "params", List.of("0123456789abcdef")),
        Map.of("methodName", "system.multicall", "params", List.of(List.of()))));
    List<?> list = (List<?>) r;
    assertThat(list).hasSize(3);
    assertThat(list.get(0)).asList().hasSize(1);
    assertThat(list.get(1).toString()).contains("code=1").contains("is not found");
    assertThat(list.get(2).toString()).contains("Recursive");
  }

  private int postStatus(String body) throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + daemon.port() + "/jsonrpc"))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  static String sha256(Path p) throws Exception {
    return Content.ofFile(p).sha256();
  }
}
