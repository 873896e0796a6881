package dev.rget.daemon;

import dev.rget.core.http.HostCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One RPC connection: {@code POST /jsonrpc} (JSON-RPC over HTTP), {@code GET /jsonrpc} with an
 * Upgrade (JSON-RPC over WebSocket, which also receives notifications), {@code GET /} (the web
 * page). Every request must arrive whole within {@link #REQUEST_DEADLINE_SECONDS} of the previous
 * answer (a slow sender cannot hold a connection), bodies are capped by the aggregator before this
 * handler, and on a loopback bind the Host must be a loopback name.
 *
 * <p>Cross-site requests: a page on another site can make a browser POST here. Without a secret
 * that would let any web page drive the daemon, so a request whose {@code Origin} is not this
 * daemon's own is refused (403). With a secret the token is the authentication, so other origins
 * are served (with CORS headers), as aria2 front-ends hosted elsewhere (AriaNg) need.
 */
final class RpcHandler extends SimpleChannelInboundHandler<Object> {
  static final int REQUEST_DEADLINE_SECONDS = 10;
  static final int MAX_BODY = 1 << 20;

  private final Aria2Rpc rpc;
  private final boolean loopbackOnly;
  private final boolean hasSecret;
  private final ChannelGroup sockets;
  private static final HostCheck LOOPBACK_HOSTS = new HostCheck(true, Set.of());
  private WebSocketServerHandshaker handshaker;
  private ScheduledFuture<?> deadline;

  RpcHandler(Aria2Rpc rpc, boolean loopbackOnly, boolean hasSecret, ChannelGroup sockets) {
    this.rpc = rpc;
    this.loopbackOnly = loopbackOnly;
    this.hasSecret = hasSecret;
    this.sockets = sockets;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    armDeadline(ctx);
    super.channelActive(ctx);
  }

  private void armDeadline(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(() -> {
      ctx.close();
    }, REQUEST_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest req) {
      if (deadline != null) {
        deadline.cancel(false);
      }
      http(ctx, req);
    } else if (msg instanceof WebSocketFrame frame) {
      webSocket(ctx, frame);
    }
  }

  private void http(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      send(ctx, req, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n", false);
      return;
    }
    String host = req.headers().get(HttpHeaderNames.HOST);
    // On loopback, the server's DNS-rebinding rule; and a request without Host is refused too:
    // every browser sends one, so only a page could exploit its absence, and none can.
    if (loopbackOnly && (host == null || LOOPBACK_HOSTS.check(host) != HostCheck.Verdict.OK)) {
      send(ctx, req, HttpResponseStatus.MISDIRECTED_REQUEST, "text/plain", "misdirected request\n", false);
      return;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !hasSecret && !sameOrigin(origin, req.headers().get(HttpHeaderNames.HOST))) {
      send(ctx, req, HttpResponseStatus.FORBIDDEN, "text/plain",
          "requests from other sites need the daemon to run with --rpc-secret\n", false);
      return;
    }
    String path = new QueryStringDecoder(req.uri()).path();
    boolean wsUpgrade = "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
    if (path.equals("/jsonrpc") && req.method().equals(HttpMethod.GET) && wsUpgrade) {
      upgrade(ctx, req);
    } else if (path.equals("/jsonrpc") && req.method().equals(HttpMethod.POST)) {
      post(ctx, req);
    } else if (path.equals("/jsonrpc") && req.method().equals(HttpMethod.OPTIONS) && hasSecret) {
      send(ctx, req, HttpResponseStatus.OK, "text/plain", "", true);
    } else if (WebPage.at(path) != null && (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD))) {
      WebPage.Asset a = WebPage.at(path);
      send(ctx, req, HttpResponseStatus.OK, a.contentType(), a.body(), false);
    } else {
      send(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n", false);
    }
  }

  private void post(ChannelHandlerContext ctx, FullHttpRequest req) {
    String body = req.content().toString(StandardCharsets.UTF_8);
    Object response;
    int code;
    try {
      response = rpc.handle(Json.parse(body, MAX_BODY));
    } catch (Json.ParseException e) {
      response = Aria2Rpc.parseError();
    }
    code = httpStatus(response);
    send(ctx, req, HttpResponseStatus.valueOf(code), "application/json-rpc", Json.write(response), true);
  }

  /** aria2's HTTP status for an RPC answer: 200 for results (and batches), 404 for no such method, else 400. */
  static int httpStatus(Object response) {
    if (response instanceof java.util.Map<?, ?> m && m.get("error") instanceof java.util.Map<?, ?> err) {
      return Long.valueOf(RpcException.METHOD_NOT_FOUND).equals(err.get("code")) ? 404 : 400;
    }
    return 200;
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
    String location = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + "/jsonrpc";
    WebSocketServerHandshakerFactory f = new WebSocketServerHandshakerFactory(location, null, decoderConfig());
    handshaker = f.newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    handshaker.handshake(ctx.channel(), req).addListener((ChannelFutureListener) done -> {
      if (done.isSuccess()) {
        // Frames are capped at MAX_BODY by the decoder (the factory default is 64 KiB) and by the aggregator.
        ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(MAX_BODY));
        sockets.add(ctx.channel());
      } else {
        ctx.close();
      }
    });
  }

  private void webSocket(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame close) {
      handshaker.close(ctx.channel(), close.retain());
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof TextWebSocketFrame text) {
      Object response;
      try {
        response = rpc.handle(Json.parse(text.text(), MAX_BODY));
      } catch (Json.ParseException e) {
        response = Aria2Rpc.parseError();
      }
      ctx.writeAndFlush(new TextWebSocketFrame(Json.write(response)));
    } else {
      ctx.close(); // binary frames are no JSON-RPC
    }
  }

  private void send(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String type,
      String body, boolean cors) {
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    res.headers().set("X-Content-Type-Options", "nosniff");
    if (type.startsWith("text/html")) {
      res.headers().set("Content-Security-Policy", WebPage.CSP);
      res.headers().set("Referrer-Policy", "no-referrer");
    }
    if (cors && hasSecret) {
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET, OPTIONS");
    }
    if (req.method().equals(HttpMethod.HEAD)) {
      res.content().clear();
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req) && status.code() < 400;
    if (!keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(res);
      armDeadline(ctx);
    }
  }

  /** Whether {@code origin} is {@code http://HOST} of this very request (the daemon's own page). */
  private static boolean sameOrigin(String origin, String host) {
    return host != null && origin.toLowerCase(Locale.ROOT).equals("http://" + host.toLowerCase(Locale.ROOT));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset or a malformed frame ends this connection only; the daemon carries on.
    ctx.close();
  }

  static WebSocketDecoderConfig decoderConfig() {
    return WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(MAX_BODY).build();
  }
}
