package dev.rget.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Debian's {@code chromium} in {@code --headless=new}, driven over the Chrome DevTools protocol:
 * the browser prints its DevTools WebSocket address on stderr, {@code /json/list} names the page's
 * socket, and the JDK's WebSocket client sends commands ({@code Page.navigate},
 * {@code Runtime.evaluate}, {@code Page.captureScreenshot}) and receives their answers.
 */
final class Chromium implements AutoCloseable {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<Map<String, Object>>> calls = new ConcurrentHashMap<>();
  private final List<String> stderr = new ArrayList<>();

  private Chromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** Whether a {@code chromium} binary is on the PATH. */
  static boolean installed() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "chromium"))) {
        return true;
      }
    }
    return false;
  }

  /** Starts a headless browser with a fresh profile and an empty page of {@code width x height}. */
  static Chromium start(int width, int height) throws Exception {
    Path profile = Files.createTempDirectory("rget-chromium");
    Process p = new ProcessBuilder("chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height, "about:blank").start();
    p.getOutputStream().close();
    List<String> lines = new ArrayList<>();
    CompletableFuture<String> devtools = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
          int at = line.indexOf("DevTools listening on ");
          if (at >= 0) {
            devtools.complete(line.substring(at + "DevTools listening on ".length()).trim());
          }
        }
      } catch (IOException e) {
        devtools.completeExceptionally(e);
      }
      devtools.completeExceptionally(new IOException("chromium ended its stderr without a DevTools address"));
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    String browserWs;
    try {
      browserWs = devtools.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      synchronized (lines) {
        throw new AssertionError("chromium did not start; stderr: " + lines, e);
      }
    }
    URI browser = URI.create(browserWs);
    HttpClient http = HttpClient.newHttpClient();
    String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list"))
        .timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString()).body();
    String pageWs = null;
    for (Object o : (List<?>) Json.parse(list, 1 << 20)) {
      Map<?, ?> target = (Map<?, ?>) o;
      if ("page".equals(target.get("type"))) {
        pageWs = (String) target.get("webSocketDebuggerUrl");
        break;
      }
    }
    if (pageWs == null) {
      p.destroyForcibly();
      throw new AssertionError("chromium lists no page target: " + list);
    }
    Chromium[] self = new Chromium[1];
    WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          self[0].received(partial.toString());
          partial.setLength(0);
        }
        w.request(1);
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
    self[0] = new Chromium(p, profile, ws);
    return self[0];
  }

  @SuppressWarnings("unchecked")
  private void received(String text) {
    Map<String, Object> m;
    try {
      m = (Map<String, Object>) Json.parse(text, 64 << 20);
    } catch (Json.ParseException e) {
      throw new AssertionError("chromium sent a message that is not JSON: " + text, e);
    }
    if (m.get("id") instanceof Long id) {
      CompletableFuture<Map<String, Object>> f = calls.remove(id);
      if (f != null) {
        f.complete(m);
      }
    }
    // Events (no id) are not needed: the tests ask the page for its state.
  }

  /** Sends a DevTools command and returns its {@code result}, or fails with its {@code error}. */
  @SuppressWarnings("unchecked")
  Map<String, Object> send(String method, Map<String, Object> params) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
    calls.put(id, answer);
    Map<String, Object> msg = new LinkedHashMap<>();
    msg.put("id", id);
    msg.put("method", method);
    msg.put("params", params);
    socket.sendText(Json.write(msg), true).get(10, TimeUnit.SECONDS);
    Map<String, Object> r = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (r.containsKey("error")) {
      throw new AssertionError(method + " failed: " + r.get("error"));
    }
    return (Map<String, Object>) r.get("result");
  }

  /** Opens {@code url} in the page and waits until it has loaded. */
  void navigate(String url) throws Exception {
    send("Page.navigate", Map.of("url", url));
    await("location.href === " + Json.write(url) + " && document.readyState === 'complete'", Boolean.TRUE::equals,
        CALL_TIMEOUT);
  }

  /** The value of a JavaScript expression in the page (promises awaited), as JSON types. */
  @SuppressWarnings("unchecked")
  Object eval(String expression) throws Exception {
    Map<String, Object> r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
        "awaitPromise", true));
    if (r.containsKey("exceptionDetails")) {
      throw new AssertionError("page threw evaluating " + expression + ": " + r.get("exceptionDetails"));
    }
    return ((Map<String, Object>) r.get("result")).get("value");
  }

  /** Evaluates {@code expression} until {@code until} holds for its value (at most {@code timeout}). */
  Object await(String expression, Predicate<Object> until, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object v = eval(expression);
    while (!until.test(v)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("page never satisfied the condition on " + expression + "; last value " + v);
      }
      Thread.sleep(50); // polling the page's state: the condition decides, not the interval
      v = eval(expression);
    }
    return v;
  }

  /** A PNG of the page as it is drawn now. */
  byte[] screenshot() throws Exception {
    Map<String, Object> r = send("Page.captureScreenshot", Map.of("format", "png"));
    return Base64.getDecoder().decode((String) r.get("data"));
  }

  @Override
  public void close() throws Exception {
    socket.abort();
    // Chromium's helpers (renderer, GPU, crash handler) write to the profile too: all of them end
    // before it is removed, or a file they create mid-walk fails the removal.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    helpers.forEach(ProcessHandle::destroy);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle h : helpers) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        h.destroyForcibly();
      }
    }
    removeProfile();
  }

  /** Removes the profile; a file that vanishes meanwhile (a helper's last write) makes it go again. */
  private void removeProfile() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (var files = Files.walk(profile)) {
        for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(f);
        }
        return;
      } catch (NoSuchFileException | java.io.UncheckedIOException | java.nio.file.DirectoryNotEmptyException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }
}
