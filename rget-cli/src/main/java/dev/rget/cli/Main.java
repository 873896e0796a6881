package dev.rget.cli;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code rget} command: dispatches to {@code get}, {@code serve}, {@code demo}, {@code daemon},
 * {@code upload}. */
@Command(
    name = "rget",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Resumable, parallel HTTP downloads, and a range-complete file server.",
    subcommands = {GetCommand.class, ServeCommand.class, DemoCommand.class, DaemonCommand.class,
        UploadCommand.class})
public final class Main implements Runnable {
  /** What {@code rget --version} prints. */
  static final String VERSION = "rget 0.1.0";
  private static final Set<String> SUBCOMMANDS = Set.of("get", "serve", "demo", "daemon", "upload", "help");

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (used by tests that run in-process). */
  public static int run(String... args) {
    if (isVersionRequest(args)) {
      // Answered before picocli loads: building its model of every command (reflection over
      // some hundred classes that class-data sharing cannot archive on Java 17, as picocli is
      // compiled for Java 5) is most of the start-up time of a JVM that only prints one line.
      System.out.println(VERSION);
      return ExitCodes.OK;
    }
    CommandLine cli = new CommandLine(new Main());
    cli.setExitCodeExceptionMapper(ExitCodes::forException);
    cli.setExecutionExceptionHandler(ExitCodes::handle);
    cli.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
    cli.setParameterExceptionHandler(ExitCodes::usage);
    return cli.execute(shorthand(args));
  }

  /** {@code rget --version} or {@code rget -V}, alone: picocli would print {@link #VERSION} too. */
  static boolean isVersionRequest(String[] args) {
    return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
  }

  /** {@code rget URL ...} means {@code rget get URL ...}. */
  static String[] shorthand(String[] args) {
    if (args.length > 0 && !args[0].startsWith("-") && !SUBCOMMANDS.contains(args[0])) {
      String[] out = new String[args.length + 1];
      out[0] = "get";
      System.arraycopy(args, 0, out, 1, args.length);
      return out;
    }
    return args;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }
}
