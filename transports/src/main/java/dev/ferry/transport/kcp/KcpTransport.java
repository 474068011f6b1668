package dev.ferry.transport.kcp;

import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transport;
import dev.ferry.transport.udp.DropCounters;
import dev.ferry.transport.udp.PacketCrypto;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * The tunnel over KCP over sealed UDP datagrams: for links that lose packets. One KCP session carries the whole
 * tunnel (all its streams go through the same mux as over tcp); the session is named by a random id inside each
 * packet, so it survives the client's address changing. See {@link dev.ferry.transport.udp.PacketFormat} for the
 * packets and {@link KcpSession} for the session's life.
 */
public final class KcpTransport implements Transport {
    /** Socket buffers as kcptun's default: room for a full window of packets in flight at high rates. */
    private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
    /** The largest read with UDP GRO: a whole run of datagrams, at most one 16-bit UDP length. */
    private static final int GRO_READ = 65_535;

    private final IoRuntime io;
    private final KcpOptions options;
    private final String name;

    public KcpTransport(IoRuntime io, KcpOptions options) {
        this(io, options, "kcp");
    }

    /**
     * @param name what users call it: {@code kcp}, or {@code udp} for a tunnel of UDP flows only (the same packets;
     *     the reliable stream then carries just the handshake and the control plane)
     */
    public KcpTransport(IoRuntime io, KcpOptions options, String name) {
        this.io = io;
        this.options = options;
        this.name = name;
    }

    /** What this transport was built with, for tests. */
    KcpOptions options() {
        return options;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Future<Channel> connect(EventLoopGroup group, InetSocketAddress remote, ChannelHandler initializer) {
        EventLoop loop = group.next();
        Promise<Channel> result = loop.newPromise();
        InetSocketAddress peer = remote.isUnresolved() ? new InetSocketAddress(remote.getHostString(), remote.getPort())
                : remote;
        if (peer.isUnresolved()) {
            result.setFailure(new java.net.UnknownHostException(remote.getHostString()));
            return result;
        }
        long sessionId = options.sessionIds().nextLong();
        KcpStreamChannel[] stream = new KcpStreamChannel[1];
        ChannelFuture bound = socketBootstrap(loop).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel socket) {
                PacketCrypto crypto = PacketCrypto.forClient(options.key(), options.cipher(), sessionId,
                        options.maxDatagram());
                KcpSession session = new KcpSession(socket, crypto, options, peer, true, () -> true, socket::close);
                stream[0] = new KcpStreamChannel(socket, session);
                DropCounters drops = new DropCounters(LoggerFactory.getLogger(KcpClientHandler.class),
                        "kcp session to " + peer, options.monotonicMillis());
                socket.pipeline().addLast(new KcpClientHandler(session, options.maxDatagram(), drops));
            }
        }).bind(new InetSocketAddress(0));
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                result.setFailure(f.cause());
                return;
            }
            KcpStreamChannel ch = stream[0];
            ch.pipeline().addLast(initializer);
            loop.register(ch).addListener(r -> {
                if (r.isSuccess()) {
                    result.setSuccess(ch);
                } else {
                    bound.channel().close();
                    result.setFailure(r.cause());
                }
            });
        });
        return result;
    }

    @Override
    public Future<Channel> listen(EventLoopGroup group, InetSocketAddress local, ChannelHandler initializer) {
        EventLoop loop = group.next();
        Promise<Channel> result = loop.newPromise();
        KcpServerHandler sessions = new KcpServerHandler(options, initializer);
        KcpListenerChannel[] listener = new KcpListenerChannel[1];
        ChannelFuture bound = socketBootstrap(loop).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel socket) {
                listener[0] = new KcpListenerChannel(socket, sessions);
                sessions.bind(socket, listener[0]);
                socket.pipeline().addLast(sessions);
            }
        }).bind(local);
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                result.setFailure(f.cause());
                return;
            }
            loop.register(listener[0]).addListener(r -> {
                if (r.isSuccess()) {
                    result.setSuccess(listener[0]);
                } else {
                    bound.channel().close();
                    result.setFailure(r.cause());
                }
            });
        });
        return result;
    }

    private Bootstrap socketBootstrap(EventLoop loop) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(io.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
        if (io.isEpoll()) {
            // UDP GRO: one read may return a run of datagrams the kernel kept together (a peer's GSO send, or
            // datagrams coalesced on receive), up to 64 KiB, which Netty cuts back into datagrams. One run per system
            // call (no MAX_DATAGRAM_PAYLOAD_SIZE): Netty's recvmmsg path would hand a run up as one datagram
            // (DatagramBatcherTest).
            b.option(EpollChannelOption.UDP_GRO, true)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(GRO_READ));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(options.maxDatagram()));
        }
        return b;
    }
}
