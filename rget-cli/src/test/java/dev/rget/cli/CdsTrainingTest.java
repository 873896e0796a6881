package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run the launcher records its class-data-sharing archive from: the demo and an upload, and,
 * with a key store made by {@code keytool} the way the launcher makes it, a download over TLS
 * through rget's own transport (so the archive holds the TLS classes an https download loads);
 * each byte-exact. Without a key store it skips the TLS part only.
 */
@Timeout(120)
class CdsTrainingTest {
  @TempDir Path dir;

  @Test
  void withAKeyStoreItAlsoDownloadsOverTls() throws Exception {
    Path train = Files.createDirectories(dir.resolve("train"));
    keytool("-genkeypair", "-keystore", train.resolve("key.p12").toString(), "-storetype", "PKCS12",
        "-storepass", CdsTraining.PASSWORD, "-alias", "cds", "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2");
    keytool("-exportcert", "-rfc", "-keystore", train.resolve("key.p12").toString(), "-storepass",
        CdsTraining.PASSWORD, "-alias", "cds", "-file", train.resolve("cert.pem").toString());

    List<String> loaded = runTraining(train);

    assertThat(loaded).as("classes the training run loaded")
        .anyMatch(l -> l.contains(" dev.rget.cli.DemoCommand "))
        .anyMatch(l -> l.contains(" dev.rget.core.upload.TusUpload "))
        .anyMatch(l -> l.contains(" dev.rget.core.transport.TlsWire "))
        .anyMatch(l -> l.contains(" sun.security.ssl.SSLEngineImpl "))
        .anyMatch(l -> l.contains(" com.sun.crypto.provider.GaloisCounterMode "));
    assertThat(Files.mismatch(train.resolve("served").resolve("f.bin"), train.resolve("f.out")))
        .as("the file got over TLS").isEqualTo(-1L);
  }

  @Test
  void withoutOneItRunsTheDemoAndTheUpload() throws Exception {
    Path train = Files.createDirectories(dir.resolve("plain"));
    List<String> loaded = runTraining(train);

    assertThat(loaded).anyMatch(l -> l.contains(" dev.rget.cli.DemoCommand "))
        .anyMatch(l -> l.contains(" dev.rget.core.upload.TusUpload "))
        .noneMatch(l -> l.contains(" dev.rget.core.transport.TlsWire "));
    assertThat(Files.mismatch(train.resolve("to-upload").resolve("u.bin"),
        train.resolve("uploaded").resolve("u.bin"))).as("the uploaded file").isEqualTo(-1L);
  }

  /** Runs the training in a new JVM (it exits), asserts it succeeded, returns the classes loaded. */
  private List<String> runTraining(Path train) throws IOException, InterruptedException {
    Path log = dir.resolve(train.getFileName() + "-classes.txt");
    Path output = dir.resolve(train.getFileName() + "-output.txt");
    List<String> cmd = List.of(tool("java"), "-Xlog:class+load=info:file=" + log, "-cp",
        System.getProperty("java.class.path"), CdsTraining.class.getName(), train.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
        .start();
    assertThat(p.waitFor(100, TimeUnit.SECONDS)).as("training finished").isTrue();
    assertThat(p.exitValue()).as("training exit code; output: %s", Files.readString(output))
        .isZero();
    return Files.readAllLines(log);
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(tool("keytool")));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("keytool.txt").toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool: %s", Files.readString(dir.resolve("keytool.txt"))).isZero();
  }

  private static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }
}
