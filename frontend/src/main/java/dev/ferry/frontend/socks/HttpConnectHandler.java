package dev.ferry.frontend.socks;

import dev.ferry.frontend.ClientBridge;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.OpenStatus;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * HTTP CONNECT on the {@code --socks} port, for clients that speak HTTP proxy rather than SOCKS5 (and for browsers,
 * which can log in to an HTTP proxy but not to a SOCKS5 one). Netty's HTTP codec reads the request; a CONNECT to
 * {@code host:port} becomes a stream through the tunnel, answered {@code 200} once the backend connected (at once
 * with {@code --socks-fast-open}) or with the status its failure maps to. With {@code --socks-users} the request must
 * carry {@code Proxy-Authorization: Basic} for one of them. Anything else (another method, a bad request, a wrong
 * login) gets its status and the connection closes, with one log line.
 */
final class HttpConnectHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String NAME = "http-connect";
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnectHandler.class);

    private final SocksService service;
    private ScheduledFuture<?> timeout;
    private boolean done;

    HttpConnectHandler(SocksService service) {
        this.service = service;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            LOG.info("refused HTTP CONNECT from {}: no complete request within {} ms",
                    AccessLog.format(ctx.channel().remoteAddress()), service.handshakeTimeout().toMillis());
            ctx.close();
        }, service.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel(false);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done && ctx.channel().isActive()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (done) {
            return;
        }
        done = true;
        timeout.cancel(false);
        if (request.decoderResult().isFailure()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: "
                    + Socks5Handshake.printable(String.valueOf(request.decoderResult().cause()), 200));
            return;
        }
        if (!HttpMethod.CONNECT.equals(request.method())) {
            refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + Socks5Handshake.printable(
                    request.method().name(), 32) + " (this port proxies HTTP CONNECT only)");
            return;
        }
        if (service.users().required() && !loggedIn(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION))) {
            refuse(ctx, HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED, "no valid Proxy-Authorization");
            return;
        }
        Destination target;
        try {
            target = authority(request.uri());
        } catch (IllegalArgumentException e) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "bad CONNECT target: " + Socks5Handshake.printable(
                    e.getMessage(), 200));
            return;
        }
        connect(ctx, target);
    }

    /** {@code host:port} or {@code [v6]:port}; the host is not resolved here. */
    static Destination authority(String uri) {
        int colon = uri.lastIndexOf(':');
        if (colon <= 0 || colon == uri.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + uri + "'");
        }
        String host = uri.substring(0, colon);
        String port = uri.substring(colon + 1);
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("bad port in '" + uri + "'");
        }
        if (host.length() > 255 + 2) {
            throw new IllegalArgumentException("host too long");
        }
        return Destination.parse(host, Integer.parseInt(port));
    }

    private boolean loggedIn(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon > 0 && service.users().check(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /**
     * Hands the connection to a stream bridge: the HTTP codec leaves the pipeline (bytes the client sent behind
     * its request go on to the bridge), and the reply goes out as raw bytes when the open is answered.
     */
    private void connect(ChannelHandlerContext ctx, Destination target) {
        Channel ch = ctx.channel();
        ClientBridge.OpenReply reply = status -> ch.writeAndFlush(Unpooled.copiedBuffer(statusLine(status),
                StandardCharsets.US_ASCII));
        if (service.fastOpen()) {
            reply.opened(OpenStatus.OK);
            reply = ClientBridge.OpenReply.NONE;
        }
        ctx.pipeline().remove("http-aggregator");
        ctx.pipeline().remove("http-codec");
        ctx.pipeline().replace(this, "bridge", new ClientBridge(target, service.tunnel(), service.openWait(),
                service.accessLog(), reply, !service.fastOpen(), Unpooled.EMPTY_BUFFER));
    }

    static String statusLine(OpenStatus status) {
        return switch (status) {
            case OK -> "HTTP/1.1 200 Connection established\r\n\r\n";
            case DENIED -> "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            case TIMED_OUT -> "HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            case REFUSED, UNREACHABLE, FAILED ->
                    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        };
    }

    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        LOG.info("refused HTTP CONNECT from {}: {}; replied {}", AccessLog.format(ctx.channel().remoteAddress()),
                reason, status.code());
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, "close");
        if (status == HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED) {
            r.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"ferry\"");
        }
        if (status == HttpResponseStatus.METHOD_NOT_ALLOWED) {
            r.headers().set(HttpHeaderNames.ALLOW, "CONNECT");
        }
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

}
