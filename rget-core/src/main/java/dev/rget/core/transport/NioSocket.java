package dev.rget.core.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A connected non-blocking TCP socket with a selector of its own, so that the one thread using
 * it can wait for it with a timeout, and another thread can abort that wait by closing it.
 */
final class NioSocket {
  final SocketChannel channel;
  private final Selector selector;

  private NioSocket(SocketChannel channel, Selector selector) {
    this.channel = channel;
    this.selector = selector;
  }

  /** Connects to {@code address} (already resolved) within {@code timeout}. */
  static NioSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
    return connect(address, timeout, new ConnectAbort());
  }

  /**
   * Connects to {@code address} (already resolved) within {@code timeout}; {@code abort} closes
   * the channel meanwhile (which ends the blocking connect), and the whole socket from the moment
   * it exists, until the caller releases it.
   */
  static NioSocket connect(InetSocketAddress address, Duration timeout, ConnectAbort abort)
      throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      abort.watch(() -> closeQuietly(ch)); // a blocking connect ends when its channel is closed
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      ch.configureBlocking(false);
      return attach(ch, Selector.open(), abort);
    } catch (SocketTimeoutException e) {
      ch.close();
      throw new ConnectTimeoutException("connect timed out: " + address);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * {@code ch} (connected, non-blocking) with {@code selector} of its own, closed by
   * {@code abort} from now on. If this fails, for whatever reason, the selector is closed with
   * the channel: it was opened for this socket alone, and nothing else would ever close it.
   */
  static NioSocket attach(SocketChannel ch, Selector selector, ConnectAbort abort)
      throws IOException {
    NioSocket s = new NioSocket(ch, selector);
    try {
      abort.watch(s::close);
      ch.register(selector, SelectionKey.OP_READ);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Waits until the socket is ready for {@code op} ({@link SelectionKey#OP_READ} or
   * {@link SelectionKey#OP_WRITE}).
   *
   * @throws StallException if it is not ready within {@code timeout}
   * @throws InterruptedIOException if the calling thread is interrupted (it stays interrupted):
   *     the wait then ends at once, and that is no stall
   */
  void await(int op, Duration timeout) throws IOException {
    int ready;
    try {
      SelectionKey k = channel.keyFor(selector);
      if (k == null) {
        throw new AsynchronousCloseException(); // the selector was closed: no key left
      }
      k.interestOps(op);
      selector.selectedKeys().clear();
      ready = selector.select(Math.max(1, timeout.toMillis()));
    } catch (ClosedSelectorException | CancelledKeyException e) {
      // Another thread closed this connection to abort the transfer.
      throw new AsynchronousCloseException();
    }
    if (ready == 0) {
      if (!channel.isOpen()) {
        throw new IOException("connection closed");
      }
      if (Thread.currentThread().isInterrupted()) {
        // An interrupt ends select() at once (a download's stop does this): not a stall.
        throw new InterruptedIOException("interrupted while waiting for the connection to be "
            + (op == SelectionKey.OP_WRITE ? "writable" : "readable"));
      }
      throw new StallException("no data for " + timeout.toSeconds() + " s");
    }
  }

  boolean isOpen() {
    return channel.isOpen();
  }

  /**
   * Closes the selector and the socket; never throws. A thread waiting in {@link #await} wakes
   * and fails at once.
   */
  void close() {
    try {
      selector.close();
    } catch (IOException e) {
      // closing: nothing to do with a failure here
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing: nothing to do with a failure here
    }
  }
}
