package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** curl's proxy variables, no_proxy matching and proxy URL parsing, as tables. */
class ProxyRulesTest {

  private static String proxyFor(ProxyRules r, String url) {
    return r.forUri(URI.create(url)).map(Proxy::describe).orElse("direct");
  }

  @Test
  void environmentIsReadAsCurlReadsIt() {
    ProxyRules r = ProxyRules.fromEnvironment(Map.of("http_proxy", "http://h:3128",
        "HTTPS_PROXY", "socks5h://s:1080", "no_proxy", ".example.org, 10.0.0.1"));
    assertThat(proxyFor(r, "http://a.test/f")).isEqualTo("http proxy h:3128");
    assertThat(proxyFor(r, "https://a.test/f")).isEqualTo("SOCKS5h proxy s:1080");
    assertThat(proxyFor(r, "http://example.org/f")).isEqualTo("direct");
    assertThat(proxyFor(r, "http://www.example.org/f")).isEqualTo("direct");
    assertThat(proxyFor(r, "http://notexample.org/f")).isEqualTo("http proxy h:3128");
    assertThat(proxyFor(r, "http://10.0.0.1/f")).isEqualTo("direct");

    // Upper-case HTTP_PROXY is ignored; all_proxy is the fallback for both schemes.
    ProxyRules upper = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "http://evil:1"));
    assertThat(proxyFor(upper, "http://a.test/")).isEqualTo("direct");
    ProxyRules all = ProxyRules.fromEnvironment(Map.of("ALL_PROXY", "socks5://s"));
    assertThat(proxyFor(all, "http://a.test/")).isEqualTo("SOCKS5 proxy s:1080");
    assertThat(proxyFor(all, "https://a.test/")).isEqualTo("SOCKS5 proxy s:1080");
    ProxyRules star = ProxyRules.fromEnvironment(Map.of("all_proxy", "h:8", "NO_PROXY", "*"));
    assertThat(proxyFor(star, "http://a.test/")).isEqualTo("direct");
  }

  @Test
  void anExplicitNoProxyListReplacesTheEnvironments() {
    ProxyRules r = ProxyRules.fromEnvironment(Map.of("http_proxy", "h:1", "no_proxy", "a.test"))
        .withNoProxy("b.test");
    assertThat(proxyFor(r, "http://a.test/")).isEqualTo("http proxy h:1");
    assertThat(proxyFor(r, "http://b.test/")).isEqualTo("direct");
  }

  @Test
  void proxyUrlsParseWithCredentialsThatNeverShow() {
    Proxy p = Proxy.parse("http://al%40ice:p%3Ass@[::1]:8080");
    assertThat(p.kind()).isEqualTo(Proxy.Kind.HTTP);
    assertThat(p.user()).isEqualTo("al@ice");
    assertThat(p.password()).isEqualTo("p:ss");
    assertThat(p.host()).isEqualTo("::1");
    assertThat(p.toString()).doesNotContain("p:ss").contains("[::1]:8080");
    assertThat(Proxy.parse("proxy.lan").port()).isEqualTo(Proxy.DEFAULT_PORT);
    assertThatThrownBy(() -> Proxy.parse("ftp://x:1")).hasMessageContaining("unsupported");
    assertThatThrownBy(() -> Proxy.parse("https://x:1")).hasMessageContaining("unsupported");
  }
}
