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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rget serve DIR}: serves a directory over HTTP/1.1 with rget-server (ranges, multipart
 * byteranges, conditional requests, listings), until SIGINT or SIGTERM, or until an internal Error
 * stops the server (then it exits 1 so that a supervisor can restart it).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve a directory over HTTP/1.1 with full range support (GET and HEAD, byte"
        + " ranges, multipart/byteranges, conditional requests, directory listings). File bodies"
        + " are sent zero-copy unless --limit-rate is given. Names starting with '.' are neither"
        + " served nor listed (--dotfiles to change that). On a loopback address only requests for"
        + " localhost or a loopback address are answered (--allow-host to add names). Stops"
        + " cleanly on Ctrl-C or SIGTERM.",
    footer = {"", "Exit codes: 0 stopped by a signal; 2 usage error (bad DIR or option, address"
        + " in use); 1 internal error, including an Error (such as OutOfMemoryError) that stopped"
        + " the server: restart it."})
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

  @Option(names = "--header-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "Time a client has to send a whole request head; then 408 and the connection"
          + " is closed (default: ${DEFAULT-VALUE}).")
  long headerSeconds;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Most connections open at once; at the cap new ones wait in the kernel's"
          + " backlog. Default: sized to the Java heap (about 900 with the launcher's 96 MiB).")
  Integer maxConnections;

  @Option(names = "--dotfiles",
      description = "Serve and list names starting with '.' and rget's own NAME.rget state files"
          + " (default: they are 404 and not listed).")
  boolean dotfiles;

  @Option(names = "--allow-host", paramLabel = "NAME",
      description = "On a loopback address, also answer requests whose Host is NAME (repeatable)."
          + " By default only localhost, 127.x.y.z and [::1] are answered; others get 421.")
  List<String> allowHosts = new ArrayList<>();

  @Option(names = "--uploads", paramLabel = "UPDIR",
      description = "Accept resumable uploads (tus 1.0.0) at /uploads/: completed ones are moved into"
          + " UPDIR under their sanitized filename (never replacing a file: NAME.1 ...), partial ones"
          + " are kept in UPDIR/.rget-uploads. Default: no uploads.")
  Path uploads;

  @Option(names = "--upload-max-size", paramLabel = "SIZE", defaultValue = "4g",
      description = "Largest upload accepted (413 beyond; default: ${DEFAULT-VALUE}).")
  String uploadMaxSize;

  @Option(names = "--upload-token", paramLabel = "TOKEN",
      description = "Require 'Authorization: Bearer TOKEN' on upload requests (401 without it)."
          + " Default: anyone who reaches the port may upload.")
  String uploadToken;

  @Option(names = "--upload-expiry", paramLabel = "HOURS", defaultValue = "24",
      description = "Unfinished uploads are deleted this long after their last write"
          + " (default: ${DEFAULT-VALUE}).")
  long uploadExpiryHours;

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
    if (headerSeconds <= 0) {
      return usage(err, "--header-timeout must be positive");
    }
    if (maxConnections != null && maxConnections <= 0) {
      return usage(err, "--max-connections must be positive");
    }
    long rate = 0;
    if (limitRate != null) {
      try {
        rate = Units.parseSize(limitRate);
      } catch (IllegalArgumentException e) {
        return usage(err, "--limit-rate: " + e.getMessage());
      }
    }
    ServerConfig.Builder builder = ServerConfig.builder()
        .root(dir)
        .bind(bind)
        .port(port)
        .limitRatePerConnection(rate)
        .accessLog(!quiet)
        .idleTimeout(Duration.ofSeconds(idleSeconds))
        .headTimeout(Duration.ofSeconds(headerSeconds))
        .maxConnections(maxConnections == null ? 0 : maxConnections)
        .dotfiles(dotfiles);
    try {
      builder.allowHosts(allowHosts);
    } catch (IllegalArgumentException e) {
      return usage(err, "--allow-host: " + e.getMessage());
    }
    if (uploads != null) {
      if (!Files.isDirectory(uploads)) {
        return usage(err, "--uploads: not a directory: " + uploads);
      }
      if (uploadExpiryHours <= 0) {
        return usage(err, "--upload-expiry must be positive");
      }
      try {
        builder.uploads(uploads).uploadMaxSize(Units.parseSize(uploadMaxSize)).uploadToken(uploadToken)
            .uploadExpiry(Duration.ofHours(uploadExpiryHours));
      } catch (IllegalArgumentException e) {
        return usage(err, "--upload-*: " + e.getMessage());
      }
    } else if (uploadToken != null) {
      return usage(err, "--upload-token needs --uploads UPDIR");
    }
    ServerConfig config = builder.build();

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
    if (uploads != null) {
      System.out.println("Uploads (tus 1.0.0) at " + server.uri().resolve("/uploads/") + " into " + uploads);
    }
    System.out.flush();
    server.awaitClose();
    if (server.failure().isPresent()) {
      // An Error stopped the server (see rget-server's Fatal): exit so a supervisor restarts it.
      err.println("rget: serve: stopped by an internal error, exiting so it can be restarted: "
          + server.failure().get());
      err.flush();
      return ExitCodes.INTERNAL;
    }
    return ExitCodes.OK;
  }

  private static int usage(PrintWriter err, String message) {
    err.println("rget: serve: " + message);
    err.flush();
    return ExitCodes.USAGE;
  }
}
