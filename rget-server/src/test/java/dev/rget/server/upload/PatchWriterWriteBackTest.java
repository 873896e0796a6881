package dev.rget.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PatchWriter}'s background write-back on a real store and disk: forces start while a body
 * arrives, and what counts is unchanged (the offset moves only after the final force and a
 * matching digest; a mismatch still leaves the data and offset where they were).
 */
class PatchWriterWriteBackTest {
  private static final int SIZE = 12 << 20;

  @TempDir Path dir;

  @Test
  void forcesStartDuringTheBodyAndTheOffsetMovesOnlyAtTheEnd() throws Exception {
    byte[] data = new byte[SIZE];
    new Random(1).nextBytes(data);
    UploadStore store = UploadStore.open(dir, Clock.systemUTC(), 60_000);
    Upload u = store.create(SIZE, "", "f.bin");
    PatchWriter w = writer(store, u, checksum(data));
    for (int at = 0; at < SIZE; at += 1 << 20) {
      w.write(new ByteBuffer[] {ByteBuffer.wrap(data, at, 1 << 20)});
      assertThat(u.info().offset()).as("nothing counts before the end").isZero();
    }
    assertThat(w.writeBacksStarted()).as("a force every %d bytes, at most one at a time",
        PatchWriter.WRITE_BACK_EVERY).isBetween(1, (int) (SIZE / PatchWriter.WRITE_BACK_EVERY));
    assertThat(w.finish().status()).isEqualTo(204);
    assertThat(u.info().offset()).isEqualTo(SIZE);
    assertThat(Files.readAllBytes(dir.resolve("f.bin"))).isEqualTo(data);
  }

  @Test
  void aMismatchAfterBackgroundForcesStillCountsNothing() throws Exception {
    byte[] data = new byte[SIZE];
    new Random(2).nextBytes(data);
    UploadStore store = UploadStore.open(dir, Clock.systemUTC(), 60_000);
    Upload u = store.create(SIZE, "", "g.bin");
    byte[] wrong = Arrays.copyOf(data, SIZE);
    wrong[SIZE - 1] ^= 1;
    PatchWriter w = writer(store, u, checksum(wrong));
    for (int at = 0; at < SIZE; at += 1 << 20) {
      w.write(new ByteBuffer[] {ByteBuffer.wrap(data, at, 1 << 20)});
    }
    assertThat(w.writeBacksStarted()).isPositive();
    assertThat(w.finish().status()).isEqualTo(460);
    assertThat(u.info().offset()).isZero();
    assertThat(Files.size(dir.resolve(UploadStore.HIDDEN_DIR).resolve(u.id + ".part"))).isZero();
  }

  private static PatchWriter writer(UploadStore store, Upload u, UploadChecksum check) throws Exception {
    assertThat(u.tryLock()).isTrue();
    return new PatchWriter(store, u, store.openForWrite(u), check, SIZE, PatchWriter.Completion.AT_LENGTH,
        false, StatusAnswer.INSTANCE, null);
  }

  private static UploadChecksum checksum(byte[] data) throws Exception {
    return new UploadChecksum("sha256", MessageDigest.getInstance("SHA-256").digest(data));
  }
}
