package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.transport.Proxy;
import dev.rget.core.upload.UploadOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The reach flags of {@code rget upload} as parsed: headers, login, proxies and TLS trust; each
 * mistake is exit 2 with one line, before anything is sent.
 */
class UploadFlagsTest {
  @TempDir Path work;

  private UploadOptions options(Map<String, String> env, String... flags) {
    UploadCommand c = new UploadCommand();
    new CommandLine(c).parseArgs(concat(new String[] {"f", "http://h/uploads/"}, flags));
    UploadOptions.Builder b = UploadOptions.builder();
    c.reachFromFlags(b, env);
    return b.build();
  }

  @Test
  void headersUserAgentAndLoginAreTaken() {
    UploadOptions o = options(Map.of(), "-H", "X-One: 1", "-H", "x-one: 2", "-H", "X-Two:two",
        "-U", "agent/1", "-u", "bob:pw:with:colons", "--location-trusted");
    assertThat(o.headers()).containsExactly(Map.entry("X-One", "1, 2"), Map.entry("X-Two", "two"));
    assertThat(o.userAgent()).isEqualTo("agent/1");
    assertThat(o.credentials().user()).isEqualTo("bob");
    assertThat(o.credentials().password()).isEqualTo("pw:with:colons");
    assertThat(o.locationTrusted()).isTrue();
    assertThat(o.credentials().toString()).doesNotContain("pw:with");
  }

  @Test
  void proxiesAreResolvedAsGetResolvesThem() {
    URI http = URI.create("http://up.example/uploads/");
    URI https = URI.create("https://up.example/uploads/");
    Map<String, String> env = Map.of("http_proxy", "http://p1:3128", "HTTPS_PROXY",
        "socks5h://p2:1080", "no_proxy", "skip.example");
    UploadOptions fromEnv = options(env);
    assertThat(fromEnv.proxies().forUri(http)).map(Proxy::host).hasValue("p1");
    assertThat(fromEnv.proxies().forUri(https)).map(Proxy::kind).hasValue(Proxy.Kind.SOCKS5H);
    assertThat(fromEnv.proxies().forUri(URI.create("http://a.skip.example/"))).isEmpty();
    // HTTP_PROXY in upper case is not read (a CGI program gets it from a request header).
    assertThat(options(Map.of("HTTP_PROXY", "http://p1:3128")).proxies().forUri(http)).isEmpty();
    // -x replaces the environment's proxy, keeps its no_proxy; --noproxy replaces that.
    UploadOptions explicit = options(env, "-x", "socks5://p3");
    assertThat(explicit.proxies().forUri(https)).map(Proxy::describe)
        .hasValue("SOCKS5 proxy p3:1080");
    assertThat(explicit.proxies().forUri(URI.create("https://skip.example/"))).isEmpty();
    assertThat(options(env, "-x", "socks5://p3", "--noproxy", "up.example").proxies()
        .forUri(https)).isEmpty();
    assertThat(options(env, "-x", "").proxies().forUri(http)).isEmpty();
  }

  @Test
  void insecureAndCaCertificateSetTheTlsTrust() throws Exception {
    assertThat(options(Map.of()).sslContext()).isNull();
    assertThat(options(Map.of(), "-k").sslContext()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Upload-Offset: 5", "Tus-Resumable: 0.2.2", "Content-Type: text/plain",
      "Host: elsewhere", "Content-Length: 3", "Transfer-Encoding: chunked", "Upload-Checksum: x",
      "Proxy-Authorization: Basic eA==", "Expect: 100-continue", "no colon", ": empty name",
      "Bad Name: x"})
  void aHeaderTheProtocolOwnsOrAMalformedOneIsExit2(String header) throws Exception {
    Path file = Files.write(work.resolve("f"), new byte[10]);
    UploadReachTest.Run r = UploadReachTest.rget("upload", file.toString(),
        "http://127.0.0.1:9/uploads/", "-H", header, "--state-dir", work.toString());
    assertThat(r.code()).as(r.stderr()).isEqualTo(2);
    assertThat(r.stderr().lines().toList()).singleElement().asString().startsWith("rget: ");
  }

  @Test
  void otherMistakesAreExit2WithOneLine() throws Exception {
    Path file = Files.write(work.resolve("f"), new byte[10]);
    String url = "http://127.0.0.1:9/uploads/";
    String[][] cases = {
        {"--upload-token", "t", "-u", "bob:pw"},
        {"--upload-token", "t", "-H", "Authorization: Basic eA=="},
        {"-x", "ftp://proxy:21"},
        {"--ca-certificate", work.resolve("missing.pem").toString()},
        {"--netrc-file", work.resolve("missing-netrc").toString()},
        {"-U", "bad\u0001agent"},
    };
    for (String[] flags : cases) {
      UploadReachTest.Run r = UploadReachTest.rget(concat(new String[] {"upload", file.toString(),
          url, "--state-dir", work.toString()}, flags));
      assertThat(r.code()).as(String.join(" ", flags) + ": " + r.stderr()).isEqualTo(2);
      assertThat(r.stderr().lines().toList()).as(String.join(" ", flags)).singleElement()
          .asString().startsWith("rget: ").doesNotContain("pw");
    }
  }

  @Test
  void theLibraryRefusesATokenWithALoginAndOwnedHeaders() {
    assertThatThrownBy(() -> UploadOptions.builder().token("t")
        .credentials(new dev.rget.core.auth.Credentials("u", "p")).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UploadOptions.builder().header("upload-length", "9"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set by rget");
    assertThatThrownBy(() -> UploadOptions.builder().header("X-A", "a\r\nB: b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
