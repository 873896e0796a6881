package dev.rget.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Entry point of the {@code rget} command: dispatches to {@code get}, {@code serve}, {@code demo}, {@code daemon},
 * {@code upload}. */
@Command(
    name = "rget",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Resumable, parallel HTTP downloads, and a range-complete file server.")
public final class Main implements Runnable {
  /** What {@code rget --version} prints. */
  static final String VERSION = "rget 0.1.0";
  /** The subcommands, in the order the help lists them (see {@link #newCommand}). */
  static final List<String> COMMANDS = List.of("get", "serve", "demo", "daemon", "upload");

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
    String[] line = shorthand(args);
    CommandLine cli = new CommandLine(new Main());
    // picocli builds a command's model, by reflection over its classes, when it is added: only
    // the command being run is added (about 20 ms of CPU less for `rget get`), all of them when
    // the line names none (help, a usage error), so that those list every command.
    for (String name : line.length > 0 && COMMANDS.contains(line[0]) ? List.of(line[0])
        : COMMANDS) {
      cli.addSubcommand(name, newCommand(name));
    }
    // Set after the subcommands are added: picocli passes these settings down to the commands
    // present at the time.
    cli.setExitCodeExceptionMapper(ExitCodes::forException);
    cli.setExecutionExceptionHandler(ExitCodes::handle);
    cli.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
    cli.setParameterExceptionHandler(ExitCodes::usage);
    return cli.execute(line);
  }

  /** A new instance of the subcommand {@code name}, one of {@link #COMMANDS}. */
  static Object newCommand(String name) {
    switch (name) {
      case "get":
        return new GetCommand();
      case "serve":
        return new ServeCommand();
      case "demo":
        return new DemoCommand();
      case "daemon":
        return new DaemonCommand();
      case "upload":
        return new UploadCommand();
      default:
        throw new IllegalArgumentException("no command " + name);
    }
  }

  /** {@code rget --version} or {@code rget -V}, alone: picocli would print {@link #VERSION} too. */
  static boolean isVersionRequest(String[] args) {
    return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
  }

  /** {@code rget URL ...} means {@code rget get URL ...}. */
  static String[] shorthand(String[] args) {
    if (args.length > 0 && !args[0].startsWith("-") && !COMMANDS.contains(args[0])
        && !args[0].equals("help")) {
      String[] out = new String[args.length + 1];
      out[0] = "get";
      System.arraycopy(args, 0, out, 1, args.length);
      return out;
    }
    return args;
  }

  @Spec CommandSpec spec;

  @Override
  public void run() {
    // This command line's own model, with every subcommand (a new one would list none).
    spec.commandLine().usage(System.err);
  }
}
