package dev.rget.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder; being written. */
@Command(name = "demo")
public final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
