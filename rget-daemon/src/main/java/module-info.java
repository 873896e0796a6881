/** {@code rget daemon}: a download queue driven over aria2's JSON-RPC (HTTP and WebSocket). */
module dev.rget.daemon {
  requires dev.rget.core;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.transport;

  exports dev.rget.daemon;
}
