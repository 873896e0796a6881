package dev.rget.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.util.List;

/**
 * Netty's request decoder with every strictness setting spelt out (none left to defaults that a
 * system property can change), plus what Netty does not do:
 *
 * <ul>
 *   <li><b>At most {@link Limits#MAX_HEADER_FIELDS} header fields</b> (431): the size limit alone
 *       lets 16 KiB of {@code a:b} lines become thousands of objects.
 *   <li><b>Obsolete line folding is refused</b> (400) instead of being joined into the previous
 *       field (RFC 9112 section 5.2 allows either; refusing leaves no room for two parsers to
 *       disagree about where a field ends).
 *   <li><b>One request at a time</b>: after a request head has been decoded the decoder pauses
 *       until {@link #resume()}: input that follows (pipelined requests) stays as raw bytes, which
 *       are at most one read ({@link Limits#MAX_READ}), instead of becoming parsed requests queued
 *       behind a reply the client may never read.
 *   <li>It fires {@link #HEAD_STARTED} when it starts reading a new request head, so the handler can
 *       start that head's deadline.
 * </ul>
 *
 * <p>Strictness set here: bare LF line endings are refused ({@code strictLineParsing});
 * Transfer-Encoding follows RFC 9112 (with Content-Length, or in HTTP/1.0, or not ending in
 * chunked: refused); several Content-Length values are refused even if equal; header names must be
 * tokens and values free of control characters. Each refusal reaches the handler as a request
 * whose decoder result is a failure, answered with 400 (431 for the limits) and a closed
 * connection.
 */
final class RequestDecoder extends HttpRequestDecoder {
  /** User event fired when the first byte of a request head is decoded. */
  static final Object HEAD_STARTED = new Object() {
    @Override
    public String toString() {
      return "HEAD_STARTED";
    }
  };

  /** A header line that starts with a space or tab (obs-fold). */
  static final class ObsFoldException extends IllegalArgumentException {
    ObsFoldException() {
      super("obsolete line folding in the request head");
    }
  }

  private ChannelHandlerContext ctx;
  private boolean paused;
  private boolean headInProgress;
  private boolean folded;
  private boolean afterLf;
  private boolean inBody;
  private boolean bodyWanted;

  RequestDecoder() {
    super(config());
  }

  /** The decoder settings, each one explicit. */
  static HttpDecoderConfig config() {
    DefaultHttpHeadersFactory validating = DefaultHttpHeadersFactory.headersFactory().withValidation(true);
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(Limits.MAX_REQUEST_LINE)
        .setMaxHeaderSize(Limits.MAX_HEADER_SIZE)
        // Body pieces are slices of the read buffer, never copies: one piece per large body read.
        .setMaxChunkSize(Limits.BODY_READ)
        .setInitialBufferSize(128)
        .setChunkedSupported(true)
        .setAllowPartialChunks(true)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false)
        .setHeadersFactory(new CountingHeadersFactory(validating))
        .setTrailersFactory(new CountingHeadersFactory(DefaultHttpHeadersFactory.trailersFactory()));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    super.handlerAdded(ctx);
  }

  /**
   * Decodes the next request, if its bytes are already here (call on the event loop once the
   * previous reply is out). Decoded messages go down the pipeline before this returns.
   */
  void resume() throws Exception {
    bodyWanted = false;
    paused = false;
    ByteBuf buffered = internalBuffer();
    if (buffered.isReadable() && ctx != null && !ctx.isRemoved()) {
      channelRead(ctx, Unpooled.EMPTY_BUFFER);
    }
  }

  /**
   * Decodes the body of the request just decoded (an upload), then pauses again after its last
   * piece: the next request head waits for {@link #resume()} as usual. Body bytes start no head
   * deadline and are passed on as they are.
   */
  void resumeBody() throws Exception {
    bodyWanted = false;
    paused = false;
    inBody = true;
    ByteBuf buffered = internalBuffer();
    if (buffered.isReadable() && ctx != null && !ctx.isRemoved()) {
      channelRead(ctx, Unpooled.EMPTY_BUFFER);
    }
  }

  /**
   * The request just decoded is an upload whose body may be wanted: if the connection closes
   * before {@link #resumeBody()}, the body bytes already received are still decoded and passed on
   * (an upload keeps the bytes of a cut-off request) instead of being dropped with the buffer.
   */
  void bodyWanted() {
    bodyWanted = true;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (bodyWanted && paused) {
      bodyWanted = false;
      paused = false;
      inBody = true;
    }
    super.channelInactive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (paused) {
      return; // the bytes stay buffered until resume()
    }
    if (inBody) {
      int before = out.size();
      super.decode(ctx, in, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof LastHttpContent) {
          inBody = false;
          paused = true; // the next head waits for resume()
        }
      }
      return;
    }
    if (!headInProgress) {
      // Empty lines before a request line are ignored (RFC 9112 section 2.2), and do not start a
      // head: a keep-alive client that ends a request with an extra CRLF is merely idle.
      while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
        in.skipBytes(1);
      }
      if (!in.isReadable()) {
        return;
      }
      headInProgress = true;
      folded = false;
      afterLf = false;
      ctx.fireUserEventTriggered(HEAD_STARTED);
    }
    int start = in.readerIndex();
    int before = out.size();
    super.decode(ctx, in, out);
    if (headInProgress) {
      scanForFolding(in, start, in.readerIndex());
    }
    for (int i = before; i < out.size(); i++) {
      if (out.get(i) instanceof HttpRequest req) {
        headInProgress = false;
        paused = true;
        if (folded && req.decoderResult().isSuccess()) {
          req.setDecoderResult(DecoderResult.failure(new ObsFoldException()));
        }
      }
    }
  }

  /** Notes a line of the head, among bytes {@code [from, to)}, that begins with space or tab. */
  private void scanForFolding(ByteBuf in, int from, int to) {
    for (int i = from; i < to && !folded; i++) {
      byte b = in.getByte(i);
      if (afterLf && (b == ' ' || b == '\t')) {
        folded = true;
      }
      afterLf = b == '\n';
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (paused) {
      // ByteToMessageDecoder would ask for more input when a read produced no message; while a
      // reply is pending nothing more is read. Skipping it also leaves its note that a message was
      // decoded set until a later read completes, so the reads of an upload body are asked for by
      // UploadExchange.readComplete, never left to that rule.
      ctx.fireChannelReadComplete();
      return;
    }
    super.channelReadComplete(ctx);
  }

  /** Makes headers that refuse to hold more than {@link Limits#MAX_HEADER_FIELDS} fields. */
  private static final class CountingHeadersFactory implements HttpHeadersFactory {
    private final DefaultHttpHeadersFactory validators;

    CountingHeadersFactory(DefaultHttpHeadersFactory validators) {
      this.validators = validators;
    }

    @Override
    public HttpHeaders newHeaders() {
      return new CountingHeaders(validators, 16);
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
      return new CountingHeaders(validators, 2);
    }
  }

  private static final class CountingHeaders extends DefaultHttpHeaders {
    private int added;

    CountingHeaders(DefaultHttpHeadersFactory validators, int sizeHint) {
      super(validators.getNameValidator(), validators.getValueValidator(), sizeHint);
    }

    @Override
    public HttpHeaders add(String name, Object value) {
      count();
      return super.add(name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
      count();
      return super.add(name, value);
    }

    private void count() {
      if (++added > Limits.MAX_HEADER_FIELDS) {
        throw new TooLongHttpHeaderException("more than " + Limits.MAX_HEADER_FIELDS + " header fields");
      }
    }
  }
}
