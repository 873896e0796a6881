package dev.rget.daemon;

/** A download's state, with the name aria2 gives it in {@code tellStatus}. */
enum Status {
  ACTIVE("active"), WAITING("waiting"), PAUSED("paused"), ERROR("error"), COMPLETE("complete"),
  REMOVED("removed");

  private final String aria2Name;

  Status(String aria2Name) {
    this.aria2Name = aria2Name;
  }

  String aria2Name() {
    return aria2Name;
  }

  /** Whether the download has ended (listed by tellStopped). */
  boolean stopped() {
    return this == ERROR || this == COMPLETE || this == REMOVED;
  }
}
