package dev.ferry.transport.kcp.engine;

import java.util.Objects;

/**
 * A KCP ARQ endpoint in stream mode, speaking the segment format of the C original ({@link KcpWire}).
 *
 * <p>Threading and time: not thread-safe; one thread owns an engine and calls every method. The engine has no clock
 * and no timer: the owner passes {@code nowMillis} (any monotonic millisecond clock, the same one on every call) and
 * calls {@link #update} at or after {@link #nextUpdate}. Packets leave synchronously through {@link KcpOutput}
 * during {@code input}, {@code flush} and {@code update}; the output must not call back into this engine.
 *
 * <p>Memory: bounded by the windows. At most 2 x sendWindow segments wait to be sent or acked and at most
 * 2 x receiveWindow segments are buffered on receive; segments are pooled, so steady traffic allocates nothing.
 *
 * <p>Hostile input: {@link #input} validates a whole packet before it touches any state, never throws on content,
 * drops segments outside the receive window and ignores acks and una outside what is in flight.
 */
public final class KcpEngine {
    /** What we assume the peer's window is before it tells us (the C original's default receive window). */
    static final int INITIAL_REMOTE_WINDOW = 128;
    private static final int ACK_LIST_CAPACITY = 256;
    /** How long an idle engine lets its owner sleep (see {@link #nextUpdate}). */
    public static final long IDLE_WAIT_MILLIS = 1000;

    private final int conv;
    private final KcpConfig config;
    private final KcpCounters counters = new KcpCounters();
    private final RttEstimator rtt;
    private final CongestionControl congestion;
    private final PacketWriter writer;
    private final SendBuffer sender;
    private final ReceiveBuffer receiver;
    private final AckList acks = new AckList(ACK_LIST_CAPACITY);
    private final WindowProbe probe = new WindowProbe();

    private int remoteWindow = INITIAL_REMOTE_WINDOW;
    /** A WINS is owed: the peer asked (WASK), or our window reopened from zero. */
    private boolean tellWindow;
    private boolean started;
    private long nextTick;
    private boolean busy;

    /** An engine whose congestion control follows {@link KcpConfig#congestionControl()}. */
    public KcpEngine(int conv, KcpConfig config, KcpOutput output) {
        this(conv, config, output, config.congestionControl()
                ? new ClassicCongestionWindow(config.fastResend()) : CongestionControl.NONE);
    }

    /** An engine with a given controller, which replaces the one {@link KcpConfig#congestionControl()} selects. */
    public KcpEngine(int conv, KcpConfig config, KcpOutput output, CongestionControl congestion) {
        this.conv = conv;
        this.config = Objects.requireNonNull(config, "config");
        this.congestion = Objects.requireNonNull(congestion, "congestion");
        this.rtt = new RttEstimator(config.nodelay(), config.intervalMillis());
        this.writer = new PacketWriter(conv, config.mtu(), Objects.requireNonNull(output, "output"), counters);
        SegmentPool pool = new SegmentPool(config.mss(), 2 * config.sendWindow() + 2 * config.receiveWindow());
        this.sender = new SendBuffer(config, pool, rtt, congestion, counters);
        this.receiver = new ReceiveBuffer(config.receiveWindow(), pool);
    }

    /**
     * Queues bytes of the reliable stream, packed into full-mss segments. Returns how many bytes were taken: fewer
     * than {@code len} (possibly 0) when 2 x sendWindow segments already wait. Never blocks; call {@link #flush} to
     * send at once.
     */
    public int send(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        enter();
        try {
            return sender.write(src, off, len);
        } finally {
            busy = false;
        }
    }

    /**
     * Takes one received packet of one or more segments. Returns false, counting it, and changing nothing else, when
     * the packet is malformed: a truncated header, a length past the end or above the mss, another conv, an unknown
     * cmd, or payload on a control segment. With {@link KcpConfig#immediateAcks()} the acks (and a window tell) it
     * causes are sent before returning; new data waits for {@link #flush} or {@link #update}.
     */
    public boolean input(byte[] packet, int off, int len, long nowMillis) {
        Objects.checkFromIndexSize(off, len, packet.length);
        enter();
        try {
            if (!wellFormed(packet, off, len)) {
                counters.malformedPackets++;
                return false;
            }
            counters.packetsReceived++;
            process(packet, off, off + len, nowMillis);
            if (config.immediateAcks() && (!acks.isEmpty() || tellWindow)) {
                flushControl(nowMillis);
            }
            return true;
        } finally {
            busy = false;
        }
    }

    /** In-order bytes ready for {@link #receive}. */
    public int readable() {
        return receiver.readableBytes();
    }

    /**
     * Copies up to {@code len} in-order bytes out; returns the count, 0 if none. If this reopens a window we had
     * advertised as zero, a WINS goes out on the next flush (call {@link #flush} after draining).
     */
    public int receive(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        enter();
        try {
            boolean wasClosed = receiver.freeWindow() == 0;
            int n = receiver.read(dst, off, len);
            if (wasClosed && receiver.freeWindow() > 0) {
                tellWindow = true;
            }
            return n;
        } finally {
            busy = false;
        }
    }

    /** Runs the timers (RTO expiries, window probe, the interval tick) and sends whatever is due. */
    public void update(long nowMillis) {
        enter();
        try {
            if (!started) {
                started = true;
                nextTick = nowMillis;
            }
            if (nowMillis >= nextTick) {
                nextTick += config.intervalMillis();
                if (nowMillis >= nextTick) {
                    nextTick = nowMillis + config.intervalMillis();
                }
            }
            flushAll(nowMillis);
        } finally {
            busy = false;
        }
    }

    /** Sends now whatever can go: acks, window probe or tell, due retransmissions, new segments within the windows. */
    public void flush(long nowMillis) {
        enter();
        try {
            if (!started) {
                started = true;
                nextTick = nowMillis + config.intervalMillis();
            }
            flushAll(nowMillis);
        } finally {
            busy = false;
        }
    }

    /**
     * The earliest time {@link #update} has work, never earlier than {@code nowMillis}: now if something is ready to
     * go, else the earliest of the next RTO expiry, the window probe and the next interval tick. An idle engine
     * (nothing queued or in flight, nothing owed) has no timer work, so it asks for {@link #IDLE_WAIT_MILLIS} later
     * instead of every tick; whatever ends the idleness (send, input, receive) is an owner call, after which the
     * owner flushes and asks again.
     */
    public long nextUpdate(long nowMillis) {
        if (!started || tellWindow || (config.immediateAcks() && !acks.isEmpty())
                || sender.canSendNew(sendLimit())) {
            return nowMillis;
        }
        if (sender.waiting() == 0 && acks.isEmpty()) {
            return nowMillis + Math.max(IDLE_WAIT_MILLIS, config.intervalMillis());
        }
        long at = Math.min(nextTick, sender.nextRetransmitAt(nowMillis));
        if (probe.active() && remoteWindow == 0) {
            at = Math.min(at, probe.probeAt());
        }
        return Math.max(at, nowMillis);
    }

    /** Segments queued plus in flight and not yet acknowledged. */
    public int waitingSegments() {
        return sender.waiting();
    }

    /** Bytes {@link #send} would accept now. */
    public int sendCapacity() {
        return sender.capacity();
    }

    /** True once some segment was sent deadLinkTransmissions times without an ack; stays true. */
    public boolean isDead() {
        return sender.isDead();
    }

    public int conv() {
        return conv;
    }

    public KcpConfig config() {
        return config;
    }

    public KcpStats stats() {
        KcpCounters c = counters;
        int cwnd = Math.min(congestion.window(), config.sendWindow());
        return new KcpStats(c.packetsSent, c.packetsReceived, c.segmentsSent, c.retransmits, c.fastRetransmits,
                c.acksSent, c.malformedPackets, c.bytesSent, c.bytesReceived, rtt.srtt(), rtt.rttVar(), rtt.rto(),
                cwnd);
    }

    private void enter() {
        if (busy) {
            throw new IllegalStateException("KcpEngine re-entered (from KcpOutput?); it is not re-entrant");
        }
        busy = true;
    }

    private int sendLimit() {
        return Math.min(Math.min(config.sendWindow(), remoteWindow), congestion.window());
    }

    /** Checks every segment header and length before anything is processed. */
    private boolean wellFormed(byte[] p, int off, int len) {
        int end = off + len;
        int pos = off;
        int mss = config.mss();
        if (len < KcpWire.HEADER_BYTES) {
            return false;
        }
        while (pos < end) {
            if (end - pos < KcpWire.HEADER_BYTES || KcpWire.readInt(p, pos + KcpWire.OFF_CONV) != conv) {
                return false;
            }
            int cmd = KcpWire.readU8(p, pos + KcpWire.OFF_CMD);
            int segLen = KcpWire.readInt(p, pos + KcpWire.OFF_LEN);
            if (cmd < KcpWire.CMD_PUSH || cmd > KcpWire.CMD_WINS || segLen < 0 || segLen > mss
                    || (cmd != KcpWire.CMD_PUSH && segLen != 0)
                    || segLen > end - pos - KcpWire.HEADER_BYTES) {
                return false;
            }
            pos += KcpWire.HEADER_BYTES + segLen;
        }
        return true;
    }

    /** Applies a validated packet: windows, una, acks, data, probes; then fast-retransmit skips and congestion. */
    private void process(byte[] p, int pos, int end, long now) {
        int unaAtStart = sender.una();
        int acked = 0;
        boolean ackSeen = false;
        int maxAckSn = 0;
        int maxAckTs = 0;
        while (pos < end) {
            int cmd = KcpWire.readU8(p, pos + KcpWire.OFF_CMD);
            int ts = KcpWire.readInt(p, pos + KcpWire.OFF_TS);
            int sn = KcpWire.readInt(p, pos + KcpWire.OFF_SN);
            int segLen = KcpWire.readInt(p, pos + KcpWire.OFF_LEN);
            remoteWindow = KcpWire.readU16(p, pos + KcpWire.OFF_WND);
            acked += sender.acknowledgeBelow(KcpWire.readInt(p, pos + KcpWire.OFF_UNA));
            switch (cmd) {
                case KcpWire.CMD_ACK -> {
                    // Only sns outstanding when the packet arrived count: older ones are stale duplicates, later
                    // ones were never sent. Compare with the una at arrival, because the una field of this very
                    // header usually covers the sn already, and its echoed ts is still a good RTT sample.
                    if (sn - unaAtStart >= 0 && sn - sender.next() < 0) {
                        int sample = (int) now - ts;
                        if (sample >= 0) {
                            rtt.sample(sample);
                            congestion.onRttSample(sample, now);
                        }
                        if (sender.acknowledge(sn)) {
                            acked++;
                        }
                        if (!ackSeen || sn - maxAckSn > 0) {
                            ackSeen = true;
                            maxAckSn = sn;
                            maxAckTs = ts;
                        }
                    }
                }
                case KcpWire.CMD_PUSH -> {
                    if (receiver.acks(sn)) {
                        if (acks.isFull()) {
                            flushControl(now);
                        }
                        acks.add(sn, ts);
                        if (receiver.accept(sn, p, pos + KcpWire.HEADER_BYTES, segLen)) {
                            counters.bytesReceived += segLen;
                        }
                    }
                }
                case KcpWire.CMD_WASK -> tellWindow = true;
                default -> {
                    // WINS: its only news is the wnd field, already taken above.
                }
            }
            pos += KcpWire.HEADER_BYTES + segLen;
        }
        if (ackSeen) {
            sender.countSkips(maxAckSn, maxAckTs);
        }
        if (acked > 0) {
            congestion.onAcked(acked, remoteWindow, now);
        }
    }

    /** Acks owed and a window tell, without data: what input() sends at once. */
    private void flushControl(long now) {
        writer.begin(receiver.freeWindow(), receiver.next());
        writeControl(now);
        writer.finish();
    }

    private void flushAll(long now) {
        writer.begin(receiver.freeWindow(), receiver.next());
        writeControl(now);
        if (remoteWindow == 0 && sender.hasQueued()) {
            if (probe.due(now)) {
                writer.control(KcpWire.CMD_WASK, (int) now, 0);
            }
        } else {
            probe.stop();
        }
        sender.retransmit(now, writer);
        sender.sendNew(now, writer, sendLimit());
        writer.finish();
    }

    private void writeControl(long now) {
        for (int i = 0; i < acks.size(); i++) {
            writer.control(KcpWire.CMD_ACK, acks.ts(i), acks.sn(i));
        }
        counters.acksSent += acks.size();
        acks.clear();
        if (tellWindow) {
            tellWindow = false;
            writer.control(KcpWire.CMD_WINS, (int) now, 0);
        }
    }
}
