package dev.ferry.frontend.socks;

import dev.ferry.tunnel.bridge.AccessLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The first handler on a {@code --socks} connection: its first byte says which protocol the client speaks, SOCKS5
 * (version byte 5) or HTTP (a request line starting with a method such as {@code CONNECT}). It installs that
 * protocol's handlers and steps aside; the bytes it looked at go on to them. Anything else is refused.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolSniffer.class);
    /** The most an HTTP CONNECT request's head may take. */
    static final int MAX_HTTP_HEAD = 16 * 1024;

    private final SocksService service;

    ProtocolSniffer(SocksService service) {
        this.service = service;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        int first = in.getUnsignedByte(in.readerIndex());
        String name = ctx.name();
        if (first == 5) {
            ctx.pipeline().addAfter(name, Socks5Handshake.DECODER, new Socks5InitialRequestDecoder())
                    .addAfter(Socks5Handshake.DECODER, Socks5Handshake.ENCODER, Socks5ServerEncoder.DEFAULT)
                    .addAfter(Socks5Handshake.ENCODER, Socks5Handshake.NAME, new Socks5Handshake(service));
        } else if (first >= 'A' && first <= 'Z') {
            ctx.pipeline().addAfter(name, "http-codec", new HttpServerCodec(4096, MAX_HTTP_HEAD, 8192))
                    .addAfter("http-codec", "http-aggregator", new HttpObjectAggregator(MAX_HTTP_HEAD))
                    .addAfter("http-aggregator", HttpConnectHandler.NAME, new HttpConnectHandler(service));
        } else {
            LOG.info("refused connection from {} to the SOCKS5/HTTP port: first byte 0x{} is neither SOCKS5 nor "
                    + "HTTP", AccessLog.format(ctx.channel().remoteAddress()), Integer.toHexString(first));
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this); // what it holds goes on to the handlers just added
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive() && !isRemoved(ctx)) {
            ctx.read(); // nothing came yet: ask for the first bytes
        }
        super.channelReadComplete(ctx);
    }

    private static boolean isRemoved(ChannelHandlerContext ctx) {
        return ctx.isRemoved();
    }
}
