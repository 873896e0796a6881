package dev.rget.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NginxFixtureTest {

  @Test
  void servesAFileAndLogsBodyBytes(@TempDir Path root) throws Exception {
    assumeTrue(NginxFixture.available(), NginxFixture.unavailableReason());
    Content content = Content.pseudoRandom(200_000, 3);
    content.writeTo(root.resolve("f.bin"));
    try (NginxFixture nginx = NginxFixture.builder(root).sendfile(true).start()) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<byte[]> whole = client.send(HttpRequest.newBuilder(nginx.url("/f.bin")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(whole.statusCode()).isEqualTo(200);
      assertThat(whole.body()).isEqualTo(content.toByteArray());
      HttpResponse<byte[]> part = client.send(HttpRequest.newBuilder(nginx.url("/f.bin"))
          .header("Range", "bytes=10-19").build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(part.statusCode()).isEqualTo(206);
      assertThat(part.body()).isEqualTo(content.bytes(10, 10));

      var log = nginx.awaitAccessLog(2, Duration.ofSeconds(5));
      assertThat(log).hasSize(2);
      assertThat(log.get(1).range()).isEqualTo("bytes=10-19");
      assertThat(log.get(1).status()).isEqualTo(206);
      assertThat(nginx.bodyBytesSent()).isEqualTo(200_010);
      assertThat(nginx.bytesSent()).isGreaterThan(200_010);
    }
  }
}
