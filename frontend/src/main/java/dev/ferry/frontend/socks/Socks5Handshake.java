package dev.ferry.frontend.socks;

import dev.ferry.frontend.ClientBridge;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.OpenStatus;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5Message;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One client's SOCKS5 conversation, up to its command: the greeting (method choice), the login if one is asked
 * for, then CONNECT or UDP ASSOCIATE. Netty's codec-socks decoders read each message; this handler swaps them as the
 * conversation goes and, at the command, hands the connection to a {@link ClientBridge} (CONNECT) or a
 * {@link SocksUdpAssociation}. Anything else ends the connection, with the reply RFC 1928 has for it where there is
 * one, and one log line: a malformed message, an auth method or login refused, an unknown command or address type,
 * a client that does not get to its command within the handshake time.
 *
 * <p>Reads are asked for one at a time (the channel runs with autoRead off), so a client that says nothing costs
 * nothing but its socket until the handshake time ends it.
 */
final class Socks5Handshake extends ChannelInboundHandlerAdapter {
    static final String NAME = "socks5";
    static final String DECODER = "socks5-decoder";
    static final String ENCODER = "socks5-encoder";
    private static final Logger LOG = LoggerFactory.getLogger(Socks5Handshake.class);
    /** DNS names have at most 253 characters; a longer one cannot resolve anywhere. */
    private static final int MAX_NAME = 253;

    private final SocksService service;
    private ScheduledFuture<?> timeout;
    private boolean done;

    Socks5Handshake(SocksService service) {
        this.service = service;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            begin(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        begin(ctx);
        ctx.fireChannelActive();
    }

    private void begin(ChannelHandlerContext ctx) {
        if (timeout != null) {
            return;
        }
        timeout = ctx.executor().schedule(() -> refuse(ctx, "no SOCKS5 command within "
                + service.handshakeTimeout().toMillis() + " ms"), service.handshakeTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg); // after a refusal, while the connection closes
            return;
        }
        try {
            if (msg instanceof Socks5Message m && m.decoderResult().isFailure()) {
                malformed(ctx, m);
            } else if (msg instanceof Socks5InitialRequest greeting) {
                greet(ctx, greeting);
            } else if (msg instanceof Socks5PasswordAuthRequest login) {
                login(ctx, login);
            } else if (msg instanceof Socks5CommandRequest command) {
                command(ctx, command);
            } else {
                refuse(ctx, "sent data before its SOCKS5 command");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done && ctx.channel().isActive()) {
            ctx.read(); // the next message, or the rest of this one
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("SOCKS5 connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private void malformed(ChannelHandlerContext ctx, Socks5Message m) {
        DecoderResult r = m.decoderResult();
        String why = r.cause() == null ? "malformed" : r.cause().getMessage();
        if (m instanceof Socks5CommandRequest) {
            // Past the version byte the decoder fails only on the address: an unknown type, or a name that is no
            // valid domain name (a label over 63 characters).
            Socks5CommandStatus status = why != null && why.startsWith("unsupported version")
                    ? Socks5CommandStatus.FAILURE : Socks5CommandStatus.ADDRESS_UNSUPPORTED;
            reply(ctx, status, "malformed SOCKS5 request: " + why);
        } else {
            refuse(ctx, "malformed SOCKS5 " + (m instanceof Socks5InitialRequest ? "greeting" : "login") + ": "
                    + why);
        }
    }

    private void greet(ChannelHandlerContext ctx, Socks5InitialRequest greeting) {
        Socks5AuthMethod wanted = service.users().required() ? Socks5AuthMethod.PASSWORD : Socks5AuthMethod.NO_AUTH;
        if (!greeting.authMethods().contains(wanted)) {
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                    .addListener(ChannelFutureListener.CLOSE);
            log(ctx, "offers none of the auth methods accepted here (" + wanted + "); it offered "
                    + greeting.authMethods());
            done = true;
            return;
        }
        ctx.pipeline().replace(DECODER, DECODER, wanted == Socks5AuthMethod.PASSWORD
                ? new Socks5PasswordAuthRequestDecoder() : new Socks5CommandRequestDecoder());
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(wanted));
    }

    private void login(ChannelHandlerContext ctx, Socks5PasswordAuthRequest login) {
        if (!service.users().check(login.username(), login.password())) {
            ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
                    .addListener(ChannelFutureListener.CLOSE);
            log(ctx, "login failed for user '" + printable(login.username(), 64) + "'");
            done = true;
            return;
        }
        ctx.pipeline().replace(DECODER, DECODER, new Socks5CommandRequestDecoder());
        ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
    }

    private void command(ChannelHandlerContext ctx, Socks5CommandRequest command) {
        Socks5CommandType type = command.type();
        if (type != Socks5CommandType.CONNECT && type != Socks5CommandType.UDP_ASSOCIATE) {
            reply(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED, "command " + type + " is not supported");
            return;
        }
        Destination target;
        try {
            target = destination(command);
        } catch (IllegalArgumentException e) {
            reply(ctx, Socks5CommandStatus.ADDRESS_UNSUPPORTED, "bad destination: " + e.getMessage());
            return;
        }
        done = true;
        cancelTimeout();
        // Bytes the client sent right behind its request (optimistic data) are a slice the decoder passes on after
        // this message: once the decoder and this handler are gone, they reach whoever replaced this handler.
        ctx.pipeline().remove(DECODER);
        if (type == Socks5CommandType.CONNECT) {
            connect(ctx, target);
        } else {
            ctx.pipeline().replace(this, "socks5-udp", new SocksUdpAssociation(service, target));
        }
    }

    /**
     * Hands the connection to a stream bridge. The reply (RFC 1928: success with the address the server bound, or
     * the failure's code) goes out when the backend's open result comes back, or at once with fast open; then the
     * encoder leaves the pipeline and bytes flow unchanged.
     */
    private void connect(ChannelHandlerContext ctx, Destination target) {
        Channel ch = ctx.channel();
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        ClientBridge.OpenReply reply = status -> ch.writeAndFlush(status == OpenStatus.OK
                        ? SocksReply.of(Socks5CommandStatus.SUCCESS, local)
                        : SocksReply.failure(SocksReply.status(status)))
                .addListener(f -> {
                    if (ch.pipeline().get(ENCODER) != null) {
                        ch.pipeline().remove(ENCODER);
                    }
                });
        if (service.fastOpen()) {
            reply.opened(OpenStatus.OK);
            reply = ClientBridge.OpenReply.NONE;
        }
        ctx.pipeline().replace(this, "bridge", new ClientBridge(target, service.tunnel(), service.openWait(),
                service.accessLog(), reply, !service.fastOpen(), Unpooled.EMPTY_BUFFER));
    }

    /** The destination of a command; for UDP ASSOCIATE, where the client says it will send from. */
    private static Destination destination(Socks5CommandRequest command) {
        if (command.dstAddrType() == Socks5AddressType.DOMAIN) {
            if (command.dstAddr().length() > MAX_NAME) {
                throw new IllegalArgumentException("a domain name of " + command.dstAddr().length()
                        + " characters (DNS allows " + MAX_NAME + ")");
            }
            return Destination.domain(command.dstAddr(), command.dstPort());
        }
        return Destination.parse(command.dstAddr(), command.dstPort());
    }

    private void reply(ChannelHandlerContext ctx, Socks5CommandStatus status, String reason) {
        done = true;
        ctx.writeAndFlush(SocksReply.failure(status)).addListener(ChannelFutureListener.CLOSE);
        log(ctx, reason + "; replied " + status);
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        done = true;
        log(ctx, reason);
        ctx.close();
    }

    private void log(ChannelHandlerContext ctx, String reason) {
        cancelTimeout();
        LOG.info("refused SOCKS5 connection from {}: {}", AccessLog.format(ctx.channel().remoteAddress()),
                printable(reason, 200));
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /**
     * {@code s} cut to {@code max} characters with anything unprintable replaced: what a client sent (a name, a
     * decoder's message quoting it) cannot write control characters, such as a forged log line, into the log.
     */
    static String printable(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        s.codePoints().limit(max).forEach(c -> b.append(c >= 0x20 && c < 0x7F ? (char) c : '?'));
        return s.length() > max ? b + "..." : b.toString();
    }
}
