package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.BootId;
import dev.rget.core.state.PrivateFiles;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a download that is not running holds, read from real state and part files: only what the
 * engine would keep on resume, nothing where it would start from zero.
 */
class HeldRangesTest {
  private static final URI URL = URI.create("http://127.0.0.1:1/f.bin");
  private static final long LENGTH = 100_000;
  @TempDir Path dir;
  private Path out;
  private Path part;
  private StateStore store;

  @BeforeEach
  void setUp() {
    out = dir.resolve("f.bin");
    part = dir.resolve("f.bin.part");
    store = new StateStore(dir.resolve("f.bin.rget"));
  }

  private static RangeSet ranges(long... bounds) {
    RangeSet s = new RangeSet();
    for (int i = 0; i < bounds.length; i += 2) {
      s.add(bounds[i], bounds[i + 1]);
    }
    return s;
  }

  private void save(String bootId, RangeSet written, RangeSet durable) throws Exception {
    store.save(new ResumeState(URL, URL, new Validators(LENGTH, null, null), bootId, written, durable), false);
  }

  private void partOf(long size) throws Exception {
    try (FileChannel ch = PrivateFiles.openReadWrite(part)) {
      ch.write(ByteBuffer.allocate(1), size - 1);
    }
  }

  @Test
  void inThisBootTheWrittenRangesCutAtThePartFilesEnd() throws Exception {
    save(BootId.current(), ranges(0, 10_000, 50_000, 90_000), ranges(0, 5_000));
    partOf(60_000); // bytes recorded beyond the part file's end cannot be there
    HeldRanges.Held h = HeldRanges.read(out, URL);
    assertThat(h.length()).isEqualTo(LENGTH);
    assertThat(h.written()).containsExactly(ByteRange.ofHalfOpen(0, 10_000), ByteRange.ofHalfOpen(50_000, 60_000));
    assertThat(h.bytes()).isEqualTo(20_000);
  }

  @Test
  void afterAnotherBootOnlyTheRangesForcedToDisk() throws Exception {
    save("another-boot", ranges(0, 10_000, 50_000, 90_000), ranges(0, 5_000));
    partOf(LENGTH);
    assertThat(HeldRanges.read(out, URL).written()).containsExactly(ByteRange.ofHalfOpen(0, 5_000));
  }

  @Test
  void nothingWhereTheEngineWouldStartFromZero() throws Exception {
    assertThat(HeldRanges.read(out, URL)).as("no files").isEqualTo(HeldRanges.NONE);

    save(BootId.current(), ranges(0, 10_000), ranges());
    assertThat(HeldRanges.read(out, URL)).as("no part file").isEqualTo(HeldRanges.NONE);

    partOf(LENGTH);
    assertThat(HeldRanges.read(out, URI.create("http://127.0.0.1:1/other.bin"))).as("another URL's state")
        .isEqualTo(HeldRanges.NONE);
    assertThat(HeldRanges.read(out, URL).bytes()).as("the files as they should be").isEqualTo(10_000);

    Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThat(HeldRanges.read(out, URL)).as("a part file others can write").isEqualTo(HeldRanges.NONE);
    Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-------"));

    byte[] text = Files.readAllBytes(store.path());
    text[text.length / 2] ^= 1;
    Files.write(store.path(), text);
    assertThat(HeldRanges.read(out, URL)).as("a torn state").isEqualTo(HeldRanges.NONE);
  }

  @Test
  void aStateOfUnknownLengthHoldsNothing() throws Exception {
    store.save(new ResumeState(URL, URL, new Validators(-1, null, null), BootId.current(), ranges(0, 10), ranges()), false);
    partOf(10);
    assertThat(HeldRanges.read(out, URL)).isEqualTo(HeldRanges.NONE);
    assertThat(HeldRanges.NONE.written()).isEqualTo(List.of());
  }
}
