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
 * <p>Pacing: with a {@link PacedCongestionControl} (see {@link Congestion}) PUSH segments, retransmissions included,
 * leave no faster than its rate; {@link #nextUpdate} then names the millisecond the next one may go, so an owner that
 * sleeps until then keeps the pace. Acks and window segments are never paced (acks may wait a few milliseconds for
 * company, see {@link KcpConfig#ackDelayMillis}).
 *
 * <p>Hostile input: {@link #input} validates a whole packet before it touches any state, never throws on content,
 * drops segments outside the receive window and ignores acks and una outside what is in flight.
 */
public final class KcpEngine {
    /** What we assume the peer's window is before it tells us (the C original's default receive window). */
    static final int INITIAL_REMOTE_WINDOW = 128;
    private static final int ACK_LIST_CAPACITY = 256;
    /**
     * With {@link KcpConfig#ackDelayMillis}, a flush holds back fewer acks than this when it would send nothing else.
     * Four: at full speed the next segments arrive within a millisecond or two, and an ack-only packet of four acks
     * costs the same headers as one of one.
     */
    public static final int ACKS_PER_PACKET = 4;
    /**
     * Most acks (repeats included) one packet carries: a batch of reads may owe dozens, and in one packet a single
     * loss would take every ack of a flight, leaving the sender nothing but its retransmission timeout.
     */
    static final int MAX_ACKS_PER_PACKET = 2 * ACKS_PER_PACKET;
    /** Milliseconds of the pacing rate {@link #sendCapacity} lets wait unsent: enough to bridge refills. */
    static final int UNSENT_MILLIS = 20;
    /** Unsent segments {@link #sendCapacity} always allows, whatever the rate. */
    static final int MIN_UNSENT_SEGMENTS = 32;
    /** How long an idle engine lets its owner sleep (see {@link #nextUpdate}). */
    public static final long IDLE_WAIT_MILLIS = 1000;

    private final int conv;
    /** Final but for {@link #declareRate}, which switches the controller and says so here. */
    private KcpConfig config;
    private final KcpCounters counters = new KcpCounters();
    private final RttEstimator rtt;
    private CongestionControl congestion;
    private final PacketWriter writer;
    private final SendBuffer sender;
    private final ReceiveBuffer receiver;
    private final AckList acks = new AckList(ACK_LIST_CAPACITY);
    /** Acks of the last flush that lay above a hole in what we received, to be sent once more (see writeControl). */
    private final AckList repeats = new AckList(ACK_LIST_CAPACITY);
    /** The acks of the packet being processed that were news, each to count as a skip (see process). */
    private final AckList newsAcks = new AckList(ACK_LIST_CAPACITY);
    private final WindowProbe probe = new WindowProbe();
    /** The congestion controller as a paced one, or null when it does not pace. */
    private PacedCongestionControl paced;
    private final Pacer pacer;
    private final RateSample rateSample = new RateSample();

    private int remoteWindow = INITIAL_REMOTE_WINDOW;
    /** A WINS is owed: the peer asked (WASK), or our window reopened from zero. */
    private boolean tellWindow;
    private boolean started;
    private long nextTick;
    /** When the oldest ack owed was added; meaningful while {@link #acks} is not empty. */
    private long acksOwedSince;
    /** A segment shorter than the mss is among those owed an ack: the acks go with the next flush, never held. */
    private boolean acksUrgent;
    private boolean busy;

    /** An engine whose congestion control is what {@link KcpConfig#congestion()} selects. */
    public KcpEngine(int conv, KcpConfig config, KcpOutput output) {
        this(conv, config, output, config.congestion().create(config, conv));
    }

    /**
     * An engine with a given controller, which replaces the one {@link KcpConfig#congestion()} selects; one that
     * implements {@link PacedCongestionControl} is paced.
     */
    public KcpEngine(int conv, KcpConfig config, KcpOutput output, CongestionControl congestion) {
        this.conv = conv;
        this.config = Objects.requireNonNull(config, "config");
        this.congestion = Objects.requireNonNull(congestion, "congestion");
        this.paced = congestion instanceof PacedCongestionControl p ? p : null;
        this.pacer = new Pacer(config.mtu());
        // Any sender with a congestion controller gets the patient timeouts (see RttEstimator): a spurious timeout
        // would also collapse its window. OFF keeps kcptun's exact timers.
        this.rtt = new RttEstimator(config.nodelay(), config.intervalMillis(), congestion != CongestionControl.NONE);
        this.writer = new PacketWriter(conv, config.mtu(), config.duplicateBelow(), Objects.requireNonNull(output, "output"), counters);
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

    /**
     * Switches to {@link Congestion#DECLARED} at {@code bytesPerSecond} wire bytes per second, at any time, segments in
     * flight or not; from the next flush on the engine is what one built with {@link KcpConfig#withDeclaredRate} from
     * the start would be after the same traffic: paced at that rate, in flight limited by the declared controller's
     * window (whose round-trip estimate starts from the engine's own), {@link #config()} saying DECLARED, and the
     * patient timeouts of a congestion-controlled sender (see {@link RttEstimator#becomePatient}). Segments already
     * in flight keep the RTO they were sent with (a patient first transmission waits out the current one anyway);
     * the pacer's budget carries over, so at most one burst allowance leaves at once.
     *
     * @return false, changing nothing, when the engine already sends at exactly this declared rate
     * @throws IllegalArgumentException when the rate is not in [1, {@link KcpConfig#MAX_DECLARED_BYTES_PER_SECOND}]
     */
    public boolean declareRate(long bytesPerSecond) {
        enter();
        try {
            if (config.congestion() == Congestion.DECLARED && paced instanceof DeclaredRateController
                    && paced.pacingRate() == bytesPerSecond) {
                return false;
            }
            KcpConfig declared = config.withDeclaredRate(bytesPerSecond);
            DeclaredRateController controller = new DeclaredRateController(bytesPerSecond, config.mtu(), rtt.srtt());
            config = declared;
            congestion = controller;
            paced = controller;
            rtt.becomePatient();
            sender.congestion(controller);
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
     * go (and the pacer, if any, lets a ready PUSH go now), else the earliest of the pacer's next slot for a ready
     * PUSH, the next RTO expiry, the window probe and the next interval tick. An idle engine
     * (nothing queued or in flight, nothing owed) has no timer work, so it asks for {@link #IDLE_WAIT_MILLIS} later
     * instead of every tick; whatever ends the idleness (send, input, receive) is an owner call, after which the
     * owner flushes and asks again.
     */
    public long nextUpdate(long nowMillis) {
        if (!started || tellWindow || (config.immediateAcks() && !acks.isEmpty())) {
            return nowMillis;
        }
        long dataAt = sender.nextRetransmitAt(nowMillis);
        if (dataAt <= nowMillis || sender.canSendNew(spanLimit(), inFlightLimit())) {
            // A PUSH is ready; the pacer says when it may go.
            dataAt = pacer.nextSendAt(nowMillis, pacingRate());
            if (dataAt <= nowMillis) {
                return nowMillis;
            }
        }
        if (sender.waiting() == 0 && acks.isEmpty()) {
            return nowMillis + Math.max(IDLE_WAIT_MILLIS, config.intervalMillis());
        }
        long at = Math.min(nextTick, dataAt);
        if (!acks.isEmpty() && config.ackDelayMillis() > 0) {
            at = Math.min(at, acksUrgent ? nowMillis : acksOwedSince + config.ackDelayMillis());
        }
        if (probe.active() && remoteWindow == 0) {
            at = Math.min(at, probe.probeAt());
        }
        return Math.max(at, nowMillis);
    }

    /** Segments queued plus in flight and not yet acknowledged. */
    public int waitingSegments() {
        return sender.waiting();
    }

    /**
     * Bytes worth queueing now: what {@link #send} would accept, except that under a paced controller no more than
     * {@value #UNSENT_MILLIS} ms of its rate (at least {@value #MIN_UNSENT_SEGMENTS} segments) should wait unsent.
     * Segments leave in the order they were queued, so a deeper backlog only makes whatever is queued next (another
     * stream's bytes, a keystroke) wait behind it: 2 x sendWindow segments are seconds at a bottleneck's rate.
     * {@link #send} itself takes up to that hard limit.
     */
    public int sendCapacity() {
        return sender.capacity(unsentLimit());
    }

    private int unsentLimit() {
        if (paced == null) {
            return Integer.MAX_VALUE;
        }
        long segments = pacingRate() * UNSENT_MILLIS / 1000 / config.mtu();
        return (int) Math.clamp(segments, MIN_UNSENT_SEGMENTS, Integer.MAX_VALUE);
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
                cwnd, c.duplicatedPackets, pacingRate());
    }

    private void enter() {
        if (busy) {
            throw new IllegalStateException("KcpEngine re-entered (from KcpOutput?); it is not re-entrant");
        }
        busy = true;
    }

    /** How far past una new sns may go: the send and remote windows, and a classic congestion window. */
    private int spanLimit() {
        int windows = Math.min(config.sendWindow(), remoteWindow);
        return paced != null ? windows : Math.min(windows, congestion.window());
    }

    /** Segments a paced controller lets be unacknowledged at once; no limit of this kind for the others. */
    private int inFlightLimit() {
        return paced != null ? congestion.window() : Integer.MAX_VALUE;
    }

    private long pacingRate() {
        return paced != null ? paced.pacingRate() : 0;
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
        while (pos < end) {
            int cmd = KcpWire.readU8(p, pos + KcpWire.OFF_CMD);
            int ts = KcpWire.readInt(p, pos + KcpWire.OFF_TS);
            int sn = KcpWire.readInt(p, pos + KcpWire.OFF_SN);
            int segLen = KcpWire.readInt(p, pos + KcpWire.OFF_LEN);
            remoteWindow = KcpWire.readU16(p, pos + KcpWire.OFF_WND);
            switch (cmd) {
                case KcpWire.CMD_ACK -> {
                    // The selective ack goes before its header's una, so that it finds its segment still in flight
                    // (and the echoed ts tells which transmission arrived). An ack is news if it removes a segment
                    // now, or if its segment was outstanding when the packet arrived and an earlier header of this
                    // packet took it by una. Any other is stale: a duplicate, a peer's repeat of an ack we already
                    // had, or an sn never sent; its ts would be an inflated RTT sample and its sn a second skip.
                    boolean removed = sender.acknowledge(sn, ts, now);
                    if (removed) {
                        acked++;
                    }
                    if (removed || (sn - unaAtStart >= 0 && sn - sender.una() < 0)) {
                        int sample = (int) now - ts;
                        if (sample >= 0) {
                            rtt.sample(sample);
                            congestion.onRttSample(sample, now);
                        }
                        if (newsAcks.isFull()) {
                            countSkips();
                        }
                        newsAcks.add(sn, ts);
                    }
                }
                case KcpWire.CMD_PUSH -> {
                    if (receiver.acks(sn)) {
                        if (acks.isFull()) {
                            flushControl(now);
                        }
                        if (acks.isEmpty()) {
                            acksOwedSince = now;
                        }
                        acks.add(sn, ts);
                        acksUrgent |= segLen < config.mss();
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
            acked += sender.acknowledgeBelow(KcpWire.readInt(p, pos + KcpWire.OFF_UNA), now);
            pos += KcpWire.HEADER_BYTES + segLen;
        }
        countSkips();
        if (acked > 0) {
            congestion.onAcked(acked, remoteWindow, now);
        }
        DeliveryRateSampler sampler = sender.sampler();
        if (sampler.hasDelivery()) {
            sampler.finish(now, sender.inFlight(), sender.inFlightBytes(), rateSample);
            if (paced != null) {
                paced.onRateSample(rateSample, now);
            }
        }
    }

    /**
     * Every news ack skips over the segments sent before it that are still unacked, once each, whether the peer sent
     * its acks one to a packet or several together (see {@link KcpConfig#ackDelayMillis}).
     */
    private void countSkips() {
        for (int i = 0; i < newsAcks.size(); i++) {
            sender.countSkips(newsAcks.sn(i), newsAcks.ts(i));
        }
        newsAcks.clear();
    }

    /** Acks owed and a window tell, without data: what input() sends at once. */
    private void flushControl(long now) {
        writer.begin(receiver.freeWindow(), receiver.next());
        writeControl(now);
        writer.finish();
    }

    private void flushAll(long now) {
        boolean holdAcks = holdsAcks(now);
        writer.begin(receiver.freeWindow(), receiver.next());
        if (!holdAcks) {
            writeControl(now);
        }
        if (remoteWindow == 0 && sender.hasQueued()) {
            if (probe.due(now)) {
                writer.control(KcpWire.CMD_WASK, (int) now, 0);
            }
        } else {
            probe.stop();
        }
        pacer.refill(now, pacingRate());
        sender.retransmit(now, writer, pacer);
        int spanLimit = spanLimit();
        int inFlightLimit = inFlightLimit();
        sender.sendNew(now, writer, spanLimit, inFlightLimit, pacer);
        if (sender.inFlight() < inFlightLimit && !sender.canSendNew(spanLimit, Integer.MAX_VALUE)) {
            // Nothing queued, or held by the send or remote window: rates measured now are not the path's.
            sender.sampler().markAppLimited(sender.inFlightBytes());
        }
        if (holdAcks && writer.wroteSince()) {
            writeControl(now); // a packet leaves anyway: the acks ride along
        }
        writer.finish();
    }

    /**
     * Whether this flush may keep its acks for later (see {@link KcpConfig#ackDelayMillis}): fewer than
     * {@link #ACKS_PER_PACKET} owed, the oldest for less than the delay, every one of a full-mss segment, and no window
     * tell due. Holes do not matter: the peer's fast retransmit counts acks, not packets (see {@link #countSkips}),
     * and they leave within the delay. A shorter segment is the end of what the peer had to send (a request, a
     * keystroke, the tail of a response): nothing more is coming to share the packet, and its ack would otherwise
     * ride on our answer, whose loss would then also make the peer retransmit by timeout.
     */
    private boolean holdsAcks(long now) {
        return config.ackDelayMillis() > 0 && !config.immediateAcks() && !acks.isEmpty() && !acksUrgent
                && acks.size() < ACKS_PER_PACKET && !tellWindow && now - acksOwedSince < config.ackDelayMillis();
    }

    /**
     * Owed acks, and a window tell. KCP acks one sn at a time and a lost ack is only made good by una, which stops at
     * the first hole; the peer then sees later sns acked around the unacked one and fast-retransmits it for
     * nothing, which costs a whole segment per lost 24-byte ack, about the reverse path's loss rate in wasted
     * bandwidth on a lossy path. So an ack of an sn above a hole (una cannot cover it yet) goes once more with the
     * next flush that has acks, ahead of them (the peer ignores the repeat if it has the first). Without holes
     * nothing is repeated.
     */
    private void writeControl(long now) {
        int next = receiver.next();
        int sent = 0;
        if (!acks.isEmpty()) {
            for (int i = 0; i < repeats.size(); i++) {
                if (repeats.sn(i) - next > 0) {
                    writeAck(sent++, repeats.ts(i), repeats.sn(i));
                }
            }
            repeats.clear();
        }
        for (int i = 0; i < acks.size(); i++) {
            writeAck(sent + i, acks.ts(i), acks.sn(i));
            if (acks.sn(i) - next > 0) {
                repeats.add(acks.sn(i), acks.ts(i));
            }
        }
        counters.acksSent += sent + acks.size();
        acks.clear();
        acksUrgent = false;
        if (tellWindow) {
            tellWindow = false;
            writer.control(KcpWire.CMD_WINS, (int) now, 0);
        }
    }

    /** The {@code index}th ack of this flush, in a packet of its own after every {@link #MAX_ACKS_PER_PACKET}. */
    private void writeAck(int index, int ts, int sn) {
        if (index > 0 && index % MAX_ACKS_PER_PACKET == 0) {
            writer.finish();
        }
        writer.control(KcpWire.CMD_ACK, ts, sn);
    }
}
