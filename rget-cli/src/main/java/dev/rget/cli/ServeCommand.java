package dev.rget.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code rget serve DIR}: placeholder until the rget-server module lands. */
@Command(name = "serve", description = "Serve a directory over HTTP/1.1 with full range support.")
public final class ServeCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("rget: serve is not implemented yet");
    return 1;
  }
}
