package dev.rget.cli;

import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rget serve DIR}: serves a directory over HTTP/1.1 with rget-server (ranges, multipart
 * byteranges, conditional requests, listings), until SIGINT or SIGTERM.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve a directory over HTTP/1.1 with full range support (GET and HEAD, byte"
        + " ranges, multipart/byteranges, conditional requests, directory listings). File bodies"
        + " are sent zero-copy unless --limit-rate is given. Stops cleanly on Ctrl-C or SIGTERM.",
    footer = {"", "Exit codes: 0 stopped by a signal; 2 usage error (bad DIR or option, address"
        + " in use); 1 internal error."})
public final class ServeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "The directory to serve.")
  Path dir;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces).")
  String bind;

  @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "8080",
      description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = {"-q", "--quiet"}, description = "No access log (by default one line per request on stdout).")
  boolean quiet;

  @Option(names = "--limit-rate", paramLabel = "RATE",
      description = "Limit each connection to RATE bytes/s, like nginx limit_rate (e.g. 500k, 2m)."
          + " Default: unlimited, zero-copy.")
  String limitRate;

  @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "Close connections idle this long (default: ${DEFAULT-VALUE}).")
  long idleSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isDirectory(dir)) {
      return usage(err, "not a directory: " + dir);
    }
    if (port < 0 || port > 65535) {
      return usage(err, "--port must be 0..65535, not " + port);
    }
    if (idleSeconds <= 0) {
      return usage(err, "--idle-timeout must be positive");
    }
    long rate = 0;
    if (limitRate != null) {
      try {
        rate = Units.parseSize(limitRate);
      } catch (IllegalArgumentException e) {
        return usage(err, "--limit-rate: " + e.getMessage());
      }
    }
    ServerConfig config = ServerConfig.builder()
        .root(dir)
        .bind(bind)
        .port(port)
        .limitRatePerConnection(rate)
        .accessLog(!quiet)
        .idleTimeout(Duration.ofSeconds(idleSeconds))
        .build();

    FileServer server;
    try {
      server = FileServer.start(config);
    } catch (BindException e) {
      return usage(err, e.getMessage());
    } catch (UnknownHostException e) {
      return usage(err, "cannot resolve bind address '" + bind + "'");
    } catch (IOException e) {
      return usage(err, "cannot serve " + dir + ": " + e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "rget-serve-shutdown"));
    System.out.println("Serving " + dir + " on " + server.uri());
    System.out.flush();
    server.awaitClose();
    return ExitCodes.OK;
  }

  private static int usage(PrintWriter err, String message) {
    err.println("rget: serve: " + message);
    err.flush();
    return ExitCodes.USAGE;
  }
}
