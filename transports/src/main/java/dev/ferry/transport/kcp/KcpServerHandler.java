package dev.ferry.transport.kcp;

import dev.ferry.crypto.SeenSalts;
import dev.ferry.transport.udp.Drop;
import dev.ferry.transport.udp.DropCounters;
import dev.ferry.transport.udp.PacketCrypto;
import dev.ferry.transport.udp.PacketFormat;
import dev.ferry.transport.udp.Plaintext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The listening UDP socket's handler: finds each datagram's session by the id inside it (never by source address, so
 * a client behind a rebinding NAT keeps its session) and opens a new session only for an authentic packet that
 * carries a fresh timestamp and an id not seen in the last minute. Anything else is dropped, counted and never
 * answered. Memory is bounded: garbage creates no state, and at most {@code maxSessions} sessions exist.
 *
 * <p>Threading: the socket's event loop.
 */
final class KcpServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(KcpServerHandler.class);
    /** Longer than twice the allowed clock skew, so a replayed opening packet is either stale or remembered. */
    private static final Duration REMEMBER_IDS = Duration.ofSeconds(61);

    private final KcpOptions options;
    private final ChannelHandler childInitializer;
    private final Map<Long, KcpSession> sessions = new HashMap<>();
    private final Set<KcpSession> touched = new LinkedHashSet<>();
    private final SeenSalts seenIds;
    private final byte[] plain;
    private Channel socket;
    private KcpListenerChannel listener;
    private DropCounters drops;
    private boolean accepting = true;

    KcpServerHandler(KcpOptions options, ChannelHandler childInitializer) {
        this.options = options;
        this.childInitializer = childInitializer;
        this.seenIds = new SeenSalts(options.wallClock(), REMEMBER_IDS, options.maxSessions() * 16);
        this.plain = new byte[options.maxDatagram()];
    }

    /** Called before the socket is bound, so no datagram arrives before the handler knows its socket. */
    void bind(Channel socket, KcpListenerChannel listener) {
        this.socket = socket;
        this.listener = listener;
        this.drops = new DropCounters(LOG, "kcp listener", options.monotonicMillis());
    }

    DropCounters drops() {
        return drops;
    }

    /** Sessions open now, for tests and status; a copy. */
    java.util.List<KcpSession> sessions() {
        return java.util.List.copyOf(sessions.values());
    }

    int sessionCount() {
        return sessions.size();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket dp = (DatagramPacket) msg;
        try {
            Drop drop = dispatch(dp.content(), dp.sender());
            if (drop != null) {
                drops.count(drop);
            }
        } finally {
            dp.release();
        }
    }

    private Drop dispatch(ByteBuf packet, InetSocketAddress sender) {
        int size = packet.readableBytes();
        if (size < PacketFormat.HEADER_LENGTH + PacketFormat.KIND_LENGTH || size > options.maxDatagram()) {
            return Drop.TRUNCATED_OR_OVERSIZED;
        }
        long id = PacketCrypto.sessionIdOf(packet);
        KcpSession session = sessions.get(id);
        Drop drop = session != null ? session.received(packet, sender) : open(id, packet, sender);
        if (drop == null) {
            KcpSession s = session != null ? session : sessions.get(id);
            if (s != null) {
                touched.add(s);
            }
        }
        return drop;
    }

    private Drop open(long id, ByteBuf packet, InetSocketAddress sender) {
        if (!accepting) {
            return Drop.UNKNOWN_SESSION;
        }
        PacketCrypto crypto = PacketCrypto.forServer(options.key(), options.cipher(), id, options.maxDatagram());
        int n = crypto.open(packet, plain);
        if (n < 0) {
            return Drop.UNAUTHENTIC;
        }
        if (!Plaintext.hasTimestamp(plain) || Plaintext.bodyOffset(plain, n) < 0) {
            return Drop.UNKNOWN_SESSION;
        }
        long skew = Math.abs(Plaintext.timestamp(plain) - options.wallClock().millis());
        if (skew > PacketFormat.MAX_CLOCK_SKEW_MILLIS
                || !seenIds.firstSeen(ByteBuffer.allocate(Long.BYTES).putLong(id).array())) {
            return Drop.STALE;
        }
        if (sessions.size() >= options.maxSessions()) {
            return Drop.OVER_CAPACITY;
        }
        KcpSession session = new KcpSession(socket, crypto, options, sender, false, () -> accepting,
                () -> finished(id));
        sessions.put(id, session);
        KcpStreamChannel channel = new KcpStreamChannel(listener, session);
        channel.pipeline().addLast(childInitializer);
        socket.eventLoop().register(channel);
        LOG.debug("kcp session {} opened by {}", Long.toHexString(id), sender);
        return session.opened(plain, n, sender);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (KcpSession s : touched) {
            s.afterReads();
        }
        touched.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (KcpSession s : List.copyOf(sessions.values())) {
            s.finish(false);
        }
        if (listener != null && listener.isOpen()) {
            listener.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("kcp listener {}: {}", ctx.channel().localAddress(), cause.toString());
    }

    private void finished(long id) {
        sessions.remove(id);
        closeSocketIfDone();
    }

    void stopAccepting() {
        accepting = false;
        closeSocketIfDone();
    }

    private void closeSocketIfDone() {
        if (!accepting && sessions.isEmpty() && socket.isOpen()) {
            socket.close();
        }
    }
}
