package dev.rget.server.upload;

/**
 * A {@link PatchWriter.Answer} for tests that look only at the status: each way a body ends has
 * its own.
 */
final class StatusAnswer implements PatchWriter.Answer {
  static final StatusAnswer INSTANCE = new StatusAnswer();

  private StatusAnswer() {}

  @Override
  public TusResponse appended(Upload u) {
    return new TusResponse(204);
  }

  @Override
  public TusResponse digestMismatch(Upload u) {
    return new TusResponse(460);
  }

  @Override
  public TusResponse inconsistentLength(Upload u) {
    return new TusResponse(400);
  }

  @Override
  public TusResponse tooLarge(Upload u) {
    return new TusResponse(413);
  }

  @Override
  public TusResponse conflict(Upload u) {
    return new TusResponse(409);
  }
}
