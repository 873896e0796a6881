package dev.rget.daemon;

import java.nio.file.Path;

/** A daemon as a child process for the kill -9 test: {@code DIR}; prints its port, runs until killed. */
public final class DaemonMain {
  private DaemonMain() {}

  public static void main(String[] args) throws Exception {
    Daemon d = Daemon.start(DaemonConfig.defaults(Path.of(args[0])).withPort(0).withMaxActive(2),
        line -> System.err.println("daemon: " + line));
    System.out.println("PORT " + d.port());
    System.out.flush();
    d.awaitClose();
  }
}
