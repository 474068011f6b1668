package dev.ferry.transport.kcp;

import dev.ferry.transport.udp.FecStage;
import dev.ferry.transport.udp.PacketFormat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;

/**
 * The client's side of {@code --down}: RATE packets ({@link PacketFormat#KIND_RATE}) asking the server to send at a
 * declared rate. The first goes out just ahead of the session's first packet, so the server applies it before it
 * answers anything; then one every {@link #REPEAT_MILLIS}, so that a lost one is made up within a second. That is the
 * engine's own idle wake-up period, so the repeats keep no idle session's timer waking more often than it did. There
 * is no acknowledgement: the repeats are the reliability, and they cost one 41-byte packet a second.
 *
 * <p>Also the wire codec of the RATE body, which {@link RateDeclarationHandler} reads on the server.
 *
 * <p>Threading: the session's event loop.
 */
final class RateDeclaration {
    static final long REPEAT_MILLIS = 1_000;

    private final byte[] body = new byte[PacketFormat.RATE_LENGTH];
    private final FecStage.Out out;
    private final boolean declaring;
    private long nextAt = Long.MIN_VALUE;

    /**
     * @param bitsPerSecond the rate to declare, or 0 for a session that declares none (a server, or a client without
     *     {@code --down}): then it never sends and is never due
     * @param out where the RATE packets go to be sealed
     */
    RateDeclaration(long bitsPerSecond, FecStage.Out out) {
        KcpOptions.requireDownRate(bitsPerSecond);
        this.out = out;
        this.declaring = bitsPerSecond != 0;
        ByteBuffer.wrap(body).putLong(bitsPerSecond);
    }

    /** Sends a RATE packet if one is due: at the first call, and {@link #REPEAT_MILLIS} after the last one. */
    void sendIfDue(long now) {
        if (declaring && now >= nextAt) {
            out.packet(PacketFormat.KIND_RATE, body, 0, body.length);
            nextAt = now + REPEAT_MILLIS;
        }
    }

    /** When {@link #sendIfDue} next has work; {@link Long#MAX_VALUE} when never. */
    long nextDue() {
        return declaring ? nextAt : Long.MAX_VALUE;
    }

    /** The rate a RATE body asks for, or -1 unless it is exactly one u64 within the protocol's bounds. */
    static long decode(byte[] buf, int off, int len) {
        if (len != PacketFormat.RATE_LENGTH) {
            return -1;
        }
        long bits = ByteBuffer.wrap(buf, off, len).getLong();
        return bits >= PacketFormat.MIN_RATE_BITS_PER_SECOND && bits <= PacketFormat.MAX_RATE_BITS_PER_SECOND
                ? bits : -1;
    }

    /** {@code 20 Mbit/s}, {@code 1.5 Gbit/s}, {@code 64 kbit/s}: for logs. */
    static String format(long bitsPerSecond) {
        String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s"};
        int unit = 0;
        BigDecimal value = BigDecimal.valueOf(bitsPerSecond);
        while (unit < units.length - 1 && value.compareTo(BigDecimal.valueOf(1000)) >= 0) {
            value = value.movePointLeft(3);
            unit++;
        }
        value = value.setScale(Math.min(value.scale(), 3), java.math.RoundingMode.HALF_UP).stripTrailingZeros();
        return value.toPlainString() + " " + units[unit];
    }
}
