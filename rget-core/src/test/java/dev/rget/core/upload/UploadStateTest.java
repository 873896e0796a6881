package dev.rget.core.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file of a parallel upload: what is written is read back, and nothing else is believed. */
class UploadStateTest {
  @TempDir Path dir;

  private UploadState state() {
    return UploadState.of(dir, dir.resolve("f.bin"), URI.create("http://h/uploads/"));
  }

  @Test
  void partsRoundTripThroughEachStep() throws Exception {
    UploadState s = state();
    UploadState.PartsEntry e = new UploadState.PartsEntry(10, 7, List.of(5L, 5L),
        Arrays.asList(null, null), false, null);
    s.saveParts(e);
    assertThat(s.loadParts()).contains(e);
    e = e.withPart(1, URI.create("http://h/uploads/b"));
    s.saveParts(e);
    assertThat(s.loadParts().orElseThrow().partUrls()).containsExactly(null, URI.create("http://h/uploads/b"));
    e = e.withPart(0, URI.create("http://h/uploads/a")).withFinal(null);
    s.saveParts(e);
    assertThat(s.loadParts().orElseThrow().finalRequested()).isTrue();
    assertThat(s.loadParts().orElseThrow().finalUrl()).isNull();
    e = e.withFinal(URI.create("http://h/uploads/f"));
    s.saveParts(e);
    assertThat(s.loadParts()).contains(e);
  }

  @Test
  void aSingleStreamStateIsNotPartsAndPartsAreNotASingleStream() throws Exception {
    UploadState s = state();
    s.save(new UploadState.Entry(URI.create("http://h/uploads/x"), 10, 7));
    assertThat(s.loadParts()).isEmpty();
    s.saveParts(new UploadState.PartsEntry(10, 7, List.of(10L), Arrays.asList((URI) null), false, null));
    assertThat(s.load()).isEmpty();
    assertThat(s.loadParts()).isPresent();
  }

  @Test
  void aTornOrHostileFileIsNotBelieved() throws Exception {
    UploadState s = state();
    Files.createDirectories(dir);
    Files.writeString(s.path(), "size=10\nmtime=7\nparts=2\npart.0.length=5\n");
    assertThat(s.loadParts()).isEmpty();
    Files.writeString(s.path(), "size=10\nmtime=7\nparts=99999999\n");
    assertThat(s.loadParts()).isEmpty();
    Files.writeString(s.path(), "size=10\nmtime=7\nparts=1\npart.0.length=x\n");
    assertThat(s.loadParts()).isEmpty();
    // Parts that do not add up to the file would join into another file.
    Files.writeString(s.path(), "size=10\nmtime=7\nparts=2\npart.0.length=5\npart.1.length=4\n");
    assertThat(s.loadParts()).isEmpty();
    Files.writeString(s.path(), "size=10\nmtime=7\nparts=2\npart.0.length=15\npart.1.length=-5\n");
    assertThat(s.loadParts()).isEmpty();
    Files.writeString(s.path(), "size=10\nmtime=7\nparts=2\npart.0.length=5\npart.1.length=5\n");
    assertThat(s.loadParts()).isPresent();
  }
}
