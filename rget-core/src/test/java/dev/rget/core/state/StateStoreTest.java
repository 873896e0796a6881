package dev.rget.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  @TempDir Path dir;

  private static ResumeState sample(String bootId) {
    RangeSet written = new RangeSet();
    written.add(0, 1000);
    written.add(5L << 30, (5L << 30) + 10);
    RangeSet durable = new RangeSet();
    durable.add(0, 500);
    return new ResumeState(URI.create("http://h/a"), URI.create("http://h/b"),
        new Validators(6L << 30, EntityTag.strong("x1"), "Tue, 01 Jan 2030 00:00:00 GMT"),
        bootId, written, durable);
  }

  @Test
  void roundTripsEveryField() throws IOException {
    StateStore store = new StateStore(dir.resolve("f.rget"));
    ResumeState s = sample("boot-1");
    store.save(s, true);
    assertThat(store.load()).isEqualTo(s);
    assertThat(Files.exists(dir.resolve("f.rget.tmp"))).isFalse();
  }

  @Test
  void tornOrFlippedStateIsDistrustedNotBelieved() throws IOException {
    StateStore store = new StateStore(dir.resolve("f.rget"));
    store.save(sample("b"), false);
    byte[] bytes = Files.readAllBytes(store.path());
    String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    // Claim more bytes than were written: the CRC line no longer matches.
    Files.writeString(store.path(), text.replace("0-999", "0-9999"));
    assertThatThrownBy(store::load).isInstanceOf(StateStore.CorruptStateException.class);
    // A file cut short (as after a power cut) is also refused.
    Files.write(store.path(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(store::load).isInstanceOf(StateStore.CorruptStateException.class);
    // And a zero-filled one.
    Files.write(store.path(), new byte[bytes.length]);
    assertThatThrownBy(store::load).isInstanceOf(StateStore.CorruptStateException.class);
  }

  @Test
  void missingStateIsNoSuchFile() {
    StateStore store = new StateStore(dir.resolve("none.rget"));
    assertThat(store.exists()).isFalse();
    assertThatThrownBy(store::load).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void afterARebootOnlyForcedRangesAreTrusted() {
    ResumeState s = sample("boot-1");
    assertThat(s.trusted("boot-1")).isEqualTo(s.written());
    assertThat(s.trusted("boot-2")).isEqualTo(s.durable());
    assertThat(s.trusted("unknown")).isEqualTo(s.durable());
  }

  @Test
  void theStateFileIsOwnerOnlyAndHoldsNoPassword() throws IOException {
    StateStore store = new StateStore(dir.resolve("f.rget"));
    ResumeState s = sample("b");
    store.save(new ResumeState(URI.create("http://user:secret@h/a"),
        URI.create("http://user:secret@h/b"), s.remote(), "b", s.written(), s.durable()), false);

    assertThat(Files.readString(store.path())).doesNotContain("secret")
        .contains("url=http://user@h/a");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.path())))
        .isEqualTo("rw-------");
    assertThat(store.load().url()).isEqualTo(URI.create("http://user@h/a"));
  }

  @Test
  void aLinkAtTheTemporaryIsRefusedAndALeftoverFileReplaced() throws IOException {
    StateStore store = new StateStore(dir.resolve("f.rget"));
    Path tmp = dir.resolve("f.rget.tmp");
    Path victim = Files.writeString(dir.resolve("victim"), "precious");
    Files.createSymbolicLink(tmp, victim);

    assertThatThrownBy(() -> store.save(sample("b"), false))
        .isInstanceOf(dev.rget.core.DownloadException.class).hasMessageContaining("symbolic link");
    assertThat(Files.readString(victim)).isEqualTo("precious");

    Files.delete(tmp);
    Files.writeString(tmp, "left by a killed run");
    store.save(sample("b"), false);
    assertThat(store.load()).isEqualTo(sample("b"));
    assertThat(tmp).doesNotExist();
  }
}
