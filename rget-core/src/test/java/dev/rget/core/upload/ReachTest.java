package dev.rget.core.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.auth.Credentials;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which headers each request of an upload carries, per origin: the token and the user's
 * {@code Authorization}/{@code Cookie} only to the endpoint's origin (or everywhere when
 * trusted), other headers everywhere; a login only after a challenge (or at once from the URL).
 */
class ReachTest {
  private static final URI ENDPOINT = URI.create("https://up.example/uploads/");
  private static final URI SAME = URI.create("https://up.example:443/uploads/abc");
  private static final URI OTHER = URI.create("https://store.example/uploads/abc");
  private static final Map<String, String> TUS = Map.of("Tus-Resumable", "1.0.0");

  @Test
  void theTokenAndSecretHeadersGoOnlyToTheEndpointsOrigin() {
    Reach r = Reach.of(ENDPOINT, UploadOptions.builder().token("tok").header("Cookie", "c=1")
        .header("X-Note", "n").userAgent("ua/1").build());
    assertThat(r.headers("PATCH", SAME, TUS)).containsEntry("Authorization", "Bearer tok")
        .containsEntry("Cookie", "c=1").containsEntry("X-Note", "n")
        .containsEntry("User-Agent", "ua/1").containsEntry("Tus-Resumable", "1.0.0");
    assertThat(r.headers("PATCH", OTHER, TUS)).doesNotContainKeys("Authorization", "Cookie")
        .containsEntry("X-Note", "n");
    // Another scheme is another origin too.
    assertThat(r.headers("PATCH", URI.create("http://up.example/uploads/abc"), TUS))
        .doesNotContainKey("Authorization");
  }

  @Test
  void trustedEveryOriginGetsThem() {
    Reach r = Reach.of(ENDPOINT, UploadOptions.builder().token("tok").locationTrusted(true).build());
    assertThat(r.headers("PATCH", OTHER, TUS)).containsEntry("Authorization", "Bearer tok");
  }

  @Test
  void aLoginIsSentAfterAChallengeAndAUrlLoginAtOnceButNeverElsewhere() {
    Reach given = Reach.of(ENDPOINT, UploadOptions.builder()
        .credentials(new Credentials("bob", "pw")).build());
    assertThat(given.headers("POST", ENDPOINT, TUS)).doesNotContainKey("Authorization");
    assertThat(given.probeFirst(SAME)).as("a login at hand, no challenge yet").isTrue();
    assertThat(given.probeFirst(SAME)).as("asked once per origin").isFalse();
    assertThat(given.answer(ENDPOINT, List.of("Basic realm=\"x\""), Map.of())).isTrue();
    assertThat(given.headers("PATCH", SAME, TUS)).containsEntry("Authorization", "Basic Ym9iOnB3");
    assertThat(given.headers("PATCH", OTHER, TUS)).doesNotContainKey("Authorization");
    assertThat(given.answer(OTHER, List.of("Basic realm=\"x\""), Map.of())).as("no login there")
        .isFalse();

    Reach fromUrl = Reach.of(URI.create("https://bob:pw@up.example/uploads/"),
        UploadOptions.defaults());
    assertThat(fromUrl.endpoint()).isEqualTo(ENDPOINT);
    assertThat(fromUrl.headers("POST", ENDPOINT, TUS)).containsEntry("Authorization", "Basic Ym9iOnB3");
    assertThat(fromUrl.headers("PATCH", OTHER, TUS)).doesNotContainKey("Authorization");
  }

  @Test
  void anEmptyUserAgentSendsNone() {
    assertThat(Reach.of(ENDPOINT, UploadOptions.builder().userAgent("").build())
        .headers("HEAD", SAME, TUS)).doesNotContainKey("User-Agent");
    assertThat(Reach.of(ENDPOINT, UploadOptions.defaults()).headers("HEAD", SAME, TUS))
        .containsEntry("User-Agent", "rget/0.1");
  }

  @Test
  void refusalsNameTheCauseWithoutSecrets() {
    Reach token = Reach.of(ENDPOINT, UploadOptions.builder().token("tok-secret").build());
    assertThat(token.refusal("POST", ENDPOINT, Map.of("Authorization", "Bearer tok-secret")))
        .contains("refused the upload token").doesNotContain("tok-secret");
    Reach login = Reach.of(ENDPOINT, UploadOptions.builder()
        .credentials(new Credentials("bob", "pw-secret")).build());
    assertThat(login.refusal("POST", ENDPOINT, Map.of("Authorization", "Basic x")))
        .contains("refused the login of user bob").doesNotContain("pw-secret");
    assertThat(login.refusal("POST", ENDPOINT, Map.of())).contains("a scheme rget does not answer");
    assertThat(Reach.of(ENDPOINT, UploadOptions.defaults()).refusal("POST", ENDPOINT, Map.of()))
        .contains("wants a login");
  }
}
