package dev.rget.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The web page: {@code /} (index.html), {@code /app.js} and {@code /app.css}, read once from the
 * jar. Plain files, no build step, nothing fetched from the network; the page speaks aria2's
 * JSON-RPC over the WebSocket at {@code /jsonrpc} like any other front-end.
 */
final class WebPage {
  /**
   * The page's Content-Security-Policy: its own script and style files only (no inline code, so
   * an injected tag cannot run), connections to this daemon only, no framing, no forms elsewhere.
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
      + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** One file of the page. */
  record Asset(String contentType, String body) {}

  private static final Map<String, Asset> ASSETS = Map.of(
      "/", new Asset("text/html; charset=utf-8", load("index.html")),
      "/app.js", new Asset("text/javascript; charset=utf-8", load("app.js")),
      "/app.css", new Asset("text/css; charset=utf-8", load("app.css")));

  private WebPage() {}

  /** The file served at {@code path}, or {@code null}. */
  static Asset at(String path) {
    return ASSETS.get(path);
  }

  private static String load(String name) {
    try (InputStream in = WebPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the rget-daemon jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
