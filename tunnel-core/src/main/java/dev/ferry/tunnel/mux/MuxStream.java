package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.WireFormat;
import dev.ferry.tunnel.wire.OpenStatus;
import dev.ferry.tunnel.wire.ResetReason;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * One stream of a {@link MuxSession}. All methods must be called on the session's event loop
 * ({@link MuxSession#eventLoop()}).
 *
 * <p>Flow control: the peer grants {@code sendWindow} bytes; payload beyond it waits in this stream's queue, and the
 * queue itself is bounded: {@link #isWritable()} turns false at {@link #QUEUE_HIGH} bytes so the local socket stops
 * being read. On receive, the stream grants the peer more window only as the handler reports bytes consumed, so a
 * slow reader holds at most one window of the peer's data.
 */
public final class MuxStream {
    /** Queued-to-send bytes at which the stream asks its writer to pause. */
    public static final int QUEUE_HIGH = 64 * 1024;
    /** Queued bytes at or below which a paused writer resumes. */
    public static final int QUEUE_LOW = 16 * 1024;

    private final MuxSession session;
    private final int id;
    private final Destination destination;
    private StreamHandler handler;

    private final ArrayDeque<ByteBuf> sendQueue = new ArrayDeque<>();
    private int queuedBytes;
    private long sendWindow;
    private boolean writable = true;
    private boolean finQueued;
    private boolean finSent;
    private boolean finReceived;
    private boolean closed;
    boolean scheduled;

    private final int recvWindow;
    private long recvAvailable;
    private int unacknowledged;
    /** Payload that arrived before a handler was attached (backend, while connecting). */
    private ArrayDeque<ByteBuf> early;
    private boolean earlyFin;

    private long bytesSent;
    private long bytesReceived;
    private long bytesConsumed;

    MuxStream(MuxSession session, int id, Destination destination, int sendWindow, int recvWindow,
              StreamHandler handler) {
        this.session = session;
        this.id = id;
        this.destination = destination;
        this.sendWindow = sendWindow;
        this.recvWindow = recvWindow;
        this.recvAvailable = recvWindow;
        this.handler = handler;
    }

    public int id() {
        return id;
    }

    public Destination destination() {
        return destination;
    }

    public MuxSession session() {
        return session;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public boolean isClosed() {
        return closed;
    }

    /** False while the queue is too full; the caller should stop reading until {@code onWritabilityChanged(true)}. */
    public boolean isWritable() {
        return writable;
    }

    /** Queues payload for the peer; takes ownership of {@code data}. */
    public void write(ByteBuf data) {
        if (closed || finQueued) {
            ReferenceCountUtil.release(data);
            return;
        }
        if (!data.isReadable()) {
            data.release();
            return;
        }
        sendQueue.add(data);
        queuedBytes += data.readableBytes();
        if (writable && queuedBytes >= QUEUE_HIGH) {
            writable = false;
            handler.onWritabilityChanged(false);
        }
        session.markReady(this);
    }

    /** Half-closes: FIN goes out after everything queued. */
    public void shutdownOutput() {
        if (closed || finQueued) {
            return;
        }
        finQueued = true;
        session.markReady(this);
    }

    /** Aborts the stream both ways; the peer gets RESET. Queued payload is dropped. */
    public void reset(ResetReason reason) {
        if (closed) {
            return;
        }
        session.sendControl(new Frame.Reset(id, reason));
        close();
    }

    /** Reports {@code bytes} of received payload as gone from the local buffers; grants the peer more window. */
    public void consumed(int bytes) {
        if (closed || bytes <= 0) {
            return;
        }
        bytesConsumed += bytes;
        unacknowledged += bytes;
        if (unacknowledged >= recvWindow / 4) {
            recvAvailable += unacknowledged;
            session.sendControl(new Frame.WindowUpdate(id, unacknowledged));
            unacknowledged = 0;
        }
    }

    /** Backend: the destination is connected; payload received so far is delivered to {@code h} now. */
    public void accept(StreamHandler h) {
        if (closed) {
            return;
        }
        this.handler = h;
        session.sendControl(new Frame.OpenResult(id, OpenStatus.OK));
        if (early != null) {
            ArrayDeque<ByteBuf> pending = early;
            early = null;
            for (ByteBuf b; (b = pending.poll()) != null; ) {
                h.onData(b);
            }
        }
        if (earlyFin) {
            h.onFin();
            maybeFinish();
        }
    }

    /** Backend: the destination cannot be reached; the stream ends with {@code status}. */
    public void reject(OpenStatus status) {
        if (closed) {
            return;
        }
        session.sendControl(new Frame.OpenResult(id, status));
        close();
    }

    // ---- called by the session ----

    boolean hasSendable() {
        return !closed && ((!sendQueue.isEmpty() && sendWindow > 0) || (finQueued && !finSent && sendQueue.isEmpty()));
    }

    /** Emits at most one frame of at most {@code quantum} payload bytes; returns true if a frame was written. */
    boolean sendSome(int quantum) {
        ByteBuf head = sendQueue.peek();
        if (head != null && sendWindow > 0) {
            int n = (int) Math.min(Math.min(quantum, sendWindow), head.readableBytes());
            ByteBuf payload = n == head.readableBytes() ? sendQueue.poll() : head.readRetainedSlice(n);
            queuedBytes -= n;
            sendWindow -= n;
            bytesSent += n;
            session.writeFrame(new Frame.Data(id, payload));
            if (!writable && queuedBytes <= QUEUE_LOW) {
                writable = true;
                handler.onWritabilityChanged(true);
            }
            return true;
        }
        if (head == null && finQueued && !finSent) {
            finSent = true;
            session.writeFrame(new Frame.Fin(id));
            maybeFinish();
            return true;
        }
        return false;
    }

    /** First bytes that go with OPEN: taken from the queue, within the window and the frame size. */
    ByteBuf takeFirstBytes(int max) {
        ByteBuf head = sendQueue.peek();
        if (head == null) {
            return io.netty.buffer.Unpooled.EMPTY_BUFFER;
        }
        int n = (int) Math.min(Math.min(max, sendWindow), head.readableBytes());
        ByteBuf payload = n == head.readableBytes() ? sendQueue.poll() : head.readRetainedSlice(n);
        queuedBytes -= n;
        sendWindow -= n;
        bytesSent += n;
        return payload;
    }

    /** True when FIN can go with OPEN: everything queued went into the first bytes. */
    boolean takeFinWithOpen() {
        if (finQueued && sendQueue.isEmpty()) {
            finSent = true;
            return true;
        }
        return false;
    }

    void onData(ByteBuf data) {
        int n = data.readableBytes();
        if (closed || finReceived) {
            data.release();
            if (!closed) {
                protocolError();
            }
            return;
        }
        recvAvailable -= n;
        bytesReceived += n;
        if (recvAvailable < 0) {
            data.release();
            protocolError();
            return;
        }
        if (handler == null) {
            if (early == null) {
                early = new ArrayDeque<>();
            }
            // A copy: the payload is a slice of a whole record, and a peer sending tiny frames could otherwise pin
            // far more memory than the window it is allowed while the destination connects.
            ByteBuf copy = data.alloc().buffer(n).writeBytes(data);
            data.release();
            early.add(copy);
        } else {
            handler.onData(data);
        }
    }

    void onFin() {
        if (closed || finReceived) {
            return;
        }
        finReceived = true;
        if (handler == null) {
            earlyFin = true;
            return;
        }
        handler.onFin();
        maybeFinish();
    }

    void onWindowUpdate(int increment) {
        sendWindow += increment;
        if (sendWindow > Integer.MAX_VALUE) {
            protocolError();
            return;
        }
        session.markReady(this);
    }

    void onOpenResult(OpenStatus status) {
        if (closed) {
            return;
        }
        handler.onOpenResult(status);
        if (status != OpenStatus.OK) {
            close();
        }
    }

    void onReset(ResetReason reason, boolean byPeer) {
        if (closed) {
            return;
        }
        close();
        if (handler != null) {
            handler.onReset(reason, byPeer);
        }
    }

    /**
     * Bytes this stream holds in memory: queued to send, plus received but not yet consumed (waiting for a handler,
     * or handed to the socket and not yet written out).
     */
    long bufferedBytes() {
        return queuedBytes + (bytesReceived - bytesConsumed);
    }

    int maxFirstBytes() {
        return WireFormat.maxOpenFirstBytes(destination);
    }

    private void protocolError() {
        reset(ResetReason.PROTOCOL_ERROR);
        if (handler != null) {
            handler.onReset(ResetReason.PROTOCOL_ERROR, false);
        }
    }

    private void maybeFinish() {
        if (finSent && finReceived && handler != null && early == null) {
            close();
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ByteBuf b; (b = sendQueue.poll()) != null; ) {
            b.release();
        }
        queuedBytes = 0;
        if (early != null) {
            for (ByteBuf b; (b = early.poll()) != null; ) {
                b.release();
            }
            early = null;
        }
        session.removed(this);
    }
}
