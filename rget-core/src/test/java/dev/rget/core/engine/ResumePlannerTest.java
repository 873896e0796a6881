package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.PrivateFiles;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which bytes of an interrupted download are kept, from the part file and its state file alone:
 * no server, no transfer. Each test is one situation and the plan expected in it.
 */
class ResumePlannerTest {
  private static final URI URL = URI.create("http://example.org/f.bin");
  private static final String BOOT = "boot-1";
  private static final Validators V1 = new Validators(1000, EntityTag.strong("v1"), null);
  private static final RemoteFile REMOTE = new RemoteFile(URL, V1, true, "f.bin", null);

  @TempDir Path dir;
  private Path part;
  private StateStore store;
  private final List<String> notices = new ArrayList<>();
  private final ResumePlanner planner = new ResumePlanner(URL, BOOT, false, notices::add);

  @BeforeEach
  void paths() {
    part = dir.resolve("f.bin.part");
    store = new StateStore(dir.resolve("f.bin.rget"));
  }

  @Test
  void sameVersionSameBootKeepsWhatWasWrittenUpToThePartFilesEnd() throws Exception {
    writePart(250);
    save(URL, V1, BOOT, ranges(0, 100, 200, 300), ranges(0, 100));

    ResumePlanner.Plan p = planner.plan(store, part, REMOTE);

    assertThat(p.written()).isEqualTo(ranges(0, 100, 200, 250));
    assertThat(p.durable()).isEqualTo(ranges(0, 100));
  }

  @Test
  void afterARebootOnlyWhatWasForcedIsKept() throws Exception {
    writePart(1000);
    save(URL, V1, "boot-0", ranges(0, 800), ranges(0, 300));

    ResumePlanner.Plan p = planner.plan(store, part, REMOTE);

    assertThat(p.written()).isEqualTo(ranges(0, 300));
    assertThat(notices).anyMatch(n -> n.contains("system restarted"));
  }

  @Test
  void anotherVersionStartsFromZeroOrStopsWhenAsked() throws Exception {
    writePart(500);
    save(URL, new Validators(1000, EntityTag.strong("v0"), null), BOOT, ranges(0, 500),
        ranges(0, 500));

    assertThat(planner.plan(store, part, REMOTE).written().isEmpty()).isTrue();
    assertThat(notices).anyMatch(n -> n.contains("remote file changed"));
    ResumePlanner strict = new ResumePlanner(URL, BOOT, true, notices::add);
    assertThatThrownBy(() -> strict.plan(store, part, REMOTE))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.kind()).isEqualTo(FailureKind.REMOTE_CHANGED));
  }

  @Test
  void aStateOfAnotherUrlIsNotUsed() throws Exception {
    writePart(500);
    URI other = URI.create("http://example.org/other.bin");
    store.save(new ResumeState(other, other, V1, BOOT, ranges(0, 500), ranges(0, 500)), false);

    assertThat(planner.plan(store, part, REMOTE).written().isEmpty()).isTrue();
    assertThat(notices).anyMatch(n -> n.contains("belongs to a download of"));
  }

  @Test
  void aStateReachedThroughTheSameRedirectTargetIsUsed() throws Exception {
    URI start = URI.create("http://example.org/latest");
    writePart(500);
    save(start, V1, BOOT, ranges(0, 500), ranges());
    ResumePlanner other = new ResumePlanner(URI.create("http://mirror.example.org/latest"), BOOT,
        false, notices::add);

    // Both redirect to URL: the same file.
    assertThat(other.plan(store, part, REMOTE).written()).isEqualTo(ranges(0, 500));
  }

  @Test
  void aPartFileWithoutStateIsNotTrusted() throws Exception {
    writePart(500);

    assertThat(planner.plan(store, part, REMOTE).written().isEmpty()).isTrue();
    assertThat(notices).anyMatch(n -> n.contains("cannot be trusted"));
  }

  @Test
  void anEmptyPartFileWithoutStateIsJustNew() throws Exception {
    writePart(0);

    assertThat(planner.plan(store, part, REMOTE).written().isEmpty()).isTrue();
    assertThat(notices).isEmpty();
  }

  @Test
  void aStateWithoutItsPartFileStartsFromZero() throws Exception {
    save(URL, V1, BOOT, ranges(0, 500), ranges(0, 500));

    assertThat(planner.plan(store, part, REMOTE).written().isEmpty()).isTrue();
    assertThat(notices).anyMatch(n -> n.contains("is missing"));
  }

  @Test
  void anUnusableStateFileStartsFromZero() throws Exception {
    writePart(500);
    try (FileChannel ch = PrivateFiles.openReadWrite(store.path())) {
      ch.write(ByteBuffer.wrap("not a state file".getBytes()));
    }

    assertThat(planner.plan(store, part, REMOTE).written().isEmpty()).isTrue();
    assertThat(notices).anyMatch(n -> n.contains("unusable"));
  }

  @Test
  void aFileOfUnknownLengthCannotBeResumed() throws Exception {
    writePart(500);
    Validators unknown = new Validators(-1, EntityTag.strong("v1"), null);
    save(URL, unknown, BOOT, ranges(0, 500), ranges(0, 500));

    assertThat(planner.plan(store, part, new RemoteFile(URL, unknown, false, "f.bin", null))
        .written().isEmpty()).isTrue();
    assertThat(notices).anyMatch(n -> n.contains("length is unknown"));
  }

  private void writePart(int size) throws Exception {
    try (FileChannel ch = PrivateFiles.openReadWrite(part)) {
      ch.write(ByteBuffer.allocate(size));
    }
    assertThat(Files.size(part)).isEqualTo(size);
  }

  /** Saves the state of a download that started at {@code url} and was redirected to URL. */
  private void save(URI url, Validators v, String boot, RangeSet written, RangeSet durable)
      throws Exception {
    store.save(new ResumeState(url, URL, v, boot, written, durable), false);
  }

  private static RangeSet ranges(long... bounds) {
    RangeSet s = new RangeSet();
    for (int i = 0; i < bounds.length; i += 2) {
      s.add(bounds[i], bounds[i + 1]);
    }
    return s;
  }
}
