package dev.rget.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority for TLS tests, made with the {@code openssl} command: a CA,
 * leaf certificates it signs (valid, expired, or for another host) and a self-signed one. Files
 * are PEM, in the directory given; a key and its certificate share one file as well, which is
 * what nginx and {@code openssl s_server} take.
 */
public final class TestCertificates {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");

  private final Path dir;
  private final Path caCert;
  private final Path caKey;

  /** A certificate and its private key. */
  public record KeyPair(Path certificate, Path key) {}

  private TestCertificates(Path dir) {
    this.dir = dir;
    this.caCert = dir.resolve("ca.pem");
    this.caKey = dir.resolve("ca.key");
  }

  /** Whether the openssl command is installed. */
  public static boolean available() {
    return Files.isExecutable(OPENSSL);
  }

  /** Creates a new CA in {@code dir}. */
  public static TestCertificates create(Path dir) throws IOException {
    Files.createDirectories(dir);
    TestCertificates c = new TestCertificates(dir);
    c.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", c.caKey.toString(), "-out", c.caCert.toString(), "-days", "3",
        "-subj", "/CN=rget test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    Files.writeString(dir.resolve("index.txt"), "");
    Files.writeString(dir.resolve("serial"), "1000\n");
    Files.writeString(dir.resolve("ca.cnf"), String.join("\n",
        "[ca]", "default_ca = test", "[test]", "database = " + dir.resolve("index.txt"),
        "new_certs_dir = " + dir, "serial = " + dir.resolve("serial"), "default_md = sha256",
        "policy = any", "copy_extensions = copy", "unique_subject = no",
        "[any]", "commonName = supplied", ""));
    return c;
  }

  /** The CA certificate, to trust with {@code --ca-certificate}. */
  public Path caCertificate() {
    return caCert;
  }

  /** A leaf for {@code names} (DNS names or IP addresses), valid from now for two days. */
  public KeyPair leaf(String name, String... names) throws IOException {
    return sign(name, null, names);
  }

  /** A leaf for {@code names} whose validity ended in January 2020. */
  public KeyPair expiredLeaf(String name, String... names) throws IOException {
    return sign(name, new String[] {"20191201000000Z", "20200101000000Z"}, names);
  }

  /** A self-signed certificate for {@code names}, signed by no CA. */
  public KeyPair selfSigned(String name, String... names) throws IOException {
    KeyPair k = files(name);
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", k.key.toString(), "-out", k.certificate.toString(), "-days", "2",
        "-subj", "/CN=" + names[0], "-addext", "subjectAltName=" + san(names));
    return k;
  }

  private KeyPair sign(String name, String[] dates, String... names) throws IOException {
    KeyPair k = files(name);
    Path csr = dir.resolve(name + ".csr");
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", k.key.toString(), "-out", csr.toString(), "-subj", "/CN=" + names[0],
        "-addext", "subjectAltName=" + san(names));
    List<String> args = new ArrayList<>(List.of("ca", "-batch", "-notext", "-config",
        dir.resolve("ca.cnf").toString(), "-cert", caCert.toString(), "-keyfile",
        caKey.toString(), "-in", csr.toString(), "-out", k.certificate.toString()));
    if (dates == null) {
      args.addAll(List.of("-days", "2"));
    } else {
      args.addAll(List.of("-startdate", dates[0], "-enddate", dates[1]));
    }
    openssl(args.toArray(String[]::new));
    return k;
  }

  private KeyPair files(String name) {
    return new KeyPair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
  }

  private static String san(String... names) {
    List<String> parts = new ArrayList<>();
    for (String n : names) {
      parts.add((n.matches("[0-9.]+") || n.contains(":") ? "IP:" : "DNS:") + n);
    }
    return String.join(",", parts);
  }

  private void openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(OPENSSL.toString());
    cmd.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("openssl did not finish in 60 s: " + cmd);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running openssl", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("openssl failed (" + p.exitValue() + "): " + cmd + "\n"
          + Files.readString(log));
    }
  }
}
