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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session survives kill -9: same GIDs, resumed from the state, byte-exact, little re-sent. */
class SessionKillTest {
  @TempDir Path dir;

  @Test
  void aSigkilledDaemonStartedAgainResumesEveryUnfinishedDownloadUnderItsGid() throws Exception {
    Content c = Content.pseudoRandom(4 << 20, 9);
    try (FaultServer origin = new FaultServer()) {
      origin.put("/k.bin", Resource.builder(c).rateLimit(1 << 20).build());
      Process first = ChildDaemon.start(dir);
      RpcClient rpc = new RpcClient(ChildDaemon.port(first), null);
      String gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/k.bin").toString()),
          Map.of("out", "k.bin", "split", "2"));
      String paused = (String) rpc.call("aria2.addUri", List.of(origin.url("/k.bin").toString()),
          Map.of("out", "other.bin"));
      rpc.call("aria2.pause", paused);
      rpc.await(gid, m -> num(m, "completedLength") >= 1 << 20, Duration.ofSeconds(30));
      first.destroyForcibly(); // SIGKILL
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long sentBeforeRestart = origin.bytesSent();

      Process second = ChildDaemon.start(dir);
      try {
        RpcClient again = new RpcClient(ChildDaemon.port(second), null);
        assertThat(again.status(paused).get("status")).isEqualTo("paused");
        Map<String, Object> done = again.await(gid, m -> m.get("status").equals("complete"), Duration.ofSeconds(60));
        assertThat(num(done, "totalLength")).isEqualTo(c.length());
        assertThat(DaemonRpcTest.sha256(dir.resolve("k.bin"))).isEqualTo(c.sha256());
        long paidTwice = origin.bytesSent() - sentBeforeRestart;
        assertThat(origin.bytesSent()).as("bytes sent in all, resend after the kill %d", paidTwice)
            .isLessThanOrEqualTo((long) (1.2 * c.length()) + (256 << 10)); // other.bin's first moments
      } finally {
        second.destroyForcibly();
        second.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
