package dev.ferry.transport.kcp;

import dev.ferry.transport.DatagramCarrier;
import dev.ferry.transport.kcp.engine.KcpEngine;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;

import java.net.SocketAddress;
import java.util.function.Consumer;

/**
 * The reliable byte stream of one KCP session, as a Netty {@link Channel}: what the {@link dev.ferry.transport.Transport}
 * SPI promises, so the tunnel's handshake, records and mux run on it unchanged. Writes go into the engine as far as
 * its send queue allows and wait in the outbound buffer otherwise (so {@code isWritable()} turns false under
 * backpressure); reads hand over what the engine delivered in order, and a reader that stops reading closes the
 * engine's receive window.
 *
 * <p>Threading: lives on the event loop of its session's UDP socket; it cannot be registered anywhere else.
 */
final class KcpStreamChannel extends AbstractChannel implements DatagramCarrier {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /**
     * Low, because what waits here waits in order: a byte the mux writes now (another stream's keystroke) leaves
     * after everything queued before it. The engine keeps its own short backlog for the pacer (see
     * {@link KcpEngine#sendCapacity}), so this needs only to bridge the mux's refills. The tcp transport's 1 MiB
     * mark would put 0.4 s of bulk in front of such a byte at 20 Mbit/s (KcpSendBacklogTest bounds the whole wait).
     */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 128 * 1024);
    private static final int MAX_READ = 64 * 1024;

    private final KcpSession session;
    private final KcpEngine engine;
    private final DefaultChannelConfig config;
    private final byte[] copy;
    private boolean open = true;
    private boolean readRequested;
    private boolean deliveryScheduled;
    private Consumer<ByteBuf> datagramSink;

    KcpStreamChannel(Channel parent, KcpSession session) {
        super(parent);
        this.session = session;
        this.engine = session.engine();
        this.config = new DefaultChannelConfig(this);
        this.config.setWriteBufferWaterMark(WATER_MARK);
        this.copy = new byte[MAX_READ];
        session.attach(this);
    }

    KcpSession session() {
        return session;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new KcpUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop == session.socket().eventLoop();
    }

    @Override
    protected SocketAddress localAddress0() {
        return session.socket().localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return session.peer();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a kcp stream is bound by its session");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        if (open) {
            open = false;
            session.channelClosed();
        }
    }

    @Override
    protected void doBeginRead() {
        readRequested = true;
        if (engine.readable() > 0) {
            scheduleDelivery();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        boolean wrote = false;
        for (;;) {
            Object msg = in.current();
            if (msg == null) {
                break;
            }
            ByteBuf buf = (ByteBuf) msg;
            int readable = buf.readableBytes();
            if (readable == 0) {
                in.remove();
                continue;
            }
            int room = engine.sendCapacity();
            if (room == 0) {
                break;
            }
            int chunk = Math.min(Math.min(readable, room), copy.length);
            int accepted;
            if (buf.hasArray()) {
                accepted = engine.send(buf.array(), buf.arrayOffset() + buf.readerIndex(), chunk);
            } else {
                buf.getBytes(buf.readerIndex(), copy, 0, chunk);
                accepted = engine.send(copy, 0, chunk);
            }
            if (accepted > 0) {
                in.removeBytes(accepted);
                wrote = true;
            }
            if (accepted < chunk) {
                break;
            }
        }
        if (wrote) {
            session.wrote();
        }
    }

    @Override
    public int maxDatagramLength() {
        return session.maxDatagramBody();
    }

    @Override
    public boolean sendDatagram(ByteBuf body) {
        if (!open) {
            body.release();
            return false;
        }
        return session.sendDatagram(body);
    }

    @Override
    public void receiveDatagrams(Consumer<ByteBuf> sink) {
        this.datagramSink = sink;
    }

    /** A tunnel datagram arrived beside the stream; dropped unless the tunnel above takes datagrams. */
    void datagramArrived(byte[] buf, int offset, int length) {
        Consumer<ByteBuf> sink = datagramSink;
        if (open && sink != null) {
            sink.accept(alloc().heapBuffer(length).writeBytes(buf, offset, length));
        }
    }

    /** The engine has new in-order bytes. */
    void dataArrived() {
        if (readRequested || config.isAutoRead()) {
            scheduleDelivery();
        }
    }

    /** Acknowledgements freed room in the engine: move bytes waiting in the outbound buffer into it. */
    void resumeWrites() {
        ChannelOutboundBuffer out = unsafe().outboundBuffer();
        if (open && out != null && !out.isEmpty() && engine.sendCapacity() > 0) {
            ((KcpUnsafe) unsafe()).writeWaiting();
        }
    }

    private void scheduleDelivery() {
        if (!deliveryScheduled) {
            deliveryScheduled = true;
            eventLoop().execute(this::deliver);
        }
    }

    /** Hands readable bytes to the pipeline while it wants them; one read-complete per batch. */
    private void deliver() {
        deliveryScheduled = false;
        boolean delivered = false;
        while (open && engine.readable() > 0 && (readRequested || config.isAutoRead())) {
            readRequested = false;
            int n = Math.min(engine.readable(), MAX_READ);
            ByteBuf buf = alloc().heapBuffer(n);
            int got = engine.receive(buf.array(), buf.arrayOffset() + buf.writerIndex(), n);
            buf.writerIndex(buf.writerIndex() + got);
            delivered = true;
            pipeline().fireChannelRead(buf);
        }
        if (delivered) {
            pipeline().fireChannelReadComplete();
            session.consumed();
        }
    }

    private final class KcpUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a kcp stream is connected by its session"));
        }

        void writeWaiting() {
            flush0();
        }
    }
}
