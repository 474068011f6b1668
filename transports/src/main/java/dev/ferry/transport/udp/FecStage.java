package dev.ferry.transport.udp;

import dev.ferry.transport.fec.BodySink;
import dev.ferry.transport.fec.DecoderLimits;
import dev.ferry.transport.fec.FecDecoder;
import dev.ferry.transport.fec.FecEncoder;
import dev.ferry.transport.fec.FecFormat;
import dev.ferry.transport.fec.FecShape;
import dev.ferry.transport.fec.LossEstimator;

import java.nio.ByteBuffer;

/**
 * Forward error correction between a session's engine (or its tunnel datagrams) and the packet sealer. Sending: with
 * FEC on, each body goes out at once as a data shard and each group's parity follows when the group is full or has
 * been open {@link #GROUP_WAIT_MILLIS}, so a lone packet's protection never waits for traffic that may not come.
 * Receiving: shards of any shape are decoded whatever this side's own setting, and data (sent or rebuilt) goes to
 * the sink. With {@code --fec auto} the receiver reports the shard loss it saw about once a second, and the sender
 * sizes parity from it.
 *
 * <p>A session has two stages, each with its own groups, reports and packet kinds: {@link #forSegments} for KCP
 * packets ({@link PacketFormat#KIND_FEC}, {@link PacketFormat#KIND_FEC_REPORT}) and {@link #forDatagrams} for tunnel
 * datagrams ({@link PacketFormat#KIND_DATAGRAM_FEC}, {@link PacketFormat#KIND_DATAGRAM_FEC_REPORT}).
 *
 * <p>Threading: the session's event loop. Buffers handed to {@link Out} and {@link BodySink} are only lent.
 */
public final class FecStage {
    /** Longest a group waits for more data before its parity is sent. */
    public static final long GROUP_WAIT_MILLIS = 20;
    static final long REPORT_EVERY_MILLIS = 1_000;
    /**
     * Groups a receiver waits for late shards before it counts a group's loss (for the reports): 32 groups of 13
     * shards is well under a second of traffic at any rate worth protecting, and later than reordering reaches.
     */
    static final int GROUP_WINDOW = 32;
    private static final int REPORT_LENGTH = 16;

    /** Where sealed-to-be packets go: kind and body. */
    @FunctionalInterface
    public interface Out {
        void packet(int kind, byte[] body, int off, int len);
    }

    private final FecSetting setting;
    private final int maxBody;
    private final Out out;
    private final int plainKind;
    private final int shardKind;
    private final int reportKind;
    private final FecEncoder encoder;
    private final LossEstimator estimator;
    private final byte[] report = new byte[REPORT_LENGTH];
    private FecDecoder decoder;
    private long groupOpenedAt = Long.MAX_VALUE;
    private long nextReport;
    private long reportedReceived;
    private long reportedSent;
    private long peerReceived;
    private long peerSent;

    /**
     * The stage for KCP packets: bodies leave as {@link PacketFormat#KIND_KCP} with FEC off, as
     * {@link PacketFormat#KIND_FEC} shards with it on.
     *
     * @param maxBody the longest body {@link #send} is given (the engine's mtu)
     */
    public static FecStage forSegments(FecSetting setting, int maxBody, Out out) {
        return new FecStage(setting, maxBody, out, PacketFormat.KIND_KCP, PacketFormat.KIND_FEC,
                PacketFormat.KIND_FEC_REPORT);
    }

    /**
     * The stage for tunnel datagrams: bodies leave as {@link PacketFormat#KIND_DATAGRAM} with FEC off, as
     * {@link PacketFormat#KIND_DATAGRAM_FEC} shards with it on.
     *
     * @param maxBody the longest datagram {@link #send} is given
     */
    public static FecStage forDatagrams(FecSetting setting, int maxBody, Out out) {
        return new FecStage(setting, maxBody, out, PacketFormat.KIND_DATAGRAM, PacketFormat.KIND_DATAGRAM_FEC,
                PacketFormat.KIND_DATAGRAM_FEC_REPORT);
    }

    private FecStage(FecSetting setting, int maxBody, Out out, int plainKind, int shardKind, int reportKind) {
        this.setting = setting;
        this.maxBody = maxBody;
        this.out = out;
        this.plainKind = plainKind;
        this.shardKind = shardKind;
        this.reportKind = reportKind;
        if (setting.isOff()) {
            encoder = null;
            estimator = null;
        } else if (setting.auto()) {
            estimator = new LossEstimator(LossEstimator.Policy.DEFAULT);
            encoder = new FecEncoder(estimator.shape(), maxBody, 0);
        } else {
            estimator = null;
            encoder = new FecEncoder(new FecShape(setting.dataShards(), setting.parityShards()), maxBody, 0);
        }
    }

    /**
     * Bytes every kcp engine leaves free in its packets for the FEC shard header, whether or not it sends FEC: the
     * two ends may use different settings, and a receiver takes no segment larger than its own engine sends.
     */
    public static final int RESERVED = FecFormat.HEADER_LENGTH + FecFormat.LENGTH_PREFIX;

    /** One body to send. */
    public void send(byte[] body, int len, long now) {
        if (encoder == null) {
            out.packet(plainKind, body, 0, len);
            return;
        }
        if (encoder.pendingDataShards() == 0) {
            groupOpenedAt = now;
        }
        encoder.onData(body, 0, len, this::shard);
        if (encoder.pendingDataShards() == 0) {
            groupOpenedAt = Long.MAX_VALUE;
        }
    }

    private void shard(byte[] buf, int off, int len) {
        out.packet(shardKind, buf, off, len);
    }

    /** When {@link #tick} has work: closing an open group, or reporting loss. */
    public long nextDue() {
        long due = groupOpenedAt == Long.MAX_VALUE ? Long.MAX_VALUE : groupOpenedAt + GROUP_WAIT_MILLIS;
        return decoder != null && decoder.shardsSent() != reportedSent ? Math.min(due, nextReport) : due;
    }

    /** Closes a group that waited long enough and sends a loss report when one is due. */
    public void tick(long now) {
        if (encoder != null && encoder.pendingDataShards() > 0 && now >= groupOpenedAt + GROUP_WAIT_MILLIS) {
            encoder.closeGroup(this::shard);
            groupOpenedAt = Long.MAX_VALUE;
        }
        if (decoder != null && now >= nextReport && decoder.shardsSent() != reportedSent) {
            reportedReceived = decoder.shardsReceived();
            reportedSent = decoder.shardsSent();
            ByteBuffer.wrap(report).putLong(reportedReceived).putLong(reportedSent);
            out.packet(reportKind, report, 0, REPORT_LENGTH);
            nextReport = now + REPORT_EVERY_MILLIS;
        }
    }

    /** A shard from the peer; false if malformed. Data it carries or rebuilds goes to {@code sink}. */
    public boolean receive(byte[] buf, int off, int len, BodySink sink) {
        if (decoder == null) {
            DecoderLimits limits = DecoderLimits.forBodyLength(Math.max(maxBody, len));
            decoder = new FecDecoder(new DecoderLimits(limits.maxBodyLength(), DecoderLimits.DEFAULT_OPEN_GROUPS,
                    GROUP_WINDOW, limits.maxBufferedBytes()));
        }
        return decoder.onShard(buf, off, len, sink);
    }

    /** The peer's cumulative shard counts for what we sent; false if malformed. Reshapes parity in auto mode. */
    public boolean report(byte[] buf, int off, int len, long now) {
        if (len != REPORT_LENGTH) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(buf, off, len);
        long received = b.getLong();
        long sent = b.getLong();
        if (received < 0 || sent < received || sent < peerSent || received < peerReceived) {
            return false;
        }
        if (estimator != null && sent > peerSent) {
            estimator.observe(now, (sent - peerSent) - (received - peerReceived), sent - peerSent);
            encoder.reshape(estimator.shape());
        }
        peerReceived = received;
        peerSent = sent;
        return true;
    }

    /** The shape new groups get, or null when FEC is off; for logs and tests. */
    public FecShape shape() {
        return encoder == null ? null : encoder.shape();
    }

    /** Bodies rebuilt from parity so far. */
    public long recovered() {
        return decoder == null ? 0 : decoder.recovered();
    }
}
