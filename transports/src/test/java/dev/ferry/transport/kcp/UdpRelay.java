package dev.ferry.transport.kcp;

import dev.ferry.transport.IoRuntime;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP middlebox for tests, standing where a NAT would: clients talk to {@link #address()}, the relay talks to the
 * server from an upstream socket of its own. {@link #rebind()} swaps that upstream socket for one on a new port,
 * which is what a NAT whose mapping expired does; {@link #duplicateUpstream} replays every client datagram once.
 */
final class UdpRelay implements AutoCloseable {
    /** As large as the transport's own, so the relay adds no loss of its own to a burst. */
    private static final int BUFFER = 4 * 1024 * 1024;
    private final EventLoopGroup group;
    private final IoRuntime io;
    private final InetSocketAddress server;
    private final Channel front;
    private volatile Channel upstream;
    private volatile InetSocketAddress client;
    volatile boolean duplicateUpstream;
    /** Fraction of datagrams dropped in each direction, decided by a seeded generator. */
    volatile double dropRate;
    private final java.util.SplittableRandom drops = new java.util.SplittableRandom(7);
    final AtomicLong upstreamPorts = new AtomicLong();

    UdpRelay(EventLoopGroup group, IoRuntime io, InetSocketAddress server) throws InterruptedException {
        this.group = group;
        this.io = io;
        this.server = server;
        this.front = new Bootstrap().group(group).channel(io.datagramChannel()).option(ChannelOption.SO_RCVBUF, BUFFER)
                .option(ChannelOption.SO_SNDBUF, BUFFER)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        client = p.sender();
                        ByteBuf data = p.content();
                        if (dropped()) {
                            return;
                        }
                        if (duplicateUpstream) {
                            upstream.write(new DatagramPacket(data.retainedDuplicate(), UdpRelay.this.server));
                        }
                        upstream.writeAndFlush(new DatagramPacket(data.retain(), UdpRelay.this.server));
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        this.upstream = openUpstream();
    }

    /** Called on the relay's event loop only. */
    private boolean dropped() {
        return dropRate > 0 && drops.nextDouble() < dropRate;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) front.localAddress();
    }

    /** The client's traffic now leaves from a new port; answers to the old one are lost, as behind a real NAT. */
    void rebind() throws InterruptedException {
        Channel old = upstream;
        upstream = openUpstream();
        old.close().sync();
    }

    private Channel openUpstream() throws InterruptedException {
        upstreamPorts.incrementAndGet();
        return new Bootstrap().group(group).channel(io.datagramChannel()).option(ChannelOption.SO_RCVBUF, BUFFER)
                .option(ChannelOption.SO_SNDBUF, BUFFER)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        InetSocketAddress to = client;
                        if (to != null && !dropped()) {
                            front.writeAndFlush(new DatagramPacket(p.content().retain(), to));
                        }
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    @Override
    public void close() {
        front.close().syncUninterruptibly();
        upstream.close().syncUninterruptibly();
    }
}
