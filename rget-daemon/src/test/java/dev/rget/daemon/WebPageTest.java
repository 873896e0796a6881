package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page at {@code /} in a real headless Chromium (Debian's {@code chromium}, installed by
 * {@code .ci/run}), driven over the DevTools protocol: it asks for the RPC secret, adds a URL
 * through its form, shows the download's progress live from a throttled origin, and its pause
 * button pauses the download (checked through the RPC). Hostile file names are shown as text.
 * Also writes {@code target/daemon-page.png}, the picture in the README.
 */
class WebPageTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final String SECRET = "page-secret-42";
  private static final String HOSTILE = "<img src=x id=pwn onerror=window.pwned=1>.bin";

  @TempDir Path dir;
  private FaultServer origin;
  private Daemon daemon;
  private RpcClient rpc;

  @BeforeEach
  void setUp() throws Exception {
    assertThat(Chromium.installed()).as("chromium is on the PATH (.ci/run installs it)").isTrue();
    origin = new FaultServer();
    daemon = Daemon.start(DaemonConfig.defaults(dir).withPort(0).withMaxActive(3).withSecret(SECRET),
        line -> System.err.println("daemon: " + line));
    rpc = new RpcClient(daemon.port(), SECRET);
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    origin.close();
  }

  @Test
  void thePageShowsProgressLiveAndItsPauseButtonPausesTheDownload() throws Exception {
    // 32 MiB over 4 connections of 256 KiB/s each: about 30 s, long enough to watch and pause.
    Content big = Content.pseudoRandom(32 << 20, 31);
    origin.put("/big.iso", Resource.builder(big).rateLimit(256 << 10).build());
    Content small = Content.pseudoRandom(2 << 20, 32);
    origin.put("/small.tar.gz", small);
    String page = "http://127.0.0.1:" + daemon.port() + "/";
    try (Chromium browser = Chromium.start(1200, 460)) {
      browser.navigate(page);
      // The daemon has a secret: the page asks for it, and keeps it out of the URL.
      browser.await("!document.getElementById('secret-form').hidden", Boolean.TRUE::equals, LONG);
      browser.eval("document.getElementById('secret').value = '" + SECRET + "';"
          + "document.getElementById('secret-form').requestSubmit(); true");
      browser.await("document.getElementById('secret-form').hidden", Boolean.TRUE::equals, LONG);
      assertThat(browser.eval("location.href")).isEqualTo(page);
      assertThat(browser.eval("sessionStorage.getItem('rget-daemon-secret')")).isEqualTo(SECRET);

      // Added through the page's own form.
      browser.eval("document.getElementById('add-url').value = '" + origin.url("/small.tar.gz") + "';"
          + "document.getElementById('add-form').requestSubmit(); true");
      browser.await("[...document.querySelectorAll('#rows tr')].map(r => r.dataset.status).join()",
          "complete"::equals, LONG);
      String bigGid = (String) rpc.call("aria2.addUri", List.of(origin.url("/big.iso").toString()),
          Map.of("split", "4"));
      String hostileGid = (String) rpc.call("aria2.addUri", List.of(origin.url("/big.iso").toString()),
          Map.of("out", HOSTILE, "split", "2"));
      String row = "document.querySelector('tr[data-gid=\"" + bigGid + "\"]')";

      // Live progress: the row's completed bytes grow while it is active, and the bar says so.
      long first = ((Number) browser.await(row + "?.dataset.status === 'active' ? +" + row + ".dataset.completed : 0",
          v -> ((Number) v).longValue() > 0, LONG)).longValue();
      browser.await("+" + row + ".dataset.completed", v -> ((Number) v).longValue() > first, LONG);
      assertThat((String) browser.eval(row + ".querySelector('.pct').textContent")).matches("\\d+\\.\\d% · .*");
      assertThat((String) browser.eval(row + ".querySelector('.size').textContent")).isEqualTo("32.0 MiB");
      assertThat((String) browser.eval(row + ".querySelector('.conns').textContent")).matches("[1-4]");
      assertThat((String) browser.eval(row + ".querySelector('.speed').textContent")).endsWith("/s");

      // The hostile name is text, not markup.
      String hostileRow = "document.querySelector('tr[data-gid=\"" + hostileGid + "\"]')";
      browser.await(hostileRow + "?.querySelector('.file').textContent", HOSTILE::equals, LONG);
      assertThat(browser.eval("document.getElementById('pwn') === null && window.pwned === undefined"))
          .isEqualTo(true);

      Files.createDirectories(Path.of("target"));
      Files.write(Path.of("target/daemon-page.png"), browser.screenshot());

      // The pause button pauses the download, as the RPC reports.
      browser.eval(row + ".querySelector('button.pause').click(); true");
      rpc.await(bigGid, m -> m.get("status").equals("paused"), LONG);
      browser.await(row + ".dataset.status", "paused"::equals, LONG);
      assertThat(browser.eval(row + ".querySelector('button.resume').hidden")).isEqualTo(false);
      assertThat(browser.eval(row + ".querySelector('button.pause').hidden")).isEqualTo(true);
    }
    byte[] png = Files.readAllBytes(Path.of("target/daemon-page.png"));
    assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
  }

  @Test
  void thePageIsServedWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + daemon.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("script-src 'self'").contains("default-src 'none'").doesNotContain("unsafe");
    assertThat(r.body()).doesNotContain("<script>").doesNotContain("http://").doesNotContain("https://"
        + "fonts").contains("/app.js");
    for (String asset : List.of("/app.js", "/app.css")) {
      HttpResponse<String> a = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + daemon.port() + asset)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(a.statusCode()).isEqualTo(200);
      assertThat(a.body()).as("%s loads nothing from the network", asset).doesNotContain("//cdn")
          .doesNotContain("@import").doesNotContain("innerHTML");
    }
  }
}
