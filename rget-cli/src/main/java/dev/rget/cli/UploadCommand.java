package dev.rget.cli;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.core.SafeText;
import dev.rget.core.Upload;
import dev.rget.core.auth.Credentials;
import dev.rget.core.auth.Netrc;
import dev.rget.core.upload.TusUpload;
import dev.rget.core.upload.UploadOptions;
import dev.rget.core.upload.UploadState;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rget upload FILE URL}: sends FILE to a tus 1.0.0 creation URL (such as
 * {@code rget serve --uploads}) with {@link Rget#upload}; run again after an interruption, it
 * asks the server for its offset and sends the rest. Ctrl-C stops it at once (exit 130).
 */
@Command(name = "upload", mixinStandardHelpOptions = true,
    description = "Upload FILE to a tus 1.0.0 endpoint (for example http://host:8080/uploads/ of"
        + " 'rget serve --uploads'). Interrupted at any moment, the same command run again resumes"
        + " from what the server holds; a dropped connection or a restarting server is retried"
        + " (--retries). The upload URL is remembered under ~/.local/state/rget/uploads (or"
        + " $XDG_STATE_HOME/rget/uploads); never the token or a login. The server is reached as"
        + " 'rget get' reaches one: -x/--noproxy and the proxy environment, -u/--netrc, -H,"
        + " --ca-certificate, -k.",
    footer = {"", "Exit codes: 0 done; 2 usage; 3 network (after the retries; at once for an"
        + " untrusted certificate or an unknown host); 4 HTTP error status (401 for a wrong token"
        + " or login, 407 from the proxy); 5 local file; 8 the server broke the tus protocol;"
        + " 130 interrupted."})
public final class UploadCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The file to send.")
  Path file;

  @Parameters(index = "1", paramLabel = "URL", description = "The tus creation URL.")
  String url;

  @Option(names = "--upload-token", paramLabel = "TOKEN", defaultValue = "${env:RGET_UPLOAD_TOKEN}",
      description = "Send 'Authorization: Bearer TOKEN' (default: $RGET_UPLOAD_TOKEN, else none)."
          + " Never printed or stored.")
  String token;

  @Option(names = "--chunk-size", paramLabel = "SIZE",
      description = "Bytes per PATCH request (default: 1/128 of the file, 1m to 16m).")
  String chunkSize;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "" + TusUpload.DEFAULT_RETRIES,
      description = "Failed requests in a row (connection refused or dropped, 5xx) retried after"
          + " a growing pause of up to 10 s before giving up (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where unfinished uploads are remembered (default: ~/.local/state/rget/uploads).")
  Path stateDir;

  @Option(names = {"-n", "--parts"}, paramLabel = "N", defaultValue = "1",
      description = "Send N parts of the file in parallel and have the server join them (tus"
          + " concatenation), when it offers that and each part is at least 4 MiB; else one stream,"
          + " with a notice (default: ${DEFAULT-VALUE}, at most " + UploadOptions.MAX_PARALLEL + ").")
  int parts;

  @Option(names = {"-q", "--quiet"}, description = "No progress and no summary.")
  boolean quiet;

  @Mixin ReachFlags reach = new ReachFlags();

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    URI endpoint;
    try {
      endpoint = new URI(url);
    } catch (URISyntaxException e) {
      throw new DownloadException(FailureKind.USAGE, "bad URL: " + e.getMessage(), e);
    }
    UploadOptions.Builder b = UploadOptions.builder()
        .stateDir(stateDir != null ? stateDir : UploadState.defaultDirectory())
        .token(token == null || token.isEmpty() ? null : token);
    try {
      reachFromFlags(b, System.getenv());
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.USAGE, e.getMessage(), e);
    }
    reach.warnIfInsecure(err, "upload");
    try {
      if (chunkSize != null) {
        b.chunkSize(Units.parseSize(chunkSize));
      }
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.USAGE, "--chunk-size: " + e.getMessage(), e);
    }
    try {
      b.retries(retries);
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.USAGE, "--retries: " + e.getMessage(), e);
    }
    try {
      b.parallel(parts);
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.USAGE, "-n: " + e.getMessage(), e);
    }
    ProgressDisplay[] shown = new ProgressDisplay[1];
    if (!quiet) {
      int most = retries;
      b.retryListener((failures, pause, cause) -> {
        notice(shown[0], String.format(Locale.ROOT, "%s; retry %d of %d in %.1f s", cause.getMessage(),
            failures, most, pause.toMillis() / 1000.0));
      });
      b.noticeListener(line -> notice(shown[0], line));
    }
    UploadOptions options;
    try {
      options = b.build();
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.USAGE, e.getMessage(), e);
    }
    Upload up = Rget.upload(file, endpoint, options);
    ProgressDisplay display = quiet ? null
        : new ProgressDisplay(up::progress, err, System.console() != null);
    shown[0] = display;
    Thread hook = cancelOnSignal(up);
    try {
      TusUpload.Result r = await(up);
      if (display != null) {
        display.close();
      }
      if (!quiet) {
        double secs = Math.max(1e-3, up.progress().elapsed().toNanos() / 1e9);
        err.println(String.format(Locale.ROOT, "rget: uploaded %s (%s in %.1f s%s) to %s",
            SafeText.of(file.getFileName().toString()), Units.bytes(r.length()), secs,
            r.resumedFrom() > 0 ? ", resumed at " + Units.bytes(r.resumedFrom()) : "",
            SafeText.withoutPassword(r.uploadUrl())));
      }
      return ExitCodes.OK;
    } finally {
      if (display != null) {
        display.close();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running.
      }
    }
  }

  /**
   * The headers, login, proxies and TLS trust of the command line, as {@code get} reads them.
   *
   * @throws IllegalArgumentException naming the flag that is wrong
   */
  void reachFromFlags(UploadOptions.Builder b, Map<String, String> env) {
    for (Map.Entry<String, String> h : reach.headers()) {
      b.header(h.getKey(), h.getValue());
    }
    if (reach.userAgent() != null) {
      b.userAgent(reach.userAgent());
    }
    Credentials login = reach.credentials();
    if (login != null) {
      b.credentials(login);
    }
    Netrc logins = reach.netrc();
    if (logins != null) {
      b.netrc(logins);
    }
    b.locationTrusted(reach.locationTrusted());
    b.proxies(reach.proxyRules(env));
    SSLContext trust = reach.sslContext();
    if (trust != null) {
      b.sslContext(trust);
    }
  }

  /** A notice on the progress display when there is one, else a line of its own. */
  private static void notice(ProgressDisplay d, String line) {
    if (d != null) {
      d.notice(line);
    } else {
      System.err.println("rget: note: " + SafeText.of(line));
    }
  }

  private static TusUpload.Result await(Upload up) throws Exception {
    try {
      return up.result().get();
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  /**
   * On SIGINT/SIGTERM, stop the upload and wait briefly for it to end; the state file (the upload
   * URL) was written when the upload was created, and the offset lives on the server.
   */
  private static Thread cancelOnSignal(Upload up) {
    Thread hook = new Thread(() -> {
      up.cancel();
      try {
        up.result().handle((r, e) -> null).get(500, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // Exiting anyway: what the server holds is what the next run resumes from.
      }
    }, "rget-upload-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }
}
