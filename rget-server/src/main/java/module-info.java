/** {@code rget serve}: the Netty file server. The CLI starts it through {@code dev.rget.server}. */
module dev.rget.server {
  requires dev.rget.core;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.unix.common;
  // Limits reads the process's open-file limit from com.sun.management.
  requires jdk.management;

  exports dev.rget.server;
}
