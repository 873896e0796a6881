package dev.rget.cli;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.SafeText;
import dev.rget.core.upload.TusUpload;
import dev.rget.core.upload.UploadState;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rget upload FILE URL}: sends FILE to a tus 1.0.0 creation URL (such as
 * {@code rget serve --uploads}) with {@link TusUpload}; run again after an interruption, it asks
 * the server for its offset and sends the rest.
 */
@Command(name = "upload", mixinStandardHelpOptions = true,
    description = "Upload FILE to a tus 1.0.0 endpoint (for example http://host:8080/uploads/ of"
        + " 'rget serve --uploads'). Interrupted at any moment, the same command run again resumes"
        + " from what the server holds. The upload URL is remembered under"
        + " ~/.local/state/rget/uploads (or $XDG_STATE_HOME/rget/uploads); never the token.",
    footer = {"", "Exit codes: 0 done; 2 usage; 3 network; 4 HTTP error status (401 for a wrong"
        + " token); 5 local file; 8 the server broke the tus protocol; 130 interrupted."})
public final class UploadCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The file to send.")
  Path file;

  @Parameters(index = "1", paramLabel = "URL", description = "The tus creation URL.")
  String url;

  @Option(names = "--upload-token", paramLabel = "TOKEN", defaultValue = "${env:RGET_UPLOAD_TOKEN}",
      description = "Send 'Authorization: Bearer TOKEN' (default: $RGET_UPLOAD_TOKEN, else none)."
          + " Never printed or stored.")
  String token;

  @Option(names = "--chunk-size", paramLabel = "SIZE", defaultValue = "8m",
      description = "Bytes per PATCH request (default: ${DEFAULT-VALUE}).")
  String chunkSize;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where unfinished uploads are remembered (default: ~/.local/state/rget/uploads).")
  Path stateDir;

  @Option(names = {"-q", "--quiet"}, description = "No progress and no summary.")
  boolean quiet;

  @Override
  public Integer call() throws DownloadException {
    PrintStream err = System.err;
    URI endpoint;
    try {
      endpoint = new URI(url);
    } catch (URISyntaxException e) {
      throw new DownloadException(FailureKind.USAGE, "bad URL: " + e.getMessage(), e);
    }
    TusUpload.Builder b = TusUpload.builder(file, endpoint)
        .stateDir(stateDir != null ? stateDir : UploadState.defaultDirectory())
        .token(token == null || token.isEmpty() ? null : token);
    try {
      b.chunkSize(Units.parseSize(chunkSize));
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.USAGE, "--chunk-size: " + e.getMessage(), e);
    }
    boolean live = !quiet && System.console() != null;
    if (live) {
      b.listener((offset, length) -> err.print("\rrget: " + offset + " / " + length + " bytes ("
          + (length == 0 ? 100 : offset * 100 / length) + "%)"));
    }
    TusUpload.Result r = b.build().run();
    if (live) {
      err.println();
    }
    if (!quiet) {
      err.println("rget: uploaded " + file.getFileName() + " (" + r.length() + " bytes"
          + (r.resumedFrom() > 0 ? ", resumed at " + r.resumedFrom() : "") + ") to " + SafeText.withoutPassword(r.uploadUrl()));
    }
    return ExitCodes.OK;
  }
}
