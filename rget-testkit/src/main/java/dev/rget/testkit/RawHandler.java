package dev.rget.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Escape hatch for {@link FaultServer#handle(String, RawHandler)}: the handler receives the parsed
 * request and writes whatever bytes it likes (or nothing) to the connection.
 */
@FunctionalInterface
public interface RawHandler {

  /**
   * Handles one request.
   *
   * @param request the parsed request head (any Content-Length body has been consumed)
   * @param out the socket's output stream, unbuffered; bytes written here are not counted by
   *     {@link FaultServer#bytesSent()}
   * @param socket the connection, e.g. for {@code setSoLinger(true, 0)} before closing
   * @return true to keep reading requests on this connection, false to have the server close it
   */
  boolean handle(Request request, OutputStream out, Socket socket) throws IOException;
}
