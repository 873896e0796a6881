package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients at once, random single and multiple ranges: no errors, every byte exact. */
class ConcurrencyTest {
  static final int THREADS = 32;
  static final int REQUESTS = 50;
  static final int LEN = 1 << 20;

  @Test
  void manyClientsFetchingRandomRangesAllGetExactBytes(@TempDir Path dir) throws Exception {
    byte[] big = Fixture.randomBytes(LEN, 99);
    try (Fixture f = Fixture.start(dir, b -> b.accessLog(false))) {
      Fixture.write(dir.resolve("one-mib.bin"), big);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          long seed = t;
          results.add(pool.submit(() -> client(f.port(), big, new Random(seed))));
        }
        int total = 0;
        for (Future<Integer> r : results) {
          total += r.get(60, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(THREADS * REQUESTS);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** One client: keep-alive, a new connection now and then; returns the requests checked. */
  private static int client(int port, byte[] big, Random rnd) throws Exception {
    int checked = 0;
    RawHttp c = new RawHttp(port);
    try {
      for (int i = 0; i < REQUESTS; i++) {
        if (i % 10 == 9) {
          c.close();
          c = new RawHttp(port);
        }
        int kind = rnd.nextInt(10);
        if (kind == 0) {
          RawHttp.Response r = c.send(RawHttp.request("GET", "/one-mib.bin")).read(false);
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).isEqualTo(big);
        } else if (kind <= 2) {
          long a = rnd.nextInt(LEN / 2);
          long b = LEN / 2 + rnd.nextInt(LEN / 2);
          String range = "bytes=" + a + "-" + (a + rnd.nextInt(4096)) + "," + b + "-" + (b + rnd.nextInt(4096));
          RawHttp.Response r = c.send(RawHttp.request("GET", "/one-mib.bin", "Range: " + range)).read(false);
          assertThat(r.status()).isEqualTo(206);
          for (MultipartParser.Part p : MultipartParser.parse(r.body(), r.header("Content-Type"))) {
            String[] ab = p.headers().get("content-range").substring(6).split("[-/]");
            int first = Integer.parseInt(ab[0]);
            assertThat(p.data()).isEqualTo(Arrays.copyOfRange(big, first, Integer.parseInt(ab[1]) + 1));
          }
        } else {
          int first = rnd.nextInt(LEN);
          int last = Math.min(LEN - 1, first + rnd.nextInt(256 * 1024));
          RawHttp.Response r = c.send(RawHttp.request("GET", "/one-mib.bin",
              "Range: bytes=" + first + "-" + last)).read(false);
          assertThat(r.status()).isEqualTo(206);
          assertThat(r.header("Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + LEN);
          assertThat(r.body()).isEqualTo(Arrays.copyOfRange(big, first, last + 1));
        }
        checked++;
      }
    } finally {
      c.close();
    }
    return checked;
  }
}
