package dev.rget.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link PatchWriter} that takes the upload over from the one before it on its connection while
 * that one's end is still being checked, forced and recorded: on a real store and disk, each way
 * the body before can end (checked, refused, cut off) and each way the follower can end.
 */
class PatchWriterFollowTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  UploadStore store;

  @BeforeEach
  void open() throws Exception {
    store = UploadStore.open(dir, Clock.systemUTC(), 60_000);
  }

  @Test
  void theFollowerWritesBehindAndCountsOnceThePreviousBodyIsRecorded() throws Exception {
    byte[] data = random(3 * MIB, 1);
    Upload u = store.create(data.length, "", "a.bin");
    PatchWriter first = first(u, crc(data, 0, MIB));
    write(first, data, 0, MIB);
    first.bodyArrived();
    assertThat(first.mayBeFollowed()).isTrue();
    assertThat(first.handOver()).isTrue();
    PatchWriter second = new PatchWriter(first, store.openForWrite(u), check(crc(data, MIB, MIB)));
    write(second, data, MIB, MIB);
    assertThat(second.predecessorEnded()).as("decides nothing before the body it follows").isNotDone();

    assertThat(first.finish().status()).isEqualTo(204);
    assertThat(second.predecessorEnded()).isDone();
    assertThat(u.tryLock()).as("the lock went to the follower, not back to the store").isFalse();
    assertThat(u.info().offset()).isEqualTo(MIB);
    assertThat(second.finish().status()).isEqualTo(204);
    assertThat(u.info().offset()).isEqualTo(2 * MIB);
    assertThat(Files.readAllBytes(part(u))).isEqualTo(Arrays.copyOf(data, 2 * MIB));
    assertThat(u.tryLock()).as("let go at the follower's end").isTrue();
  }

  @Test
  void aRefusedPreviousBodyCutsTheFollowerWhichIsAConflict() throws Exception {
    byte[] data = random(3 * MIB, 2);
    Upload u = store.create(data.length, "", "b.bin");
    byte[] damaged = crc(data, 0, MIB);
    damaged[0] ^= 1;
    PatchWriter first = first(u, damaged);
    write(first, data, 0, MIB);
    first.bodyArrived();
    assertThat(first.handOver()).isTrue();
    PatchWriter second = new PatchWriter(first, store.openForWrite(u), check(crc(data, MIB, MIB)));
    write(second, data, MIB, MIB);

    assertThat(first.finish().status()).isEqualTo(460);
    assertThat(second.finish().status()).isEqualTo(409);
    assertThat(u.info().offset()).isZero();
    assertThat(Files.size(part(u))).as("nothing of either body stays").isZero();
    assertThat(u.tryLock()).isTrue();
  }

  @Test
  void aCutOffFollowerKeepsItsBytesOnlyBehindACheckedBody() throws Exception {
    byte[] data = random(4 * MIB, 3);
    Upload u = store.create(data.length, "", "c.bin");
    PatchWriter first = first(u, crc(data, 0, MIB));
    write(first, data, 0, MIB);
    first.bodyArrived();
    assertThat(first.handOver()).isTrue();
    PatchWriter second = new PatchWriter(first, store.openForWrite(u), null); // no digest: kept as it comes
    write(second, data, MIB, MIB / 2);
    assertThat(first.finish().status()).isEqualTo(204);
    second.abort();
    assertThat(u.info().offset()).isEqualTo(MIB + MIB / 2);
    assertThat(Files.readAllBytes(part(u))).isEqualTo(Arrays.copyOf(data, MIB + MIB / 2));
    assertThat(u.tryLock()).isTrue();
  }

  @Test
  void aCutOffFollowerOfARefusedBodyKeepsNothing() throws Exception {
    byte[] data = random(4 * MIB, 4);
    Upload u = store.create(data.length, "", "d.bin");
    byte[] damaged = crc(data, 0, MIB);
    damaged[1] ^= 1;
    PatchWriter first = first(u, damaged);
    write(first, data, 0, MIB);
    first.bodyArrived();
    assertThat(first.handOver()).isTrue();
    PatchWriter second = new PatchWriter(first, store.openForWrite(u), null);
    write(second, data, MIB, MIB / 2);
    assertThat(first.finish().status()).isEqualTo(460);
    second.abort();
    assertThat(u.info().offset()).isZero();
    assertThat(Files.size(part(u))).isZero();
    assertThat(u.tryLock()).isTrue();
  }

  @Test
  void aLongFollowerRecordsNothingBeforeTheBodyItFollowsIsChecked() throws Exception {
    // Past the checkpoint of a long body without a digest, which would record its offset.
    int size = (int) PatchWriter.FORCE_EVERY + 2 * MIB;
    Upload u = store.create(size + MIB, "", "e.bin");
    byte[] head = random(MIB, 5);
    byte[] damaged = crc(head, 0, MIB);
    damaged[2] ^= 1;
    PatchWriter first = first(u, damaged);
    write(first, head, 0, MIB);
    first.bodyArrived();
    assertThat(first.handOver()).isTrue();
    PatchWriter second = new PatchWriter(first, store.openForWrite(u), null);
    byte[] piece = random(MIB, 6);
    for (int at = 0; at < size; at += MIB) {
      write(second, piece, 0, MIB);
      assertThat(u.info().offset()).as("nothing recorded while the body before is unchecked").isZero();
    }
    assertThat(first.finish().status()).isEqualTo(460);
    second.abort();
    assertThat(u.info().offset()).isZero();
    assertThat(Files.size(part(u))).isZero();
  }

  @Test
  void aWriterThatLetGoIsNotTakenOver() throws Exception {
    byte[] data = random(2 * MIB, 7);
    Upload u = store.create(data.length, "", "f.bin");
    PatchWriter first = first(u, crc(data, 0, MIB));
    write(first, data, 0, MIB);
    first.bodyArrived();
    assertThat(first.finish().status()).isEqualTo(204);
    assertThat(first.handOver()).as("the next request takes its turn as any other").isFalse();
    assertThat(u.tryLock()).isTrue();
  }

  @Test
  void aBodyThatReachesTheLengthIsNotFollowed() throws Exception {
    byte[] data = random(MIB, 8);
    Upload u = store.create(data.length, "", "g.bin");
    PatchWriter only = first(u, crc(data, 0, MIB));
    write(only, data, 0, MIB);
    only.bodyArrived();
    assertThat(only.mayBeFollowed()).isFalse();
    assertThat(only.handOver()).isFalse();
    assertThat(only.follows(u, MIB, 0)).isFalse();
    assertThat(only.finish().status()).isEqualTo(204);
  }

  @Test
  void onlyTheNextBodyOfTheSameUploadWithinItsLengthFollows() throws Exception {
    byte[] data = random(3 * MIB, 9);
    Upload u = store.create(data.length, "", "h.bin");
    Upload other = store.create(data.length, "", "i.bin");
    PatchWriter first = first(u, null);
    assertThat(first.follows(u, MIB, MIB)).as("not before its whole body arrived").isFalse();
    write(first, data, 0, MIB);
    first.bodyArrived();
    assertThat(first.follows(u, MIB, MIB)).isTrue();
    assertThat(first.follows(u, MIB, 2 * MIB)).isTrue();
    assertThat(first.follows(u, MIB, 2 * MIB + 1)).as("past the length").isFalse();
    assertThat(first.follows(u, MIB - 1, MIB)).as("another offset").isFalse();
    assertThat(first.follows(other, MIB, MIB)).as("another upload").isFalse();
    assertThat(first.finish().status()).isEqualTo(204);
  }

  /** The writer of a tus PATCH at the upload's offset (it may be followed). */
  private PatchWriter first(Upload u, byte[] crc) throws Exception {
    assertThat(u.tryLock()).isTrue();
    return new PatchWriter(store, u, store.openForWrite(u), check(crc), u.info().length(),
        PatchWriter.Completion.AT_LENGTH, false, StatusAnswer.INSTANCE, null, true);
  }

  private static UploadChecksum check(byte[] crc) {
    return crc == null ? null : new UploadChecksum("crc32c", crc);
  }

  private static void write(PatchWriter w, byte[] data, int from, int length) throws Exception {
    w.write(new ByteBuffer[] {ByteBuffer.wrap(data, from, length)});
  }

  private Path part(Upload u) {
    return dir.resolve(UploadStore.HIDDEN_DIR).resolve(u.id + ".part");
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] crc(byte[] data, int from, int length) {
    CRC32C c = new CRC32C();
    c.update(data, from, length);
    return ByteBuffer.allocate(4).putInt((int) c.getValue()).array();
  }
}
