package dev.rget.core.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names the current boot of the operating system. Data written to a file but not yet forced to
 * disk survives the death of the writing process (it sits in the OS page cache), but not a power
 * cut or an OS crash. The boot id tells a resuming run which of the two happened.
 */
public final class BootId {
  private static final Path LINUX = Path.of("/proc/sys/kernel/random/boot_id");

  private BootId() {}

  /**
   * The current boot id, or {@code "unknown"} where the OS does not expose one; an unknown boot
   * never equals a recorded one, so only forced data is trusted there.
   */
  public static String current() {
    try {
      return Files.readString(LINUX, StandardCharsets.US_ASCII).trim();
    } catch (IOException | UnsupportedOperationException e) {
      return "unknown";
    }
  }
}
