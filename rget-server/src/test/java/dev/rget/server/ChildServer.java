package dev.rget.server;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FileServer} with the configuration {@code rget serve DIR} uses, in a child JVM started
 * with the launcher's flags ({@code -Xmx96m -Xmn16m}, serial GC), driven over its standard input: tests see
 * the server exactly as the launcher runs it, heap included. Commands: {@code heap} (used heap
 * after a full GC), {@code conns} (open connections), {@code failure}; end of input stops it.
 */
final class ChildServer implements Closeable {
  private final Process process;
  private final BufferedReader out;
  private final PrintWriter in;
  final int port;
  final int maxConnections;

  private ChildServer(Process process) throws IOException {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    String[] hello = answer().split(" ");
    this.port = Integer.parseInt(hello[1]);
    this.maxConnections = Integer.parseInt(hello[3]);
  }

  /** Starts a child serving {@code root}; {@code jvmFlags} go before the launcher's. */
  static ChildServer start(Path root, String... jvmFlags) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of(jvmFlags));
    // The launcher's flags (the exec line of ./rget); keep the two in step.
    cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx96m", "-Xmn16m",
        "-cp", System.getProperty("java.class.path"), ChildServer.class.getName(), root.toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    return new ChildServer(p);
  }

  /** Used heap after a full collection, in bytes. */
  long heapAfterGc() throws IOException {
    in.println("heap");
    return Long.parseLong(answer().split(" ")[1]);
  }

  int openConnections() throws IOException {
    in.println("conns");
    return Integer.parseInt(answer().split(" ")[1]);
  }

  /** {@code "none"} or the Error that stopped the server. */
  String failure() throws IOException {
    in.println("failure");
    return answer().substring("failure ".length());
  }

  boolean alive() {
    return process.isAlive();
  }

  private String answer() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IOException("the child server exited (status " + exitStatus() + ")");
    }
    return line;
  }

  private String exitStatus() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      return "unknown";
    }
  }

  @Override
  public void close() {
    in.close();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The child: serves {@code args[0]} on a free loopback port with the defaults of rget serve. */
  public static void main(String[] args) throws Exception {
    ServerConfig config = ServerConfig.builder().root(Path.of(args[0])).port(0).accessLog(false).build();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (FileServer server = FileServer.start(config)) {
      System.out.println("port " + server.port() + " cap " + config.maxConnections());
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String c;
      while ((c = commands.readLine()) != null) {
        switch (c) {
          case "heap" -> {
            System.gc();
            System.gc();
            System.out.println("heap " + memory.getHeapMemoryUsage().getUsed());
          }
          case "conns" -> System.out.println("conns " + server.openConnections());
          case "failure" -> System.out.println("failure " + server.failure().map(String::valueOf).orElse("none"));
          default -> System.out.println("unknown " + c);
        }
        System.out.flush();
      }
    }
  }
}
