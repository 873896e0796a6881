package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files are opened first and checked on what was opened: the walk from the root never follows a
 * link out of it (so renaming a directory into a link half-way cannot lead outside), FIFOs,
 * sockets and devices are refused without being opened, the validators describe the opened file,
 * and a file that shrinks while it is sent ends that reply with a closed connection.
 */
class OpenThenCheckTest {
  @TempDir Path dir;

  @Test
  void aFifoIsRefusedWithoutBeingOpenedAndTheServerStaysResponsive() throws Exception {
    try (Fixture f = Fixture.start(dir)) {
      Path fifo = dir.resolve("pipe");
      assumeTrue(run("mkfifo", fifo.toString()), "mkfifo is not available");
      Files.createSymbolicLink(dir.resolve("pipe-link"), Path.of("pipe"));
      for (String target : new String[] {"/pipe", "/pipe-link"}) {
        long t0 = System.nanoTime();
        assertThat(RawHttp.get(f.port(), target).status()).isEqualTo(404);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
      }
      // Opening a FIFO for reading blocks until a writer comes: had it been opened, these would hang.
      for (int i = 0; i < 20; i++) {
        assertThat(RawHttp.get(f.port(), "/hello.txt").status()).isEqualTo(200);
      }
      assertThat(RawHttp.get(f.port(), "/").text()).doesNotContain("pipe");
    }
  }

  @Test
  void socketsAndDevicesAreRefusedAndNotListed() throws Exception {
    try (Fixture f = Fixture.start(dir);
        ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      unix.bind(UnixDomainSocketAddress.of(dir.resolve("sock")));
      Files.createSymbolicLink(dir.resolve("zero"), Path.of("/dev/zero")); // outside the root
      boolean device = run("mknod", dir.resolve("null").toString(), "c", "1", "3"); // needs root
      assertThat(RawHttp.get(f.port(), "/sock").status()).isEqualTo(404);
      assertThat(RawHttp.get(f.port(), "/zero").status()).isEqualTo(404);
      if (device) {
        assertThat(RawHttp.get(f.port(), "/null").status()).isEqualTo(404);
      }
      assertThat(RawHttp.get(f.port(), "/").text()).doesNotContain("sock", "zero", "\"./null\"");
    }
  }

  @Test
  void aDirectorySwappedForALinkOutsideDuringRequestsNeverLeaksWhatIsOutside() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("file.txt"), "SECRET");
    Path real = Files.createDirectories(root.resolve("swap-real"));
    Files.writeString(real.resolve("file.txt"), "inside");
    Files.createSymbolicLink(root.resolve("swap-link"), outside);
    try (Fixture f = Fixture.start(root, b -> b.accessLog(false))) {
      AtomicBoolean stop = new AtomicBoolean();
      Thread swapper = new Thread(() -> {
        Path sub = root.resolve("swap");
        try {
          while (!stop.get()) {
            Files.move(root.resolve("swap-real"), sub, StandardCopyOption.ATOMIC_MOVE);
            LockSupport.parkNanos(50_000);
            Files.move(sub, root.resolve("swap-real"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(root.resolve("swap-link"), sub, StandardCopyOption.ATOMIC_MOVE);
            LockSupport.parkNanos(50_000);
            Files.move(sub, root.resolve("swap-link"), StandardCopyOption.ATOMIC_MOVE);
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      swapper.start();
      AtomicInteger inside = new AtomicInteger();
      try (RawHttp c = new RawHttp(f.port())) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (System.nanoTime() < end) {
          RawHttp.Response r = c.send(RawHttp.request("GET", "/swap/file.txt")).read(false);
          assertThat(r.text()).isNotEqualTo("SECRET");
          if (r.status() == 200) {
            inside.incrementAndGet();
          }
        }
      } finally {
        stop.set(true);
        swapper.join();
      }
      assertThat(inside.get()).as("requests that found the real directory").isPositive();
    }
  }

  @Test
  void validatorsAndLengthDescribeTheFileThatIsSent() throws Exception {
    try (Fixture f = Fixture.start(dir)) {
      RawHttp.Response first = RawHttp.get(f.port(), "/hello.txt");
      Path next = Files.writeString(dir.resolve("next.tmp"), "a new version, longer than the first\n");
      Files.move(next, dir.resolve("hello.txt"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      RawHttp.Response second = RawHttp.get(f.port(), "/hello.txt");
      assertThat(second.text()).isEqualTo("a new version, longer than the first\n");
      assertThat(second.header("Content-Length")).isEqualTo(Integer.toString(second.body().length));
      assertThat(second.header("ETag")).isNotEqualTo(first.header("ETag"));
    }
  }

  @Test
  void aFileTruncatedWhileBeingSentEndsTheReplyWithAClosedConnection() throws Exception {
    try (Fixture f = Fixture.start(dir)) {
      truncatedWhileSent(f, "/shrinking.bin");
    }
  }

  @Test
  void aFileTruncatedWhileBeingSentAtALimitedRateEndsTheReplyToo() throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.limitRatePerConnection(8L << 20))) {
      truncatedWhileSent(f, "/shrinking.bin");
    }
  }

  private void truncatedWhileSent(Fixture f, String target) throws Exception {
    long size = 32L << 20;
    Path file = dir.resolve(target.substring(1));
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
    }
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(32 * 1024);
      s.connect(new InetSocketAddress("127.0.0.1", f.port()));
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(RawHttp.request("GET", target).getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      long got = skipHead(in);
      got += readAtLeast(in, 1 << 20);
      long cpuBefore = serverCpuNanos();
      long t0 = System.nanoTime();
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(2L << 20);
      }
      try {
        got += readAtLeast(in, Long.MAX_VALUE); // until the server ends the connection
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server neither finished nor closed the connection", e);
      }
      long cpu = serverCpuNanos() - cpuBefore;
      assertThat(got).as("body bytes received").isLessThan(size);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(Duration.ofNanos(cpu)).as("network thread CPU meanwhile (a busy loop burns it all)")
          .isLessThan(Duration.ofNanos(System.nanoTime() - t0).dividedBy(2).plusMillis(100));
    }
    assertThat(RawHttp.get(f.port(), "/hello.txt").status()).isEqualTo(200);
  }

  /** Reads up to the end of the response head; returns body bytes read past it (none). */
  private static long skipHead(InputStream in) throws IOException {
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("no response head");
      }
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    return 0;
  }

  /** Reads {@code n} bytes, or fewer if the stream ends (EOF or reset); returns how many. */
  private static long readAtLeast(InputStream in, long n) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long got = 0;
    try {
      while (got < n) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, n - got));
        if (r < 0) {
          break;
        }
        got += r;
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      // reset: the connection ended
    }
    return got;
  }

  private static long serverCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null && t.getThreadName().startsWith("rget-server")) {
        sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }

  @Test
  void directoryPagesInFlightAreBoundedByTheirBudget() throws Exception {
    Fixture.write(dir.resolve("a.txt"), new byte[1]);
    MemoryBudget budget = new MemoryBudget(Limits.MAX_LISTING_BYTES + 64);
    FileResponder responder = new FileResponder(new ServedTree(dir, false), budget);
    DefaultHttpRequest get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    RequestPath root = RequestPath.parse("/");
    Reply first = responder.respond(get, root);
    assertThat(first.status.code()).isEqualTo(200);
    assertThat(budget.used()).isEqualTo(first.bodyLength()); // the page, not the reservation
    Reply second = responder.respond(get, root); // would need a whole page's reservation
    assertThat(second.status.code()).isEqualTo(503);
    assertThat(second.headers.get("Retry-After")).isEqualTo("1");
    first.release();
    assertThat(budget.used()).isZero();
    Reply third = responder.respond(get, root);
    assertThat(third.status.code()).isEqualTo(200);
    third.release();
  }

  private static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
