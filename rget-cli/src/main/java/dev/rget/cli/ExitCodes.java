package dev.rget.cli;

import dev.rget.core.DownloadException;
import dev.rget.core.SafeText;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Maps failures to process exit codes and prints them as one line, without stack traces. */
final class ExitCodes {
  static final int OK = 0;
  static final int INTERNAL = 1;
  static final int USAGE = 2;

  private ExitCodes() {}

  static int forException(Throwable t) {
    if (t instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    return t instanceof DownloadException d ? d.kind().exitCode() : INTERNAL;
  }

  /** A bad command line: one line naming the problem and where the options are listed. */
  static int usage(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println("rget: " + SafeText.of(e.getMessage()) + " (see '"
        + cmd.getCommandSpec().qualifiedName() + " --help')");
    return USAGE;
  }

  static int handle(Exception e, CommandLine cmd, ParseResult parsed) {
    if (e instanceof DownloadException d) {
      if (d.kind() == dev.rget.core.FailureKind.CANCELLED) {
        cmd.getErr().println("rget: interrupted; what was fetched is kept, run the same command"
            + " again to resume");
      } else {
        cmd.getErr().println("rget: " + SafeText.of(d.getMessage()));
      }
      return d.kind().exitCode();
    }
    cmd.getErr().println("rget: internal error: " + SafeText.of(e));
    e.printStackTrace(cmd.getErr());
    return INTERNAL;
  }
}
