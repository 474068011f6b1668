package dev.ferry.transport.tcp;

import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;

/**
 * The tunnel over one TCP connection: for networks that block UDP. Accepted channels allow half-closure (the
 * peer's EOF arrives as a {@code ChannelInputShutdownEvent}); the layers above close on it. TCP_NODELAY is on because the tunnel coalesces
 * its own writes (one flush per event-loop turn), and Nagle would only add delay to small frames.
 */
public final class TcpTransport implements Transport {
    /** Above this many queued bytes the channel turns unwritable and the mux stops feeding it. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final IoRuntime io;

    public TcpTransport(IoRuntime io) {
        this.io = io;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Future<Channel> connect(EventLoopGroup group, InetSocketAddress remote, ChannelHandler initializer) {
        ChannelFuture f = new Bootstrap()
                .group(group)
                .channel(io.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(initializer)
                .connect(remote);
        return asChannelFuture(f);
    }

    @Override
    public Future<Channel> listen(EventLoopGroup group, InetSocketAddress local, ChannelHandler initializer) {
        ChannelFuture f = new ServerBootstrap()
                .group(group)
                .channel(io.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                // A peer's EOF reaches the pipeline as an event instead of closing at once: the backend keeps a
                // failed handshake silent until its deadline even when the prober half-closes.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(initializer)
                .bind(local);
        return asChannelFuture(f);
    }

    private static Future<Channel> asChannelFuture(ChannelFuture f) {
        Promise<Channel> p = f.channel().eventLoop().newPromise();
        f.addListener(done -> {
            if (done.isSuccess()) {
                p.setSuccess(f.channel());
            } else {
                p.setFailure(done.cause());
            }
        });
        return p;
    }
}
