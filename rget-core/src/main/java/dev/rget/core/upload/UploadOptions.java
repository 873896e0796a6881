package dev.rget.core.upload;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * How to upload: bearer token, chunk size, retries, where state is kept, which executor runs it.
 * Immutable; build with {@link #builder()}.
 */
public final class UploadOptions {
  /** The most parts of a parallel upload. */
  public static final int MAX_PARALLEL = 64;

  private final String token;
  private final long chunkSize;
  private final int retries;
  private final Path stateDir;
  private final Executor executor;
  private final TusUpload.RetryListener retryListener;
  private final int parallel;
  private final Consumer<String> noticeListener;

  private UploadOptions(Builder b) {
    this.token = b.token;
    this.chunkSize = b.chunkSize;
    this.retries = b.retries;
    this.stateDir = b.stateDir;
    this.executor = b.executor;
    this.retryListener = b.retryListener;
    this.parallel = b.parallel;
    this.noticeListener = b.noticeListener;
  }

  /**
   * Parts sent in parallel through tus concatenation (1: one stream, the default); see
   * {@link ParallelUpload}.
   */
  public int parallel() {
    return parallel;
  }

  /** Told of a change of plan the user should know about (such as one stream instead of parts). */
  public Consumer<String> noticeListener() {
    return noticeListener;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: no token, automatic chunk size, {@value TusUpload#DEFAULT_RETRIES} retries. */
  public static UploadOptions defaults() {
    return builder().build();
  }

  /** The bearer token, or null for none. */
  public String token() {
    return token;
  }

  /** Bytes per {@code PATCH}; 0 for {@link TusUpload#autoChunkSize(long)}. */
  public long chunkSize() {
    return chunkSize;
  }

  /** Failures in a row before giving up. */
  public int retries() {
    return retries;
  }

  /** Where unfinished uploads are remembered. */
  public Path stateDir() {
    return stateDir;
  }

  /**
   * The executor that runs the upload (one task for its whole life), or null for a new daemon
   * thread per upload.
   */
  public Executor executor() {
    return executor;
  }

  /** Told before each pause between attempts (for a notice to the user). */
  public TusUpload.RetryListener retryListener() {
    return retryListener;
  }

  /** Builds {@link UploadOptions}. */
  public static final class Builder {
    private String token;
    private long chunkSize;
    private int retries = TusUpload.DEFAULT_RETRIES;
    private Path stateDir = UploadState.defaultDirectory();
    private Executor executor;
    private TusUpload.RetryListener retryListener = (failures, pause, cause) -> {};
    private int parallel = 1;
    private Consumer<String> noticeListener = notice -> {};

    private Builder() {}

    /** See {@link UploadOptions#parallel()}: 1 to {@value #MAX_PARALLEL}. */
    public Builder parallel(int parts) {
      if (parts < 1 || parts > MAX_PARALLEL) {
        throw new IllegalArgumentException("parts must be between 1 and " + MAX_PARALLEL);
      }
      this.parallel = parts;
      return this;
    }

    /** See {@link UploadOptions#noticeListener()}. */
    public Builder noticeListener(Consumer<String> listener) {
      this.noticeListener = Objects.requireNonNull(listener);
      return this;
    }

    /** Sends {@code Authorization: Bearer TOKEN} on every request (null: none). */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** See {@link TusUpload.Builder#chunkSize(long)}. */
    public Builder chunkSize(long bytes) {
      if (bytes < 0 || bytes > (1L << 30)) {
        throw new IllegalArgumentException("chunk size must be between 1 byte and 1 GiB (0: automatic)");
      }
      this.chunkSize = bytes;
      return this;
    }

    /** See {@link TusUpload.Builder#retries(int)}. */
    public Builder retries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must be 0 or more");
      }
      this.retries = retries;
      return this;
    }

    /** Where unfinished uploads are remembered (default {@link UploadState#defaultDirectory()}). */
    public Builder stateDir(Path dir) {
      this.stateDir = Objects.requireNonNull(dir);
      return this;
    }

    /** See {@link UploadOptions#executor()}. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    /** See {@link UploadOptions#retryListener()}. */
    public Builder retryListener(TusUpload.RetryListener listener) {
      this.retryListener = Objects.requireNonNull(listener);
      return this;
    }

    /** The options. */
    public UploadOptions build() {
      return new UploadOptions(this);
    }
  }
}
