package dev.rget.daemon;

import static dev.rget.daemon.RpcClient.num;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.BootId;
import dev.rget.core.state.StateStore;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * After the daemon restarts, a download that is not running shows the bytes its resume state
 * holds (what the engine keeps when it resumes), not 0: web UIs drew a half-done paused download
 * at 0 % until it was resumed. So does a waiting one, and a failed one, which comes back (as in
 * aria2's session) to be tried again. One that never started shows 0 and no bitfield, as aria2
 * does; one whose run discarded its file shows 0 too.
 */
class PausedAfterRestartTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  @TempDir Path dir;

  enum Stop { SHUTDOWN, SIGKILL }

  @ParameterizedTest
  @EnumSource(Stop.class)
  void aPausedDownloadShowsWhatItsStateHoldsAfterARestartAndThenCompletesByteExact(Stop how) throws Exception {
    Content c = Content.pseudoRandom(4 << 20, 21);
    try (FaultServer origin = new FaultServer()) {
      origin.put("/h.bin", Resource.builder(c).rateLimit(1 << 20).build());
      Process first = ChildDaemon.start(dir);
      String gid;
      String never;
      Map<String, Object> before;
      try {
        RpcClient rpc = new RpcClient(ChildDaemon.port(first), null);
        gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/h.bin").toString()),
            Map.of("out", "h.bin", "split", "2"));
        never = (String) rpc.call("aria2.addUri", List.of(origin.url("/h.bin").toString()),
            Map.of("out", "never.bin", "pause", "true"));
        rpc.await(gid, m -> num(m, "completedLength") >= 1 << 20, LONG);
        rpc.call("aria2.pause", gid);
        // The run has ended once the paused download shows what it left on disk.
        before = rpc.await(gid, m -> ((String) m.getOrDefault("bitfield", "")).matches(".*[1-9a-f].*"), LONG);
        assertThat(rpc.call("aria2.saveSession")).isEqualTo("OK"); // the kill must not beat the periodic save
        if (how == Stop.SHUTDOWN) {
          assertThat(rpc.call("aria2.shutdown")).isEqualTo("OK");
        } else {
          first.destroyForcibly();
        }
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).as("first daemon ended").isTrue();
      } finally {
        first.destroyForcibly();
      }
      RangeSet held = heldByState(dir.resolve("h.bin"));
      assertThat(held.size()).isGreaterThanOrEqualTo(1 << 20).isLessThan(c.length());
      assertPartFileHolds(dir.resolve("h.bin.part"), held, c);
      long sentBeforeRestart = origin.bytesSent();

      Process second = ChildDaemon.start(dir);
      try {
        RpcClient again = new RpcClient(ChildDaemon.port(second), null);
        Map<String, Object> s = again.status(gid);
        long piece = Bitfield.pieceLength(c.length());
        assertThat(s).containsEntry("status", "paused")
            .containsEntry("totalLength", Long.toString(c.length()))
            .containsEntry("completedLength", Long.toString(held.size()))
            .containsEntry("pieceLength", "16384").containsEntry("numPieces", "256")
            .containsEntry("bitfield", Bitfield.of(held.ranges(), c.length(), piece, false))
            .containsEntry(StatusView.IN_FLIGHT, "0".repeat(64));
        // The same picture as before the stop: the restart lost nothing and invented nothing.
        assertThat(s.get("completedLength")).isEqualTo(before.get("completedLength"));
        assertThat(s.get("bitfield")).isEqualTo(before.get("bitfield"));
        @SuppressWarnings("unchecked")
        Map<String, Object> file = ((List<Map<String, Object>>) s.get("files")).get(0);
        assertThat(file).containsEntry("completedLength", Long.toString(held.size()));

        // Never started: nothing held, length unknown, so no bitfield (aria2's shape).
        assertThat(again.status(never)).containsEntry("status", "paused")
            .containsEntry("completedLength", "0").containsEntry("totalLength", "0")
            .doesNotContainKey("bitfield");

        assertThat(again.call("aria2.unpause", gid)).isEqualTo(gid);
        again.await(gid, m -> m.get("status").equals("complete"), LONG);
        assertThat(DaemonRpcTest.sha256(dir.resolve("h.bin"))).isEqualTo(c.sha256());
        assertThat(origin.bytesSent() - sentBeforeRestart).as("resumed from what was shown, not restarted")
            .isLessThan(c.length() - held.size() + (256 << 10));
      } finally {
        second.destroyForcibly();
        second.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aWaitingDownloadWithDataShowsItAfterARestartAndCompletesWhenItsTurnComes() throws Exception {
    Content big = Content.pseudoRandom(8 << 20, 22);
    Content c = Content.pseudoRandom(2 << 20, 23);
    try (FaultServer origin = new FaultServer()) {
      origin.put("/big.bin", Resource.builder(big).rateLimit(1 << 20).build());
      origin.put("/w.bin", Resource.builder(c).rateLimit(1 << 20).build());
      String gid;
      String blocker;
      try (Daemon first = start()) {
        RpcClient rpc = new RpcClient(first.port(), null);
        gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/w.bin").toString()), Map.of("out", "w.bin"));
        rpc.await(gid, m -> num(m, "completedLength") >= 256 << 10, LONG);
        rpc.call("aria2.pause", gid);
        rpc.await(gid, m -> ((String) m.getOrDefault("bitfield", "")).matches(".*[1-9a-f].*"), LONG);
        // One job at a time: the blocker runs, and w.bin, unpaused, waits behind it.
        blocker = (String) rpc.call("aria2.addUri", List.of(origin.url("/big.bin").toString()), Map.of("out", "big.bin"));
        rpc.await(blocker, m -> m.get("status").equals("active"), LONG);
        rpc.call("aria2.unpause", gid);
        assertThat(rpc.status(gid)).containsEntry("status", "waiting");
      }
      RangeSet held = heldByState(dir.resolve("w.bin"));
      assertThat(held.size()).isGreaterThanOrEqualTo(256 << 10).isLessThan(c.length());

      try (Daemon second = start()) {
        RpcClient again = new RpcClient(second.port(), null);
        assertThat(again.status(blocker)).containsEntry("status", "active");
        assertThat(again.status(gid)).containsEntry("status", "waiting")
            .containsEntry("totalLength", Long.toString(c.length()))
            .containsEntry("completedLength", Long.toString(held.size()))
            .containsEntry("bitfield", Bitfield.of(held.ranges(), c.length(), Bitfield.pieceLength(c.length()), false));
        again.call("aria2.remove", blocker);
        again.await(gid, m -> m.get("status").equals("complete"), LONG);
        assertThat(DaemonRpcTest.sha256(dir.resolve("w.bin"))).isEqualTo(c.sha256());
      }
    }
  }

  @Test
  void aFailedDownloadShowsWhatItHoldsAndComesBackAfterARestartToResumeFromIt() throws Exception {
    Content c = Content.pseudoRandom(2 << 20, 25);
    Resource slow = Resource.builder(c).rateLimit(1 << 20).build();
    try (FaultServer origin = new FaultServer()) {
      origin.put("/e.bin", slow);
      String gid;
      try (Daemon first = start()) {
        RpcClient rpc = new RpcClient(first.port(), null);
        gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/e.bin").toString()), Map.of("out", "e.bin"));
        rpc.await(gid, m -> num(m, "completedLength") >= 256 << 10, LONG);
        rpc.call("aria2.pause", gid);
        rpc.await(gid, m -> ((String) m.getOrDefault("bitfield", "")).matches(".*[1-9a-f].*"), LONG);
        origin.remove("/e.bin");
        rpc.call("aria2.unpause", gid);
        Map<String, Object> failed = rpc.await(gid, m -> m.get("status").equals("error"), LONG);
        RangeSet held = heldByState(dir.resolve("e.bin"));
        assertThat(held.size()).isGreaterThanOrEqualTo(256 << 10).isLessThan(c.length());
        // aria2's error code for a missing resource; the partial file is kept, and shown.
        assertThat(failed).containsEntry("errorCode", "3")
            .containsEntry("totalLength", Long.toString(c.length()))
            .containsEntry("completedLength", Long.toString(held.size()))
            .containsEntry("bitfield", Bitfield.of(held.ranges(), c.length(), Bitfield.pieceLength(c.length()), false));
      }
      long held = heldByState(dir.resolve("e.bin")).size();
      origin.put("/e.bin", slow);
      long sentBefore = origin.bytesSent();
      try (Daemon second = start()) {
        RpcClient again = new RpcClient(second.port(), null);
        // As aria2's session keeps error downloads: back (under its GID) and tried again.
        assertThat(again.status(gid).get("status")).isIn("waiting", "active");
        again.await(gid, m -> m.get("status").equals("complete"), LONG);
        assertThat(DaemonRpcTest.sha256(dir.resolve("e.bin"))).isEqualTo(c.sha256());
        assertThat(origin.bytesSent() - sentBefore).as("resumed from what it held")
            .isLessThan(c.length() - held + (256 << 10));
      }
    }
  }

  @Test
  void aDownloadThatDiscardedItsFileOnFailureShowsNothingHeld() throws Exception {
    Content c = Content.pseudoRandom(1 << 20, 24);
    try (FaultServer origin = new FaultServer(); Daemon d = start()) {
      origin.put("/bad.bin", c);
      RpcClient rpc = new RpcClient(d.port(), null);
      String gid = (String) rpc.call("aria2.addUri", List.of(origin.url("/bad.bin").toString()),
          Map.of("out", "bad.bin", "checksum", "sha-256=" + "0".repeat(64)));
      Map<String, Object> s = rpc.await(gid, m -> m.get("status").equals("error"), LONG);
      // Every byte came and was checked, then thrown away: none is held, so none is shown.
      assertThat(dir.resolve("bad.bin.part")).doesNotExist();
      assertThat(s).containsEntry("errorCode", "32").containsEntry("totalLength", Long.toString(c.length()))
          .containsEntry("completedLength", "0").containsEntry("bitfield", "0".repeat(16));
      // Kept in the session (to be tried again after a restart) until its result is removed.
      Path session = DaemonConfig.defaults(dir).session();
      assertThat(rpc.call("aria2.saveSession")).isEqualTo("OK");
      assertThat(session).content().contains(gid);
      assertThat(rpc.call("aria2.removeDownloadResult", gid)).isEqualTo("OK");
      assertThat(rpc.call("aria2.saveSession")).isEqualTo("OK");
      assertThat(session).content().doesNotContain(gid);
    }
  }

  private Daemon start() throws Exception {
    return Daemon.start(DaemonConfig.defaults(dir).withPort(0).withMaxActive(1),
        line -> System.err.println("daemon: " + line));
  }

  /** The ranges a resume keeps, read from the state file as the engine reads it. */
  private static RangeSet heldByState(Path out) throws Exception {
    Path part = out.resolveSibling(out.getFileName() + ".part");
    return new StateStore(out.resolveSibling(out.getFileName() + ".rget")).load()
        .kept(BootId.current(), Files.size(part));
  }

  /** The part file really has the origin's bytes wherever the state says so. */
  private static void assertPartFileHolds(Path part, RangeSet held, Content c) throws Exception {
    try (FileChannel ch = FileChannel.open(part)) {
      for (ByteRange r : held.ranges()) {
        ByteBuffer b = ByteBuffer.allocate((int) r.length());
        while (b.hasRemaining() && ch.read(b, r.first() + b.position()) >= 0) {
          // read the whole range
        }
        assertThat(b.array()).as("part file bytes %s", r).isEqualTo(c.bytes(r.first(), (int) r.length()));
      }
    }
  }
}
