package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The cancel tests' common check: a running download, cancelled, fails as CANCELLED in time. */
final class CancelCheck {
  private CancelCheck() {}

  /**
   * Cancels {@code d} (still running, {@code phase}) and requires a CANCELLED result within
   * {@code prompt}.
   */
  static void cancelledWithin(Download d, Duration prompt, String phase) throws Exception {
    assertThat(d.result().isDone()).as("still " + phase + " before the cancel").isFalse();
    long t0 = System.nanoTime();
    d.cancel();
    try {
      DownloadResult r = d.result().get(30, TimeUnit.SECONDS);
      fail("a cancelled download must not succeed, got " + r);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DownloadException.class);
      assertThat(((DownloadException) e.getCause()).kind())
          .as("failure kind of " + e.getCause()).isEqualTo(FailureKind.CANCELLED);
    } catch (TimeoutException e) {
      fail("the result did not complete within 30 s of cancel()");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("time from cancel() to the result")
        .isLessThan(prompt);
  }
}
