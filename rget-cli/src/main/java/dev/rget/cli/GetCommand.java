package dev.rget.cli;

import dev.rget.core.Checksum;
import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.HostLimiter;
import dev.rget.core.Rget;
import dev.rget.core.SafeText;
import dev.rget.core.auth.Credentials;
import dev.rget.core.auth.Netrc;
import dev.rget.core.cookie.CookieJar;
import dev.rget.core.transport.Transport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code rget get URL}: downloads one file, or a list of them, resumably and in parallel. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Download a file over several connections; run the same command again to "
        + "resume after an interruption.", "",
        "Exit codes: 0 ok, 1 internal error, 2 usage, 3 network, 4 HTTP error status, "
        + "5 local file error, 6 checksum mismatch, 7 remote file changed (--fail-if-changed), "
        + "8 server broke the protocol, 9 file larger than --max-filesize, 130 interrupted."})
public final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "URL",
      description = "What to download; several URLs are each saved to a file of their own.")
  List<String> urls = new ArrayList<>();

  @Mixin ReachFlags reach = new ReachFlags();

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Write to FILE (default: the name from the server or the URL, in the current"
          + " or -d directory).")
  Path output;

  @Option(names = {"-d", "--dir"}, paramLabel = "DIR", description = "Directory to save into.")
  Path dir;

  @Option(names = {"-n", "--connections"}, paramLabel = "N", defaultValue = "8",
      description = "Parallel connections per file (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--checksum", paramLabel = "ALG=HEX",
      description = "Verify the finished file, e.g. sha-256=HEX (also sha-512, sha-1, md5).")
  String checksum;

  @Option(names = {"-q", "--quiet"}, description = "No progress display and no notices.")
  boolean quiet;

  @Option(names = "--json",
      description = "For scripts: JSON lines on stdout, one per download every second and a last one when"
          + " it ends, with aria2's tellStatus field names; no progress bar or summary on stderr.")
  boolean json;

  @Option(names = {"-i", "--input-file"}, paramLabel = "FILE",
      description = "Download every URL listed in FILE (one per line; # starts a comment).")
  Path inputFile;

  @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "4",
      description = "Files downloaded at once with -i (default: ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--max-per-host", paramLabel = "N", defaultValue = "16",
      description = "Connection cap per host shared by all downloads of a -i list "
          + "(default: ${DEFAULT-VALUE}).")
  int maxPerHost;

  @Option(names = "--fail-if-changed",
      description = "If the remote file changed since the partial download, exit with code 7 "
          + "instead of starting over.")
  boolean failIfChanged;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
      description = "Failed attempts in a row without progress before giving up "
          + "(default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--connect-timeout", paramLabel = "TIME", defaultValue = "10s",
      description = "Time allowed to connect (default: ${DEFAULT-VALUE}).")
  String connectTimeout;

  @Option(names = "--stall-timeout", paramLabel = "TIME", defaultValue = "30s",
      description = "Drop a connection that receives nothing for TIME and re-queue its range "
          + "(default: ${DEFAULT-VALUE}).")
  String stallTimeout;

  @Option(names = "--limit-rate", paramLabel = "RATE",
      description = "Cap the whole download's rate, e.g. 500k or 10m (bytes per second).")
  String limitRate;

  @Option(names = "--max-filesize", paramLabel = "SIZE",
      description = "Refuse a file larger than SIZE (e.g. 100m, 2g): a larger announced length"
          + " fails at once, a body of unannounced length is cut off there (exit 9).")
  String maxFileSize;

  @Option(names = "--https-only",
      description = "Only https: refuse an http URL and a redirect from https to http (which is"
          + " otherwise followed with a notice).")
  boolean httpsOnly;

  @Option(names = "--referer", paramLabel = "URL", description = "Referer header.")
  String referer;

  @Option(names = "--load-cookies", paramLabel = "FILE",
      description = "Send cookies from FILE (Netscape format, as curl -c and wget write it).")
  Path loadCookies;

  @Option(names = "--save-cookies", paramLabel = "FILE",
      description = "Write the cookies afterwards to FILE (Netscape format, owner-only).")
  Path saveCookies;

  @Option(names = "--no-remote-time",
      description = "Keep the local time as the file's modification time, instead of the"
          + " server's Last-Modified.")
  boolean noRemoteTime;

  @Option(names = {"-N", "--timestamping"},
      description = "Download only if the server's file is newer than the local one"
          + " (If-Modified-Since), as wget -N.")
  boolean timestamping;

  private CookieJar jar;
  @Option(names = "--http2",
      description = "Offer HTTP/2 to https servers: where the server takes it, the connections"
          + " become streams on one or a few shared connections (HTTP/1.1 otherwise).")
  boolean http2;

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    if (inputFile == null && urls.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "a URL or -i FILE is needed");
    }
    if (inputFile != null && !urls.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give either URLs or -i FILE, not both");
    }
    if (output != null && (dir != null || inputFile != null || urls.size() > 1)) {
      throw new ParameterException(spec.commandLine(),
          "-o cannot be combined with -d, -i or several URLs");
    }
    if (jobs < 1 || jobs > 64) {
      throw new ParameterException(spec.commandLine(), "-j must be between 1 and 64");
    }
    DownloadOptions.Builder options;
    try {
      options = optionsFromFlags();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    reach.warnIfInsecure(err, "download");
    try {
      if (inputFile == null && urls.size() == 1) {
        return single(urls.get(0), options, err);
      }
      return list(inputFile != null ? readList(inputFile) : parseAll(urls), options, err);
    } finally {
      saveCookieJar();
    }
  }

  private void saveCookieJar() throws DownloadException {
    if (saveCookies == null) {
      return;
    }
    try {
      jar.save(saveCookies, System.currentTimeMillis() / 1000);
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot save cookies to " + saveCookies
          + ": " + e.getMessage(), e);
    }
  }

  private void identityFromFlags(DownloadOptions.Builder b) {
    if (reach.userAgent() != null) {
      b.userAgent(reach.userAgent());
    }
    for (Map.Entry<String, String> h : reach.headers()) {
      b.header(h.getKey(), h.getValue());
    }
    b.referer(referer);
    Credentials login = reach.credentials();
    if (login != null) {
      b.credentials(login);
    }
    Netrc logins = reach.netrc();
    if (logins != null) {
      b.netrc(logins);
    }
    b.locationTrusted(reach.locationTrusted());
    try {
      jar = loadCookies != null ? CookieJar.load(loadCookies) : new CookieJar();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read cookies from " + loadCookies + ": "
          + e.getMessage());
    }
    b.cookieJar(jar);
    b.remoteTime(!noRemoteTime);
    b.timestamping(timestamping);
    b.proxies(reach.proxyRules(System.getenv()));
  }

  private static List<URI> parseAll(List<String> texts) throws DownloadException {
    List<URI> out = new ArrayList<>();
    for (String t : texts) {
      out.add(Rget.parseUrl(t));
    }
    return out;
  }

  private DownloadOptions.Builder optionsFromFlags() {
    DownloadOptions.Builder b = DownloadOptions.builder()
        .connections(connections)
        .retries(retries)
        .failIfChanged(failIfChanged)
        .connectTimeout(Units.parseDuration(connectTimeout))
        .stallTimeout(Units.parseDuration(stallTimeout));
    if (checksum != null) {
      b.checksum(Checksum.parse(checksum));
    }
    if (maxFileSize != null) {
      b.maxFileSize(Units.parseSize(maxFileSize));
    }
    b.httpsOnly(httpsOnly);
    b.http2(http2);
    if (limitRate != null) {
      b.limitRate(Units.parseSize(limitRate));
    }
    identityFromFlags(b);
    SSLContext trust = reach.sslContext();
    if (trust != null) {
      b.sslContext(trust);
    }
    return b;
  }

  private int single(String url, DownloadOptions.Builder options, PrintStream err)
      throws Exception {
    URI uri = Rget.parseUrl(url);
    boolean terminal = System.console() != null;
    Path target = output != null ? output : dir != null ? dir : Path.of("");
    boolean intoDir = output == null;
    NoticeSink sink = new NoticeSink(err, quiet);
    Download d = intoDir
        ? Rget.downloadInto(uri, target.toAbsolutePath(), options.notices(sink).build())
        : Rget.download(uri, target, options.notices(sink).build());
    ProgressDisplay display = quiet || json ? null : new ProgressDisplay(d, err, terminal);
    JsonProgress lines = json ? new JsonProgress(d, uri,
        intoDir ? target.toAbsolutePath() : target.toAbsolutePath().getParent(), System.out) : null;
    sink.display = display;
    Thread hook = cancelOnSignal(List.of(d));
    try {
      DownloadResult r;
      try {
        r = await(d);
      } catch (DownloadException e) {
        if (lines != null) {
          lines.failed(e);
        }
        throw e;
      }
      if (display != null) {
        display.close();
      }
      if (lines != null) {
        lines.complete(r);
      } else if (!quiet) {
        err.println(summary(r));
      }
      return ExitCodes.OK;
    } finally {
      if (display != null) {
        display.close();
      }
      if (lines != null) {
        lines.close();
      }
      removeHook(hook);
    }
  }

  private static List<URI> readList(Path file) throws DownloadException {
    List<URI> uris = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DownloadException(FailureKind.USAGE, "cannot read URL list " + file + ": " + e);
    }
    for (String line : lines) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        uris.add(Rget.parseUrl(t));
      }
    }
    return uris;
  }

  private int list(List<URI> uris, DownloadOptions.Builder options, PrintStream err)
      throws Exception {
    Path target = (dir != null ? dir : Path.of("")).toAbsolutePath();
    NoticeSink sink = new NoticeSink(err, quiet);
    DownloadOptions opts = options.notices(sink).hostLimiter(new HostLimiter(maxPerHost)).build();
    int[] codes;
    try (Transport shared = Rget.newTransport(opts)) {
      Map<Download, JsonProgress> lines = new ConcurrentHashMap<>(); // --json: one per download
      ListRun run = new ListRun(uris, jobs, u -> Rget.download(u, target, true, opts, shared),
          new ListRun.Listener() {
            @Override
            public void started(URI uri, Download d) {
              if (json) {
                lines.put(d, new JsonProgress(d, uri, target, System.out));
              }
            }

            @Override
            public void done(URI uri, Download d, DownloadResult r) {
              JsonProgress l = lines.remove(d);
              if (l != null) {
                l.complete(r);
                l.close();
              } else if (!quiet) {
                err.println(summary(r));
              }
            }

            @Override
            public void failed(URI uri, Download d, DownloadException e) {
              JsonProgress l = d == null ? null : lines.remove(d);
              if (l != null) {
                l.failed(e);
                l.close();
              }
              err.println("rget: " + SafeText.of(uri) + ": " + SafeText.of(e.getMessage()));
            }
          });
      Thread hook = cancelOnSignal(run::running, run::cancel);
      try {
        codes = run.run();
      } finally {
        removeHook(hook);
      }
    }
    int worst = ExitCodes.OK;
    int ok = 0;
    for (int code : codes) {
      if (code == ExitCodes.OK) {
        ok++;
      } else if (worst == ExitCodes.OK) {
        worst = code;
      }
    }
    if ((!quiet && !json) || worst != ExitCodes.OK) {
      err.println("rget: " + ok + " of " + uris.size() + " files downloaded");
    }
    return worst;
  }

  private static DownloadResult await(Download d) throws Exception {
    try {
      return d.result().get();
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  private static String summary(DownloadResult r) {
    double secs = Math.max(1e-3, r.elapsed().toNanos() / 1e9);
    return String.format(Locale.ROOT, "rget: saved %s (%s in %.1f s, %s/s%s)",
        SafeText.of(r.path()),
        Units.bytes(r.length()), secs, Units.bytes((long) (r.bytesFetched() / secs)),
        r.resumedBytes() > 0 ? ", " + Units.bytes(r.resumedBytes()) + " resumed" : "");
  }

  /**
   * On SIGINT/SIGTERM, cancel the downloads and wait briefly for their state to be saved, so the
   * next run resumes from where this one stopped.
   */
  private static Thread cancelOnSignal(List<Download> downloads) {
    return cancelOnSignal(() -> downloads, () -> downloads.forEach(Download::cancel));
  }

  /**
   * @param downloads the downloads running when the signal comes
   * @param cancel cancels them (and, for a list, starts no more)
   */
  private static Thread cancelOnSignal(Supplier<List<Download>> downloads, Runnable cancel) {
    Thread hook = new Thread(() -> {
      List<Download> snapshot = List.copyOf(downloads.get());
      cancel.run();
      for (Download d : snapshot) {
        try {
          d.result().handle((r, e) -> null).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          // Shutting down anyway; the state saved so far stays valid.
        }
      }
    }, "rget-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running.
    }
  }

  /** Routes the engine's notices to the display (or stderr), unless quiet. */
  private static final class NoticeSink implements Consumer<String> {
    private final PrintStream err;
    private final boolean quiet;
    volatile ProgressDisplay display;

    NoticeSink(PrintStream err, boolean quiet) {
      this.err = err;
      this.quiet = quiet;
    }

    @Override
    public void accept(String message) {
      if (quiet) {
        return;
      }
      ProgressDisplay d = display;
      if (d != null) {
        d.notice(message);
      } else {
        err.println("rget: note: " + SafeText.of(message));
      }
    }
  }
}
