package dev.rget.core.engine;

import java.io.IOException;

/** The remote file is no longer the version the bytes written so far belong to. */
final class RemoteChangedException extends IOException {
  private static final long serialVersionUID = 1L;

  RemoteChangedException(String message) {
    super(message);
  }
}
