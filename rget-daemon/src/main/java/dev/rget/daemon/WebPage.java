package dev.rget.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The web page served at {@code /}: one self-contained HTML file (no network, no build step). */
final class WebPage {
  private static final String HTML = load();

  private WebPage() {}

  static String html() {
    return HTML;
  }

  private static String load() {
    try (InputStream in = WebPage.class.getResourceAsStream("index.html")) {
      if (in == null) {
        throw new IllegalStateException("index.html missing from the rget-daemon jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
