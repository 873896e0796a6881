package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.Checksum;
import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output file on a real file system: lock, force, checksum, rename. */
class OutputFileTest {
  private static final byte[] DATA = "the whole file".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final List<String> notices = new ArrayList<>();

  @Test
  void aCompleteForcedFileIsRenamedOverTheOutput() throws Exception {
    Path out = dir.resolve("f.bin");
    Files.writeString(out, "an older file");
    try (OutputFile f = OutputFile.open(out, notices::add)) {
      f.part().write(ByteBuffer.wrap(DATA), 0);
      assertThat(f.force(new StopSignal(), ForkJoinPool.commonPool())).isTrue();
      f.verify(new Checksum("SHA-256", sha256(DATA)), new StopSignal(), store(out));
      f.commit();
    }
    assertThat(Files.readAllBytes(out)).isEqualTo(DATA);
    assertThat(FreeName.partOf(out)).doesNotExist();
  }

  @Test
  void aSecondDownloadOfTheSameOutputIsRefusedWhileTheFirstHoldsIt() throws Exception {
    Path out = dir.resolve("f.bin");
    try (OutputFile first = OutputFile.open(out, notices::add)) {
      assertThatThrownBy(() -> OutputFile.open(out, notices::add))
          .isInstanceOfSatisfying(DownloadException.class,
              e -> assertThat(e.kind()).isEqualTo(FailureKind.LOCAL_IO))
          .hasMessageContaining("another download is writing");
    }
    // Released with the first: a later download may take it.
    OutputFile.open(out, notices::add).close();
  }

  @Test
  void aWrongChecksumDiscardsThePartFileAndItsState() throws Exception {
    Path out = dir.resolve("f.bin");
    StateStore store = store(out);
    store.save(new ResumeState(URI.create("http://h/f"), URI.create("http://h/f"),
        new Validators(DATA.length, null, null), "b", new RangeSet(), new RangeSet()), false);
    try (OutputFile f = OutputFile.open(out, notices::add)) {
      f.part().write(ByteBuffer.wrap(DATA), 0);
      assertThatThrownBy(() -> f.verify(new Checksum("SHA-256", sha256("other".getBytes())),
          new StopSignal(), store))
          .isInstanceOfSatisfying(DownloadException.class,
              e -> assertThat(e.kind()).isEqualTo(FailureKind.CHECKSUM_MISMATCH));
    }
    assertThat(FreeName.partOf(out)).doesNotExist();
    assertThat(store.exists()).isFalse();
    assertThat(out).doesNotExist();
  }

  @Test
  void aStoppedForceReturnsAtOnceAndClosesThePartFileWhenItEnds() throws Exception {
    Path out = dir.resolve("f.bin");
    StopSignal stop = new StopSignal();
    stop.stop(new DownloadException(FailureKind.CANCELLED, "cancelled"));
    List<Runnable> held = new ArrayList<>();
    OutputFile f = OutputFile.open(out, notices::add);
    // The flush has not even started: the stopped wait does not wait for it.
    assertThat(f.force(stop, held::add)).isFalse();
    f.close();
    assertThat(f.part().channel().isOpen()).as("still the flush's to close").isTrue();

    held.forEach(Runnable::run);

    assertThat(f.part().channel().isOpen()).isFalse();
  }

  @Test
  void outputPathsThatCannotBeWrittenAreRefusedBeforeAnyRequest() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> OutputFile.checkPath(dir)).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> OutputFile.checkPath(dir.resolve("missing/f.bin")))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> OutputFile.checkPath(file.resolve("f.bin")))
        .hasMessageContaining("is not a directory");
    assertThatThrownBy(() -> OutputFile.checkPath(Path.of("")))
        .hasMessageContaining("output path is empty");
    OutputFile.checkPath(dir.resolve("f.bin"));
  }

  private static StateStore store(Path out) {
    return new StateStore(FreeName.stateOf(out));
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
