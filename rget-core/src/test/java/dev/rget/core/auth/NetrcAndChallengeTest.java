package dev.rget.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** netrc files as curl and wget read them; challenge parsing; which origin gets a login. */
class NetrcAndChallengeTest {

  @Test
  void netrcMachinesDefaultMacrosAndQuotes() {
    Netrc n = Netrc.parse("# comment\nmachine a.test login al password \"p w\\\"x\"\n"
        + "macdef init\ncd /pub\nmachine evil.test login no password no\n\n"
        + "machine b.test\n login bo\n password pb account x\n"
        + "machine a.test login second password second\n"
        + "default login anon password guest\n");
    assertThat(n.lookup("A.TEST")).contains(new Credentials("al", "p w\"x"));
    assertThat(n.lookup("b.test")).contains(new Credentials("bo", "pb"));
    assertThat(n.lookup("evil.test")).contains(new Credentials("anon", "guest"));
    assertThat(n.lookup("other.test")).contains(new Credentials("anon", "guest"));
    assertThat(Netrc.parse("machine x login y password z").lookup("q")).isEmpty();
  }

  @Test
  void challengesWithSeveralSchemesAndQuotedCommas() {
    List<Challenge> c = Challenge.parseAll(List.of(
        "Digest realm=\"r, x\", nonce=\"n1\", qop=\"auth,auth-int\", algorithm=SHA-256, "
            + "Basic realm=\"b\"", "Negotiate abc=="));
    assertThat(c).extracting(Challenge::scheme).containsExactly("digest", "basic", "negotiate");
    assertThat(c.get(0).param("realm")).isEqualTo("r, x");
    assertThat(c.get(0).param("qop")).isEqualTo("auth,auth-int");
    assertThat(c.get(0).param("algorithm")).isEqualTo("SHA-256");
    assertThat(c.get(1).param("realm")).isEqualTo("b");
  }

  @Test
  void aLoginGoesToItsOriginOnlyUnlessTrusted() {
    URI start = URI.create("http://u:p@a.test:8080/f");
    Authenticator a = new Authenticator(start, null, null, false);
    assertThat(a.authorization("GET", start)).isPresent();
    assertThat(a.authorization("GET", URI.create("http://a.test:8080/other"))).isPresent();
    for (String other : List.of("http://b.test:8080/f", "http://a.test:8081/f",
        "https://a.test:8080/f")) {
      assertThat(a.authorization("GET", URI.create(other))).as(other).isEmpty();
      assertThat(a.credentialsFor(URI.create(other))).as(other).isNull();
    }
    Authenticator trusted = new Authenticator(start, null, null, true);
    assertThat(trusted.authorization("GET", URI.create("http://b.test/f"))).isPresent();
    // --user answers challenges only: nothing is sent before the server asks.
    Authenticator user = new Authenticator(URI.create("http://a.test/"), Credentials.parse("u:p"),
        null, false);
    assertThat(user.authorization("GET", URI.create("http://a.test/"))).isEmpty();
    assertThat(Credentials.parse("u:p").toString()).doesNotContain(":p").contains("***");
  }
}
