package dev.rget.cli;

import dev.rget.daemon.Daemon;
import dev.rget.daemon.DaemonConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rget daemon}: a download queue driven over aria2's JSON-RPC interface (HTTP and WebSocket
 * at {@code /jsonrpc}), until SIGINT or SIGTERM or {@code aria2.shutdown}. Its unfinished downloads
 * are kept in a session file, so the same command run again (after a crash too) resumes them.
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = "Run a download service that speaks aria2's JSON-RPC (POST and WebSocket at"
        + " /jsonrpc), so aria2 front-ends (AriaNg, webui-aria2, browser extensions, aria2 client"
        + " libraries) drive rget. Listens on loopback only unless --rpc-listen-all (which needs"
        + " --rpc-secret). Unfinished downloads survive a restart, even after kill -9.",
    footer = {"", "Exit codes: 0 stopped by a signal or aria2.shutdown; 2 usage error (bad option,"
        + " port in use, unusable session file); 1 internal error."})
public final class DaemonCommand implements Callable<Integer> {
  @Option(names = "--rpc-listen-port", paramLabel = "PORT", defaultValue = "6800",
      description = "Port of the JSON-RPC interface (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--rpc-secret", paramLabel = "SECRET",
      description = "Require 'token:SECRET' as every call's first parameter, as aria2 does.")
  String secret;

  @Option(names = "--rpc-listen-all",
      description = "Listen on every interface instead of loopback only (requires --rpc-secret).")
  boolean listenAll;

  @Option(names = {"-d", "--dir"}, paramLabel = "DIR", defaultValue = ".",
      description = "Directory downloads are saved into (default: the current directory).")
  Path dir;

  @Option(names = {"-j", "--max-concurrent-downloads"}, paramLabel = "N", defaultValue = "5",
      description = "Downloads run at once; the others wait in order (default: ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--max-per-host", paramLabel = "N", defaultValue = "16",
      description = "Connections per host, shared by all downloads (default: ${DEFAULT-VALUE}).")
  int perHost;

  @Option(names = "--session", paramLabel = "FILE",
      description = "Session file (default: DIR/.rget-daemon/session; owner-only, in an owner-only directory).")
  Path session;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Path d = dir.toAbsolutePath().normalize();
    DaemonConfig config;
    try {
      config = new DaemonConfig(port, secret, listenAll, d, jobs, perHost,
          session != null ? session.toAbsolutePath() : DaemonConfig.defaultSession(d), 64);
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    }
    Daemon daemon;
    try {
      daemon = Daemon.start(config, line -> {
        err.println("rget: daemon: " + line);
        err.flush();
      });
    } catch (IOException e) {
      return usage(err, e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "rget-daemon-stop"));
    System.out.println("rget daemon: JSON-RPC on " + (listenAll ? "0.0.0.0" : "127.0.0.1") + ":" + daemon.port()
        + "/jsonrpc, saving into " + d + ", session " + config.session());
    System.out.flush();
    daemon.awaitClose();
    return ExitCodes.OK;
  }

  private static int usage(PrintWriter err, String message) {
    err.println("rget: daemon: " + message);
    err.flush();
    return ExitCodes.USAGE;
  }
}
