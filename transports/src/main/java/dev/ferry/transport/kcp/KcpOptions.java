package dev.ferry.transport.kcp;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.udp.FecSetting;
import dev.ferry.transport.udp.FecStage;
import dev.ferry.transport.udp.PacketFormat;

import java.time.InstantSource;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * What the kcp transport needs besides sockets: the key and cipher that seal its datagrams, the engine's tuning, and
 * the clocks and randomness (injected so tests can replay them).
 *
 * @param engine engine tuning; its {@code mtu} is the largest UDP payload sent (kcptun's {@code --mtu}); the engine
 *     itself gets that minus the packet overhead
 * @param fec what this side sends; any shape is decoded on receipt
 * @param wallClock timestamps of session-opening packets
 * @param monotonicMillis the engine's clock
 * @param sessionIds where client session ids come from; a {@link java.security.SecureRandom} in production
 * @param maxSessions sessions a listener holds at once; more are refused (and counted)
 * @param downBitsPerSecond what a client asks the server to send to it at, in bits per second of whole IP packets
 *     ({@link PacketFormat#KIND_RATE}); 0 asks nothing. A listener ignores it: its own cap is {@code engine}'s
 *     declared rate
 */
public record KcpOptions(PresharedKey key, CipherKind cipher, KcpConfig engine, FecSetting fec,
                         InstantSource wallClock, LongSupplier monotonicMillis, RandomGenerator sessionIds,
                         int maxSessions, long downBitsPerSecond) {
    public static final int DEFAULT_MAX_SESSIONS = 4096;
    /** The smallest --mtu: room for the packet overhead, a KCP header and some payload. */
    public static final int MIN_MTU = 256;
    /** IPv4 and UDP headers around each datagram, counted in a declared link rate. */
    static final int IP_UDP_HEADERS = 28;

    public KcpOptions {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(fec, "fec");
        Objects.requireNonNull(wallClock, "wallClock");
        Objects.requireNonNull(monotonicMillis, "monotonicMillis");
        Objects.requireNonNull(sessionIds, "sessionIds");
        if (engine.mtu() < MIN_MTU) {
            throw new IllegalArgumentException("mtu must be at least " + MIN_MTU + ", got " + engine.mtu());
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be positive, got " + maxSessions);
        }
        requireDownRate(downBitsPerSecond);
    }

    /** Options that declare no down rate. */
    public KcpOptions(PresharedKey key, CipherKind cipher, KcpConfig engine, FecSetting fec, InstantSource wallClock,
                      LongSupplier monotonicMillis, RandomGenerator sessionIds, int maxSessions) {
        this(key, cipher, engine, fec, wallClock, monotonicMillis, sessionIds, maxSessions, 0);
    }

    /** @throws IllegalArgumentException unless 0 (none) or a rate a RATE packet may carry */
    static void requireDownRate(long bitsPerSecond) {
        if (bitsPerSecond != 0 && (bitsPerSecond < PacketFormat.MIN_RATE_BITS_PER_SECOND
                || bitsPerSecond > PacketFormat.MAX_RATE_BITS_PER_SECOND)) {
            throw new IllegalArgumentException("downBitsPerSecond must be 0 or in ["
                    + PacketFormat.MIN_RATE_BITS_PER_SECOND + ", " + PacketFormat.MAX_RATE_BITS_PER_SECOND + "], got "
                    + bitsPerSecond);
        }
    }

    /**
     * The engine's tuning with its mtu reduced by what sealing adds to each datagram, and acks sent after each batch
     * of received datagrams rather than after each one (still before the event loop turns); held for company only
     * as long as the tuning's {@link KcpConfig#ackDelayMillis} says ({@code --ack-delay}, 5 ms by default: see
     * bench/README.md, "kcp defaults").
     */
    KcpConfig engineInsideDatagrams() {
        return engine.withMtu(engine.mtu() - PacketFormat.overhead(cipher.tagLength()) - FecStage.RESERVED)
                .withImmediateAcks(false);
    }

    /**
     * The engine's wire rate (its KCP header and payload bytes per second) that puts {@code bitsPerSecond} of whole
     * IP packets on the link, for full packets of an {@code mtu}-byte UDP payload sealed with a 16-byte tag.
     */
    public static long engineBytesPerSecond(long bitsPerSecond, int mtu) {
        int engineMtu = mtu - PacketFormat.overhead(16) - FecStage.RESERVED;
        return Math.max(1, bitsPerSecond / 8 * engineMtu / (mtu + IP_UDP_HEADERS));
    }

    /** The largest datagram sent or accepted. */
    int maxDatagram() {
        return engine.mtu();
    }
}
