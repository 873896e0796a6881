package dev.rget.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A scripted HTTP/2 server over TLS (JDK {@link SSLServerSocket}, ALPN {@code h2}) for hostile
 * cases that no real server produces: each accepted connection runs the test's {@link Script},
 * which reads the client's frames and writes whatever frames it likes, raw. Header blocks are
 * written as HPACK literals without indexing unless the script writes raw bytes itself. The
 * server knows no more HTTP/2 than a script uses, on purpose: it must be able to break every rule.
 */
public final class H2TestServer implements AutoCloseable {
  /** What the server does with one connection. */
  @FunctionalInterface
  public interface Script {
    /** Talks to one client; the connection is closed when this returns. */
    void run(Peer peer) throws Exception;
  }

  /** One frame as it came from the client. */
  public record Frame(int type, int flags, int stream, byte[] payload) {
    /** The first four payload bytes as an unsigned number (RST_STREAM code, WINDOW_UPDATE). */
    public long int32() {
      return ((payload[0] & 0xffL) << 24) | ((payload[1] & 0xff) << 16)
          | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
    }
  }

  private final SSLServerSocket listener;
  private final Script script;
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private H2TestServer(SSLServerSocket listener, Script script) {
    this.listener = listener;
    this.script = script;
    Thread t = new Thread(this::acceptLoop, "h2-test-server");
    t.setDaemon(true);
    t.start();
  }

  /** Starts a server on a free loopback port with the given certificate and PKCS#8 key. */
  public static H2TestServer start(TestCertificates.KeyPair cert, Script script)
      throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    Certificate c;
    try (var in = Files.newInputStream(cert.certificate())) {
      c = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    ks.setKeyEntry("server", privateKey(cert.key(), c.getPublicKey().getAlgorithm()),
        new char[0], new Certificate[] {c});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(p);
    return new H2TestServer(s, script);
  }

  private static PrivateKey privateKey(Path pem, String algorithm) throws Exception {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance(algorithm)
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  /** The loopback port. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** What the scripts threw (a test asserts this is empty when the script checks things). */
  public List<Throwable> failures() {
    return failures;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      open.add(s);
      Thread t = new Thread(() -> serve((SSLSocket) s), "h2-test-connection");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(SSLSocket s) {
    try (s) {
      s.startHandshake();
      Peer peer = new Peer(s);
      peer.readPreface();
      script.run(peer);
    } catch (Throwable e) {
      failures.add(e);
    } finally {
      open.remove(s);
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closing a test server: nothing to do
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing a test server: nothing to do
      }
    }
  }

  /** The server's side of one connection. */
  public static final class Peer {
    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    Peer(SSLSocket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    void readPreface() throws IOException {
      byte[] preface = new byte[24];
      in.readFully(preface);
      if (!new String(preface, StandardCharsets.US_ASCII)
          .equals("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
        throw new IOException("bad client preface");
      }
    }

    /** The next frame from the client. */
    public Frame read() throws IOException {
      int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8)
          | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      return new Frame(type, flags, stream, payload);
    }

    /** Reads frames until one of {@code type} arrives, and returns it. */
    public Frame await(int type) throws IOException {
      while (true) {
        Frame f = read();
        if (f.type() == type) {
          return f;
        }
      }
    }

    /** Reads frames until the client opens a stream; returns its id. */
    public int awaitRequest() throws IOException {
      return await(0x1).stream();
    }

    /** Writes one frame. */
    public synchronized void frame(int type, int flags, int stream, byte[] payload)
        throws IOException {
      byte[] h = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8),
          (byte) payload.length, (byte) type, (byte) flags, (byte) (stream >>> 24),
          (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
      out.write(h);
      out.write(payload);
      out.flush();
    }

    /** SETTINGS with the given (id, value) pairs. */
    public void settings(int... pairs) throws IOException {
      byte[] p = new byte[pairs.length * 3];
      for (int i = 0; i < pairs.length; i += 2) {
        int o = i * 3;
        p[o] = (byte) (pairs[i] >>> 8);
        p[o + 1] = (byte) pairs[i];
        p[o + 2] = (byte) (pairs[i + 1] >>> 24);
        p[o + 3] = (byte) (pairs[i + 1] >>> 16);
        p[o + 4] = (byte) (pairs[i + 1] >>> 8);
        p[o + 5] = (byte) pairs[i + 1];
      }
      frame(0x4, 0, 0, p);
    }

    /** A complete HEADERS frame (END_HEADERS) with the given names and values. */
    public void headers(int stream, boolean endStream, String... namesAndValues)
        throws IOException {
      frame(0x1, 0x4 | (endStream ? 0x1 : 0), stream, block(namesAndValues));
    }

    /** DATA on a stream. */
    public void data(int stream, byte[] bytes, boolean endStream) throws IOException {
      frame(0x0, endStream ? 0x1 : 0, stream, bytes);
    }

    /** DATA of {@code total} bytes in frames of at most 16 KiB, ending the stream if asked. */
    public void data(int stream, long total, boolean endStream) throws IOException {
      byte[] chunk = new byte[16384];
      Arrays.fill(chunk, (byte) 'x');
      long left = total;
      do {
        int n = (int) Math.min(chunk.length, left);
        left -= n;
        frame(0x0, endStream && left == 0 ? 0x1 : 0, stream, Arrays.copyOf(chunk, n));
      } while (left > 0);
    }

    /** GOAWAY with the last stream processed and an error code. */
    public void goaway(int lastStream, int code) throws IOException {
      frame(0x7, 0, 0, new byte[] {(byte) (lastStream >>> 24), (byte) (lastStream >>> 16),
          (byte) (lastStream >>> 8), (byte) lastStream, (byte) (code >>> 24), (byte) (code >>> 16),
          (byte) (code >>> 8), (byte) code});
    }

    /** Writes raw bytes (anything at all). */
    public void raw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** Closes the TCP connection at once, without TLS close_notify. */
    public void cut() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    /**
     * Reads until the client closes, failing on a frame it should not send; returns at end of
     * stream (the client hung up).
     */
    public void drainUntilClosed() throws IOException {
      try {
        while (true) {
          read();
        }
      } catch (EOFException | javax.net.ssl.SSLException | java.net.SocketException e) {
        // the client closed the connection
      }
    }

    /** An HPACK block of literals without indexing, names and values raw. */
    public static byte[] block(String... namesAndValues) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int i = 0; i < namesAndValues.length; i += 2) {
        b.write(0);
        string(b, namesAndValues[i]);
        string(b, namesAndValues[i + 1]);
      }
      return b.toByteArray();
    }

    private static void string(ByteArrayOutputStream b, String s) {
      byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
      if (v.length < 127) {
        b.write(v.length);
      } else {
        b.write(127);
        int rest = v.length - 127;
        while (rest >= 128) {
          b.write((rest & 0x7f) | 0x80);
          rest >>>= 7;
        }
        b.write(rest);
      }
      b.write(v, 0, v.length);
    }
  }
}
