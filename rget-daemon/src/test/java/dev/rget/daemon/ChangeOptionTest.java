package dev.rget.daemon;

import static dev.rget.daemon.RpcClient.num;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * aria2.changePosition, aria2.changeOption and aria2.changeGlobalOption. The expected answers of
 * the changePosition table and the error messages were taken from aria2c 1.37 (--enable-rpc) given
 * the same calls; where rget differs on purpose (it refuses an option it cannot change, aria2
 * ignores it) the test says so.
 */
class ChangeOptionTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  @TempDir Path dir;
  private FaultServer origin;
  private Daemon daemon;
  private RpcClient rpc;

  @BeforeEach
  void setUp() throws Exception {
    origin = new FaultServer();
    daemon = Daemon.start(DaemonConfig.defaults(dir).withPort(0).withMaxActive(2),
        line -> System.err.println("daemon: " + line));
    rpc = new RpcClient(daemon.port(), null);
  }

  @AfterEach
  void tearDown() {
    daemon.close();
    origin.close();
  }

  private String addPaused(String name) throws Exception {
    // Added paused (aria2's "pause" option); at position 0, so each goes to the front of the queue.
    String gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/" + name).toString()),
        Map.of("out", name, "pause", "true"), 0L);
    assertThat(rpc.status(gid).get("status")).isEqualTo("paused");
    return gid;
  }

  /** One call of the table: {@code changePosition(gid, pos, how)} answers {@code result}, the queue is then {@code order}. */
  private record Move(long pos, String how, Object result) {}

  @Test
  void changePositionMovesWithinTheQueueAsAria2Does() throws Exception {
    origin.put("/c", Content.pseudoRandom(1024, 1));
    String c = addPaused("c");
    String b = addPaused("b");
    String a = addPaused("a");
    assertThat(waitingOrder()).containsExactly(a, b, c);
    // Each row applies to `a`; the expected results are aria2c's answers to the same sequence.
    List<Move> table = List.of(
        new Move(1, "POS_SET", 1L),
        new Move(-1, "POS_CUR", 0L),
        new Move(5, "POS_END", 2L),
        new Move(-1, "POS_END", 1L),
        new Move(-5, "POS_END", 0L),
        new Move(9, "POS_SET", 2L),
        new Move(-9, "POS_SET", 0L),
        new Move(-1_000_000_000_000_000L, "POS_CUR", 0L),
        new Move(1_000_000_000_000_000L, "POS_END", 2L));
    for (Move m : table) {
      assertThat(rpc.call("aria2.changePosition", a, m.pos(), m.how())).as("%s", m).isEqualTo(m.result());
      assertThat(waitingOrder().indexOf(a)).as("%s", m).isEqualTo(((Long) m.result()).intValue());
    }
    assertThat(error("aria2.changePosition", a, 0L, "POS_XX")).isEqualTo("Illegal argument.");
    // The manual's example: {"params":["2089b05ecca3d829", 0, "POS_SET"]} answers {"result": 0}.
    assertThat(Json.write(rpc.response("aria2.changePosition", c, 0L, "POS_SET")))
        .isEqualTo("{\"id\":\"t1\",\"jsonrpc\":\"2.0\",\"result\":0}");
  }

  @Test
  void changePositionRefusesADownloadOutsideTheWaitingQueue() throws Exception {
    origin.put("/done", Content.pseudoRandom(1024, 2));
    String gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/done").toString()), Map.of("out", "done"));
    rpc.await(gid, m -> m.get("status").equals("complete"), LONG);
    assertThat(error("aria2.changePosition", gid, 0L, "POS_SET"))
        .isEqualTo("GID#" + gid + " not found in the waiting queue.");
  }

  @Test
  void changeOptionOnAWaitingDownloadIsKeptAndTakenAtItsStart() throws Exception {
    origin.put("/w", Content.pseudoRandom(512 << 10, 3));
    String gid = addPaused("w");
    // The manual's example: changeOption(gid, {"max-download-limit": "10K"}) answers "OK".
    assertThat(rpc.call("aria2.changeOption", gid, Map.of("max-download-limit", "10K"))).isEqualTo("OK");
    assertThat(rpc.call("aria2.changeOption", gid, Map.of("split", "3", "max-connection-per-server", "3")))
        .isEqualTo("OK");
    @SuppressWarnings("unchecked")
    Map<String, Object> o = (Map<String, Object>) rpc.call("aria2.getOption", gid);
    assertThat(o).containsEntry("max-download-limit", "10K").containsEntry("split", "3")
        .containsEntry("max-connection-per-server", "3").containsEntry("out", "w");
    assertThat(error("aria2.changeOption", gid, Map.of("split", "abc")))
        .isEqualTo("We encountered a problem while processing the option '--split'.");
    // aria2 answers OK and ignores these; rget refuses, so a caller knows nothing changed.
    assertThat(error("aria2.changeOption", gid, Map.of("no-such-option", "1"))).startsWith(
        "We encountered a problem while processing the option '--no-such-option'");
    assertThat(error("aria2.changeOption", gid, Map.of("dir", "/tmp"))).contains("'--dir'");
    @SuppressWarnings("unchecked")
    Map<String, Object> unchanged = (Map<String, Object>) rpc.call("aria2.getOption", gid);
    assertThat(unchanged).isEqualTo(o);
    assertThat(DaemonConfig.defaultSession(dir)).content().contains("\"max-download-limit\":\"10K\"");
    rpc.call("aria2.changeOption", gid, Map.of("max-download-limit", "0"));
    rpc.call("aria2.unpause", gid);
    rpc.await(gid, m -> m.get("status").equals("complete"), LONG);
    assertThat(error("aria2.changeOption", gid, Map.of("split", "2"))).isEqualTo("Cannot change option for GID#" + gid);
  }

  @Test
  void changeOptionOnAnActiveDownloadRestartsItFromItsState() throws Exception {
    Content c = Content.pseudoRandom(2 << 20, 4);
    // Throttled at the origin, not by the client: what the origin counts as sent is then what
    // arrived, not megabytes parked in socket buffers when the first run stopped.
    origin.put("/a.bin", Resource.builder(c).rateLimit(512 << 10).build());
    String gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/a.bin").toString()),
        Map.of("out", "a.bin", "split", "2"));
    rpc.await(gid, m -> m.get("status").equals("active") && num(m, "completedLength") >= 256 << 10, LONG);
    assertThat(rpc.call("aria2.changeOption", gid, Map.of("max-download-limit", "4M", "split", "4"))).isEqualTo("OK");
    @SuppressWarnings("unchecked")
    Map<String, Object> o = (Map<String, Object>) rpc.call("aria2.getOption", gid);
    assertThat(o).containsEntry("split", "4").containsEntry("max-download-limit", "4M");
    rpc.await(gid, m -> m.get("status").equals("complete"), LONG);
    assertThat(DaemonRpcTest.sha256(dir.resolve("a.bin"))).isEqualTo(c.sha256());
    assertThat(origin.bytesSent()).as("the restart resumed rather than starting over")
        .isLessThan(c.length() + (512 << 10));
    assertThat(origin.requests("/a.bin")).as("a second run asked for the rest").hasSizeGreaterThan(2);
  }

  @Test
  void changeGlobalOptionSetsTheQueueLengthAndDefaultsForNewDownloads() throws Exception {
    origin.put("/slow", Resource.builder(Content.pseudoRandom(1 << 20, 5)).rateLimit(64 << 10).build());
    assertThat(rpc.call("aria2.changeGlobalOption", Map.of("max-concurrent-downloads", "1"))).isEqualTo("OK");
    String first = (String) rpc.call("aria2.addUri", List.of(origin.url("/slow").toString()), Map.of("out", "1"));
    String second = (String) rpc.call("aria2.addUri", List.of(origin.url("/slow").toString()), Map.of("out", "2"));
    rpc.await(first, m -> m.get("status").equals("active"), LONG);
    assertThat(rpc.status(second).get("status")).isEqualTo("waiting");
    assertThat(rpc.call("aria2.changeGlobalOption", Map.of("split", "3", "max-download-limit", "1M"))).isEqualTo("OK");
    String third = (String) rpc.call("aria2.addUri", List.of(origin.url("/slow").toString()), Map.of("out", "3"));
    @SuppressWarnings("unchecked")
    Map<String, Object> o = (Map<String, Object>) rpc.call("aria2.getOption", third);
    assertThat(o).containsEntry("split", "3").containsEntry("max-download-limit", "1M");
    // One bad name refuses the whole call: nothing of it is applied.
    assertThat(error("aria2.changeGlobalOption", Map.of("split", "5", "rpc-listen-port", "1")))
        .contains("'--rpc-listen-port'");
    assertThat(error("aria2.changeGlobalOption", Map.of("max-concurrent-downloads", "0")))
        .isEqualTo("We encountered a problem while processing the option '--max-concurrent-downloads'.");
    @SuppressWarnings("unchecked")
    Map<String, Object> g = (Map<String, Object>) rpc.call("aria2.getGlobalOption");
    assertThat(g).containsEntry("max-concurrent-downloads", "1").containsEntry("split", "3");
    assertThat(rpc.call("aria2.changeGlobalOption", Map.of("max-concurrent-downloads", "3"))).isEqualTo("OK");
    rpc.await(second, m -> m.get("status").equals("active"), LONG);
  }

  @SuppressWarnings("unchecked")
  private List<String> waitingOrder() throws Exception {
    List<Map<String, Object>> w = (List<Map<String, Object>>) rpc.call("aria2.tellWaiting", 0L, 100L, List.of("gid"));
    return w.stream().map(m -> (String) m.get("gid")).toList();
  }

  @SuppressWarnings("unchecked")
  private String error(String method, Object... params) throws Exception {
    Map<String, Object> r = rpc.response(method, params);
    assertThat(r).as("%s answers an error", method).containsKey("error");
    Map<String, Object> e = (Map<String, Object>) r.get("error");
    assertThat(e.get("code")).isEqualTo(1L);
    return (String) e.get("message");
  }
}
