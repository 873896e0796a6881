package dev.rget.cli;

import dev.rget.core.Checksum;
import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Download;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.Rget;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rget demo}: the whole mission in one command, with no network. Serves a generated file
 * from an embedded {@code rget serve} on loopback with per-connection throttling, downloads it
 * with several connections in a child process, kills that process (SIGKILL) part-way, resumes
 * from the state file in this process, and verifies the SHA-256.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Serve a generated file on loopback, download it, kill the download part-way,"
        + " resume it, and verify it. Needs no network.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--size", paramLabel = "SIZE", defaultValue = "256m",
      description = "Size of the generated file (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(names = {"-n", "--connections"}, paramLabel = "N", defaultValue = "8",
      description = "Connections (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--rate", paramLabel = "RATE", defaultValue = "4m",
      description = "Server's per-connection rate limit (default: ${DEFAULT-VALUE}/s).")
  String rate;

  @Option(names = "--kill-at", paramLabel = "PERCENT", defaultValue = "40",
      description = "Kill the first download when it is this far (default: ${DEFAULT-VALUE}%%).")
  int killAt;

  @Option(names = "--keep", description = "Keep the working directory afterwards.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    long bytes = Units.parseSize(size);
    long perConn = Units.parseSize(rate);
    Path work = Files.createTempDirectory("rget-demo-");
    Path served = Files.createDirectories(work.resolve("served"));
    Path downloads = Files.createDirectories(work.resolve("downloads"));
    Path source = served.resolve("demo.bin");
    Path target = downloads.resolve("demo.bin");
    try {
      out.printf(Locale.ROOT, "1. Generating a %s file of random bytes in %s%n",
          Units.bytes(bytes), served);
      String sha = generate(source, bytes);
      out.println("   SHA-256 " + sha);
      ServerConfig config = ServerConfig.builder().root(served).bind("127.0.0.1").port(0)
          .limitRatePerConnection(perConn).accessLog(false).build();
      try (FileServer server = FileServer.start(config)) {
        URI uri = server.uri().resolve("demo.bin");
        out.printf(Locale.ROOT, "2. Serving it with rget serve at %s, each connection limited to"
            + " %s/s%n", uri, Units.bytes(perConn));
        out.printf(Locale.ROOT, "3. Downloading with %d connections in a child process; it will"
            + " be killed with SIGKILL at about %d%%%n", connections, killAt);
        runAndKill(uri, target, bytes, out);
        out.printf(Locale.ROOT, "4. Resuming in this process from %s + %s%n",
            PartFile.pathFor(target).getFileName(), StateStore.pathFor(target).getFileName());
        DownloadOptions options = DownloadOptions.builder().connections(connections)
            .checksum(Checksum.parse("sha-256=" + sha))
            .notices(m -> out.println("   note: " + m)).build();
        Download d = Rget.download(uri, target, options);
        DownloadResult r;
        try (ProgressDisplay display = new ProgressDisplay(d, out, System.console() != null)) {
          r = d.result().get();
        }
        out.printf(Locale.ROOT, "   done: %s fetched now, %s kept from the killed run%n",
            Units.bytes(r.bytesFetched()), Units.bytes(r.resumedBytes()));
      }
      String got = sha256(target);
      boolean ok = got.equals(sha);
      out.println("5. Verifying: SHA-256 " + got + (ok ? "  matches" : "  DOES NOT MATCH"));
      out.println(ok ? "Demo complete: the download survived a SIGKILL and is byte-exact."
          : "Demo FAILED");
      return ok ? ExitCodes.OK : 6;
    } finally {
      if (keep) {
        out.println("Working directory kept: " + work);
      } else {
        deleteTree(work);
      }
    }
  }

  /** Starts {@code rget get} as a child JVM, watches its state file, and SIGKILLs it part-way. */
  private void runAndKill(URI uri, Path target, long bytes, PrintStream out)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx96m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of("get", uri.toString(), "-o", target.toString(), "-n",
        Integer.toString(connections), "-q"));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    StateStore store = new StateStore(StateStore.pathFor(target));
    long goal = bytes * killAt / 100;
    long recorded = 0;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    boolean terminal = System.console() != null;
    for (int tick = 0; child.isAlive() && recorded < goal && System.nanoTime() < deadline; tick++) {
      Thread.sleep(100);
      recorded = recordedBytes(store);
      if (terminal || tick % 20 == 0) {
        out.printf(Locale.ROOT, "%s   child pid %d: %s recorded in the state file%s",
            terminal ? "\r" : "", child.pid(), Units.bytes(recorded), terminal ? "" : "\n");
      }
    }
    if (terminal) {
      out.println();
    }
    if (!child.isAlive()) {
      throw new DownloadException(FailureKind.USAGE, "demo: the first download ended (exit code "
          + child.exitValue() + ") before it could be killed; try a lower --rate or a larger"
          + " --size");
    }
    child.destroyForcibly();
    child.waitFor();
    out.printf(Locale.ROOT, "   killed (SIGKILL); the state file records %s of %s%n",
        Units.bytes(recordedBytes(store)), Units.bytes(bytes));
  }

  private static long recordedBytes(StateStore store) {
    try {
      ResumeState s = store.load();
      return s.written().size();
    } catch (IOException e) {
      return 0; // not written yet, or being replaced this instant
    }
  }

  private static String generate(Path file, long bytes) throws IOException {
    SplittableRandom rnd = new SplittableRandom(0x5eed);
    MessageDigest md = sha();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      long left = bytes;
      while (left > 0) {
        buf.clear();
        int n = (int) Math.min(buf.capacity(), left);
        for (int i = 0; i + 8 <= n; i += 8) {
          buf.putLong(rnd.nextLong());
        }
        while (buf.position() < n) {
          buf.put((byte) rnd.nextInt());
        }
        buf.flip();
        md.update(buf.duplicate());
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        left -= n;
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md = sha();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      while (ch.read(buf) >= 0) {
        buf.flip();
        md.update(buf);
        buf.clear();
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

}
