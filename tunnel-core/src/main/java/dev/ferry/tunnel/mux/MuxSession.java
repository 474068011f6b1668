package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.ControlMessage;
import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.OpenStatus;
import dev.ferry.tunnel.wire.ResetReason;
import dev.ferry.tunnel.wire.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * Many streams over one tunnel channel: the last handler of the tunnel pipeline. All state lives on the channel's
 * event loop; every public method must be called there (use {@link #eventLoop()} to get there).
 *
 * <p>Fair scheduling: streams with payload to send wait in a round-robin queue, and each turn sends one frame of
 * at most {@link #QUANTUM} bytes per stream, only while the tunnel channel is writable. A bulk transfer therefore
 * puts at most one quantum ahead of a new small request, plus what the transport already buffers (bounded by its
 * write-buffer water mark). Control frames (open, window updates, resets, pongs) skip the queue.
 */
public final class MuxSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(MuxSession.class);
    /** Largest DATA frame; one round-robin turn sends at most this much per stream. */
    public static final int QUANTUM = WireFormat.MAX_PAYLOAD;

    private final boolean client;
    private final int localWindow;
    private final int peerWindow;
    private final StreamAcceptor acceptor;
    private final SessionListener listener;
    private final IntObjectHashMap<MuxStream> streams = new IntObjectHashMap<>();
    private final ArrayDeque<MuxStream> ready = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** Next id to open (frontend); a long so running out is a plain comparison, never a wrap to negative. */
    private volatile long nextStreamId = 1;
    private int highestPeerStreamId;
    private boolean flushScheduled;
    private volatile boolean goAwaySent;
    private volatile boolean goAwayReceived;
    private volatile int peerLastStreamId = Integer.MAX_VALUE;
    /** Written on the session's loop only; read from anywhere (status). */
    private volatile long payloadSent;
    private volatile long payloadReceived;
    private volatile boolean closed;

    /** Highest stream id a frontend opens on one tunnel; after it the tunnel takes no new streams. */
    static final long MAX_STREAM_ID = Integer.MAX_VALUE;
    /** Streams one tunnel may have open at once on the backend; an OPEN beyond it is answered FAILED. */
    public static final int DEFAULT_MAX_STREAMS = 8192;

    private final int maxStreams;
    /** UDP flows opened here (frontend) or by the peer's datagrams (backend, once {@link #acceptFlows} is called). */
    private FlowTable flows = new FlowTable(this, null, DEFAULT_MAX_FLOWS);

    /** UDP flows one tunnel may have at once on either end. */
    public static final int DEFAULT_MAX_FLOWS = 4096;

    private MuxSession(boolean client, int localWindow, int peerWindow, StreamAcceptor acceptor,
                       SessionListener listener, int maxStreams) {
        this.client = client;
        this.localWindow = localWindow;
        this.peerWindow = peerWindow;
        this.acceptor = acceptor;
        this.listener = listener;
        this.maxStreams = maxStreams;
    }

    /** The frontend's side: opens streams. */
    public static MuxSession client(int localWindow, int peerWindow, SessionListener listener) {
        return new MuxSession(true, localWindow, peerWindow, null, listener, Integer.MAX_VALUE);
    }

    /** The backend's side: accepts streams through {@code acceptor}. */
    public static MuxSession server(int localWindow, int peerWindow, StreamAcceptor acceptor,
                                    SessionListener listener) {
        return server(localWindow, peerWindow, acceptor, listener, DEFAULT_MAX_STREAMS);
    }

    /** The backend's side with a cap on streams open at once (memory: each may hold a window of early data). */
    public static MuxSession server(int localWindow, int peerWindow, StreamAcceptor acceptor,
                                    SessionListener listener, int maxStreams) {
        return new MuxSession(false, localWindow, peerWindow, acceptor, listener, maxStreams);
    }

    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    public Channel channel() {
        return ctx.channel();
    }

    /** Open streams right now. */
    public int streamCount() {
        return streams.size();
    }

    /** True while new streams may be opened here (not closed, no go-away either way). */
    public boolean isClosed() {
        return closed;
    }

    /** Whether the peer said GO_AWAY: it takes no stream above {@link #peerLastStreamId()}. */
    public boolean goAwayReceived() {
        return goAwayReceived;
    }

    /** The last stream id the peer's GO_AWAY said it accepted (valid once {@link #goAwayReceived()}). */
    public int peerLastStreamId() {
        return peerLastStreamId;
    }

    public boolean acceptsNewStreams() {
        return !closed && !goAwayReceived && !goAwaySent && nextStreamId <= MAX_STREAM_ID;
    }

    /** Bytes held by all streams: queued to send plus received-but-undelivered. */
    public long bufferedBytes() {
        long b = 0;
        for (MuxStream s : streams.values()) {
            b += s.bufferedBytes();
        }
        return b;
    }

    /**
     * Frontend: opens a stream to {@code destination}. {@code firstBytes} (may be empty; ownership taken) goes in
     * the OPEN frame as far as it fits, the rest follows as DATA without waiting for the answer.
     *
     * @return the stream, or null when this session takes no new streams (the caller picks another tunnel)
     */
    public MuxStream open(Destination destination, ByteBuf firstBytes, boolean fin, StreamHandler handler) {
        if (!client || !acceptsNewStreams()) {
            firstBytes.release();
            return null;
        }
        int id = (int) nextStreamId;
        nextStreamId += 2;
        MuxStream s = new MuxStream(this, id, destination, peerWindow, localWindow, handler);
        streams.put(id, s);
        listener.onStreamOpened(this, s);
        if (firstBytes.isReadable()) {
            s.write(firstBytes);
        } else {
            firstBytes.release();
        }
        if (fin) {
            s.shutdownOutput();
        }
        ByteBuf first = s.takeFirstBytes(s.maxFirstBytes());
        boolean finWithOpen = s.takeFinWithOpen();
        writeFrame(new Frame.Open(id, destination, first, finWithOpen));
        if (s.hasSendable()) {
            markReady(s);
        }
        scheduleFlush();
        return s;
    }

    /**
     * Frontend: opens a UDP flow whose datagrams arrive at {@code receiver}.
     *
     * @return the flow, or null when the tunnel is closed or has as many flows as it may
     */
    public DatagramFlow openFlow(DatagramReceiver receiver) {
        if (!client || closed) {
            return null;
        }
        return flows.open(receiver);
    }

    /**
     * Backend: datagrams of flow ids not seen before go to {@code acceptor}, at most {@code maxFlows} flows at once.
     * Call before the session is installed in its pipeline.
     */
    public void acceptFlows(FlowAcceptor acceptor, int maxFlows) {
        if (client) {
            throw new IllegalStateException("the frontend opens flows; it does not accept them");
        }
        this.flows = new FlowTable(this, acceptor, maxFlows);
    }

    /** UDP flows open right now. */
    public int flowCount() {
        return flows.size();
    }

    /** Datagrams dropped on arrival because they belonged to no flow that could be had. */
    public long datagramsForNoFlow() {
        return flows.dropped();
    }

    /** The peer's address, for logs. */
    java.net.SocketAddress remoteAddress() {
        return ctx == null ? null : ctx.channel().remoteAddress();
    }

    /** Tests only: continue as if the ids below {@code next} had been used. */
    void useStreamIdsUpTo(long next) {
        nextStreamId = next;
    }

    /** Tells the peer to open no new streams here; streams already open go on. */
    public void goAway() {
        if (closed || goAwaySent) {
            return;
        }
        goAwaySent = true;
        sendControl(new Frame.Control(new ControlMessage.GoAway(highestPeerStreamId)));
    }

    /** Sends a control-plane message (load report). */
    public void sendControl(ControlMessage message) {
        sendControl(new Frame.Control(message));
    }

    /** Closes the tunnel; every stream is reset locally. */
    public void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        payloadReceived += payloadLength(frame);
        switch (frame) {
            case Frame.Data d -> {
                MuxStream s = streams.get(d.streamId());
                if (s == null) {
                    d.payload().release();
                    unknownStream(d.streamId());
                } else {
                    s.onData(d.payload());
                }
            }
            case Frame.Open o -> onOpen(o);
            case Frame.OpenResult r -> {
                MuxStream s = client ? streams.get(r.streamId()) : null;
                if (s != null) {
                    s.onOpenResult(r.status());
                }
            }
            case Frame.Fin f -> {
                MuxStream s = streams.get(f.streamId());
                if (s != null) {
                    s.onFin();
                }
            }
            case Frame.Reset r -> {
                MuxStream s = streams.get(r.streamId());
                if (s != null) {
                    s.onReset(r.reason(), true);
                }
            }
            case Frame.WindowUpdate w -> {
                MuxStream s = streams.get(w.streamId());
                if (s != null) {
                    s.onWindowUpdate(w.increment());
                }
            }
            case Frame.Control c -> {
                if (c.message() instanceof ControlMessage.GoAway g) {
                    peerLastStreamId = g.lastStreamId();
                    goAwayReceived = true;
                }
                listener.onControl(this, c.message());
            }
            case Frame.Datagram d -> flows.onDatagram(d);
            case Frame.Ping p -> { }
            case Frame.Pong p -> { }
        }
    }

    private void onOpen(Frame.Open o) {
        int id = o.streamId();
        if (client || (id & 1) == 0 || id <= highestPeerStreamId) {
            o.firstBytes().release();
            throw new dev.ferry.tunnel.wire.ProtocolException("OPEN with stream id " + id
                    + (client ? " sent to a frontend" : " not odd and increasing"));
        }
        highestPeerStreamId = id;
        MuxStream s = new MuxStream(this, id, o.destination(), peerWindow, localWindow, null);
        if (goAwaySent || closed || streams.size() >= maxStreams) {
            if (streams.size() >= maxStreams) {
                LOG.warn("tunnel {}: refusing stream {}: {} streams already open", ctx.channel().remoteAddress(), id,
                        maxStreams);
            }
            o.firstBytes().release();
            sendControl(new Frame.OpenResult(id, OpenStatus.FAILED));
            return;
        }
        streams.put(id, s);
        listener.onStreamOpened(this, s);
        if (o.firstBytes().isReadable()) {
            s.onData(o.firstBytes());
        } else {
            o.firstBytes().release();
        }
        if (o.fin()) {
            s.onFin();
        }
        acceptor.onOpen(s);
    }

    private void unknownStream(int id) {
        // Frames for a stream that ended recently are normal (they crossed our RESET or close); frames for a
        // stream the peer never opened are not.
        boolean peerOpened = client ? id > 0 && (id & 1) == 1 && id < nextStreamId : id <= highestPeerStreamId;
        if (!peerOpened) {
            throw new dev.ferry.tunnel.wire.ProtocolException("DATA for stream " + id + " that was never opened");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            ctx.close(); // the peer closed the tunnel: nothing more can arrive on any stream
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        var all = new ArrayList<>(streams.values());
        for (MuxStream s : all) {
            s.onReset(ResetReason.SHUTDOWN, false);
        }
        ready.clear();
        flows.closeAll();
        listener.onClosed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (root instanceof java.io.IOException) {
            LOG.info("tunnel {} closed: {}", ctx.channel().remoteAddress(), root.getMessage());
        } else if (root instanceof dev.ferry.tunnel.wire.ProtocolException) {
            LOG.warn("tunnel {} closed: protocol error: {}", ctx.channel().remoteAddress(), root.getMessage());
        } else {
            LOG.warn("tunnel {} closed: {}", ctx.channel().remoteAddress(), root.toString(), root);
        }
        ctx.close();
    }

    // ---- used by MuxStream ----

    void markReady(MuxStream s) {
        if (!s.scheduled && s.hasSendable()) {
            s.scheduled = true;
            ready.add(s);
            scheduleFlush();
        }
    }

    void writeFrame(Frame f) {
        if (closed) {
            releasePayload(f);
            return;
        }
        payloadSent += payloadLength(f);
        ctx.write(f, ctx.voidPromise());
    }

    /** Payload bytes (stream data, first bytes, datagrams) written to this tunnel so far. */
    public long payloadSent() {
        return payloadSent;
    }

    /** Payload bytes (stream data, first bytes, datagrams) read from this tunnel so far. */
    public long payloadReceived() {
        return payloadReceived;
    }

    private static int payloadLength(Frame f) {
        return switch (f) {
            case Frame.Data d -> d.payload().readableBytes();
            case Frame.Open o -> o.firstBytes().readableBytes();
            case Frame.Datagram d -> d.payload().readableBytes();
            default -> 0;
        };
    }

    /** Writes a datagram unless the tunnel is closed or not writable; see {@link DatagramFlow#send}. */
    boolean writeDatagram(Frame.Datagram d) {
        if (closed || ctx == null || !ctx.channel().isWritable()) {
            d.payload().release();
            return false;
        }
        payloadSent += d.payload().readableBytes();
        ctx.write(d, ctx.voidPromise());
        scheduleFlush();
        return true;
    }

    void sendControl(Frame f) {
        writeFrame(f);
        scheduleFlush();
    }

    void removed(MuxStream s) {
        if (streams.remove(s.id()) != null) {
            listener.onStreamClosed(this, s);
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled && ctx != null) {
            flushScheduled = true;
            ctx.executor().execute(this::drain);
        }
    }

    /** One scheduling pass: round-robin over ready streams while the channel is writable, then one flush. */
    private void drain() {
        flushScheduled = false;
        if (closed) {
            return;
        }
        Channel ch = ctx.channel();
        while (!ready.isEmpty() && ch.isWritable()) {
            MuxStream s = ready.poll();
            s.scheduled = false;
            s.sendSome(QUANTUM);
            if (s.hasSendable()) {
                s.scheduled = true;
                ready.add(s);
            }
        }
        ctx.flush();
    }

    private static void releasePayload(Frame f) {
        if (f instanceof Frame.Data d) {
            d.payload().release();
        } else if (f instanceof Frame.Open o) {
            o.firstBytes().release();
        } else if (f instanceof Frame.Datagram d) {
            d.payload().release();
        }
    }
}
