package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host that does not answer a connection attempt in time: the connect ends at the timeout with
 * a {@link ConnectTimeoutException}, which is not an {@link InterruptedIOException} (the engine
 * reads those as the user's stop, not as a network failure to retry).
 */
@Timeout(30)
class ConnectTimeoutTest {
  @Test
  void aListenerWithAFullBacklogTimesTheConnectOut() throws Exception {
    List<Socket> queued = new ArrayList<>();
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
          full.getLocalPort());
      // Never accepted: once its accept queue is full, Linux drops further SYNs unanswered.
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket();
        try {
          s.connect(address, 300);
          queued.add(s);
        } catch (java.net.SocketTimeoutException e) {
          s.close();
          break; // the queue is full already
        }
      }
      long start = System.nanoTime();
      assertThatThrownBy(() -> NioSocket.connect(address, Duration.ofMillis(400)).close())
          .isInstanceOf(ConnectTimeoutException.class)
          .isNotInstanceOf(InterruptedIOException.class)
          .hasMessageContaining(String.valueOf(full.getLocalPort()));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
  }
}
