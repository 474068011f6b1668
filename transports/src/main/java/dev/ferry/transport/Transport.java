package dev.ferry.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;

/**
 * How the tunnel's bytes travel between frontend and backend. Every transport offers the tunnel the same thing: a
 * Netty {@link Channel} carrying one reliable, ordered byte stream in each direction (ByteBufs in, ByteBufs out),
 * with {@code isWritable()} reflecting backpressure. Everything above (handshake, records, frames, mux) is the same
 * whatever the transport.
 *
 * <p>Contract: a peer's EOF on an accepted channel may arrive as a
 * {@link io.netty.channel.socket.ChannelInputShutdownEvent} rather than as a close; whoever handles the channel
 * closes it then. The initializer is added to each new channel's pipeline before the channel becomes active; closing a
 * channel returned by {@link #listen} stops accepting but leaves accepted channels open; implementations hold no
 * global state, so two instances never interfere.
 */
public interface Transport {

    /** The name users pass to {@code --transport}. */
    String name();

    /** Connects to a listening peer. The future fails with the cause if the connection cannot be made. */
    Future<Channel> connect(EventLoopGroup group, InetSocketAddress remote, ChannelHandler initializer);

    /**
     * Listens for peers; each accepted peer's channel gets {@code initializer}. The future completes with the
     * listening channel, whose {@code localAddress()} tells the bound port when port 0 was asked for.
     */
    Future<Channel> listen(EventLoopGroup group, InetSocketAddress local, ChannelHandler initializer);
}
