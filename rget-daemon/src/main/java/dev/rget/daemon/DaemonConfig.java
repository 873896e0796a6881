package dev.rget.daemon;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link Daemon} runs.
 *
 * @param port TCP port of the RPC (0 picks a free one)
 * @param secret the RPC secret ({@code token:SECRET}), or {@code null} for none
 * @param listenAll listen on every interface instead of loopback only; requires a secret
 * @param dir default download directory
 * @param maxActive downloads run at once ({@code -j})
 * @param perHost connections per host shared by all downloads
 * @param session the session file
 * @param maxConnections RPC connections open at once; more are closed at once
 */
public record DaemonConfig(int port, String secret, boolean listenAll, Path dir, int maxActive, int perHost,
    Path session, int maxConnections) {

  /** Default RPC port, aria2's. */
  public static final int DEFAULT_PORT = 6800;

  /** Checks the values. */
  public DaemonConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(session, "session");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535");
    }
    if (listenAll && (secret == null || secret.isEmpty())) {
      throw new IllegalArgumentException("--rpc-listen-all requires --rpc-secret: anyone on the network could"
          + " otherwise make this machine download anything to anywhere");
    }
    if (secret != null && secret.isEmpty()) {
      throw new IllegalArgumentException("the RPC secret must not be empty");
    }
    if (maxActive < 1 || perHost < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("-j, per-host and connection limits must be at least 1");
    }
  }

  /** The defaults with this directory: port 6800, loopback, no secret, {@code -j 5}, session in DIR. */
  public static DaemonConfig defaults(Path dir) {
    return new DaemonConfig(DEFAULT_PORT, null, false, dir, 5, 16, defaultSession(dir), 64);
  }

  /**
   * The default session file of a download directory: {@code DIR/.rget-daemon/session}, in a
   * directory of its own that the daemon keeps owner-only (the file holds request headers, which
   * may carry credentials).
   */
  public static Path defaultSession(Path dir) {
    return dir.resolve(".rget-daemon").resolve("session");
  }

  /** A copy with another value. */
  public DaemonConfig withPort(int p) {
    return new DaemonConfig(p, secret, listenAll, dir, maxActive, perHost, session, maxConnections);
  }

  /** A copy with another value. */
  public DaemonConfig withSecret(String s) {
    return new DaemonConfig(port, s, listenAll, dir, maxActive, perHost, session, maxConnections);
  }

  /** A copy with another value. */
  public DaemonConfig withMaxActive(int j) {
    return new DaemonConfig(port, secret, listenAll, dir, j, perHost, session, maxConnections);
  }

  /** A copy with another session file (as {@code --session FILE}). */
  public DaemonConfig withSession(Path s) {
    return new DaemonConfig(port, secret, listenAll, dir, maxActive, perHost, s, maxConnections);
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "DaemonConfig[port=" + port + ", secret=" + (secret == null ? "none" : "***") + ", listenAll=" + listenAll
        + ", dir=" + dir + ", j=" + maxActive + ", perHost=" + perHost + ", session=" + session + "]";
  }
}
