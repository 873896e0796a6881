package dev.rget.daemon;

/**
 * A JSON-RPC error answered to the caller as {@code {"code":..,"message":..}}. aria2 answers every
 * failure of a method with code 1 and a one-line message; the codes of JSON-RPC 2.0 itself
 * (-32700 parse error and so on) are for requests that never reach a method.
 */
final class RpcException extends Exception {
  private static final long serialVersionUID = 1L;

  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  /** aria2's code for every error a method reports (Unauthorized, GID not found, ...). */
  static final int ARIA2 = 1;

  private final int code;

  RpcException(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** An aria2 method error (code 1). */
  static RpcException aria2(String message) {
    return new RpcException(ARIA2, message);
  }

  int code() {
    return code;
  }
}
