package dev.rget.cli;

import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Random;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The run the launcher records its class-data-sharing archive from (the JVM archives every class
 * this run loads, so that later runs map them instead of parsing them): {@code rget demo} on a
 * small file, an {@code rget upload} to an embedded {@code rget serve --uploads}, then, when given
 * a throw-away key store, a download over TLS from loopback. Without the last part every https
 * download loaded some 900 classes of the JDK's TLS and certificate code from the module image
 * (~60 ms of CPU at each start). Not a user command: the launcher starts it with
 * {@code java -cp rget.jar}; all it writes is inside a temporary directory.
 *
 * <p>Argument: a directory private to this run, for its files; if it holds {@code key.p12}
 * (PKCS #12, password {@value #PASSWORD}, a certificate for {@code localhost}) and that
 * certificate as {@code cert.pem}, both made by the launcher with the JDK's {@code keytool}, the
 * TLS part runs too.
 */
public final class CdsTraining {
  /** The password of the throw-away key store (it protects nothing). */
  static final String PASSWORD = "rget-cds-training";

  private CdsTraining() {}

  /** Runs the training; exits non-zero if a part failed (the launcher then keeps no archive). */
  public static void main(String[] args) throws Exception {
    int code = Main.run("demo", "--size", "4m", "--rate", "1m", "-n", "4");
    Path dir = Path.of(args[0]);
    if (code == ExitCodes.OK) {
      code = upload(dir);
    }
    if (code == ExitCodes.OK && Files.exists(dir.resolve("key.p12"))) {
      code = tlsDownload(dir);
    }
    System.exit(code);
  }

  /** Uploads a file to an embedded {@code rget serve --uploads} (tus), state kept in {@code dir}. */
  static int upload(Path dir) throws Exception {
    Path source = randomFile(Files.createDirectories(dir.resolve("to-upload")).resolve("u.bin"));
    Path updir = Files.createDirectories(dir.resolve("uploaded"));
    ServerConfig config = ServerConfig.builder().root(updir).uploads(updir).bind("127.0.0.1")
        .port(0).accessLog(false).build();
    try (FileServer server = FileServer.start(config)) {
      int code = Main.run("upload", "-q", "--state-dir", dir.resolve("state").toString(),
          source.toString(), "http://127.0.0.1:" + server.port() + "/uploads/");
      if (code == ExitCodes.OK && Files.mismatch(source, updir.resolve("u.bin")) != -1) {
        System.err.println("rget cds-training: the uploaded file differs");
        return ExitCodes.INTERNAL;
      }
      return code;
    }
  }

  private static Path randomFile(Path file) throws IOException {
    byte[] data = new byte[4 << 20];
    new Random(1).nextBytes(data);
    return Files.write(file, data);
  }

  /** Serves a file through a TLS relay in front of an embedded {@code rget serve}, and gets it. */
  static int tlsDownload(Path dir) throws Exception {
    Path served = Files.createDirectories(dir.resolve("served"));
    randomFile(served.resolve("f.bin"));
    ServerConfig config = ServerConfig.builder().root(served).bind("127.0.0.1").port(0)
        .accessLog(false).build();
    try (FileServer server = FileServer.start(config);
        ServerSocket tls = tlsServer(dir.resolve("key.p12"))) {
      Thread relay = new Thread(() -> relay(tls, server.port()), "cds-training-relay");
      relay.setDaemon(true);
      relay.start();
      Path out = dir.resolve("f.out");
      int code = Main.run("get", "-q", "-n", "2", "--ca-certificate",
          dir.resolve("cert.pem").toString(), "https://localhost:" + tls.getLocalPort() + "/f.bin",
          "-o", out.toString());
      if (code == ExitCodes.OK && Files.mismatch(served.resolve("f.bin"), out) != -1) {
        System.err.println("rget cds-training: the file downloaded over TLS differs");
        return ExitCodes.INTERNAL;
      }
      return code;
    }
  }

  private static ServerSocket tlsServer(Path keyStore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory()
        .createServerSocket(0, 16, InetAddress.getLoopbackAddress());
    return s;
  }

  /** Accepts TLS connections until the socket closes, each piped to the plain server both ways. */
  private static void relay(ServerSocket tls, int plainPort) {
    while (!tls.isClosed()) {
      try {
        Socket outside = tls.accept();
        Socket inside = new Socket(InetAddress.getLoopbackAddress(), plainPort);
        pipe(outside, inside);
        pipe(inside, outside);
      } catch (IOException e) {
        if (!tls.isClosed()) {
          System.err.println("rget cds-training: relay: " + e.getMessage());
        }
        return;
      }
    }
  }

  private static void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // one side closed: the other is closed below, which ends the opposite pipe
      } finally {
        close(from);
        close(to);
      }
    }, "cds-training-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing a loopback socket of a training run: nothing to lose
    }
  }
}
