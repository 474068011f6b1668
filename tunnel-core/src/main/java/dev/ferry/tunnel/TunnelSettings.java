package dev.ferry.tunnel;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.TransportOptions;
import dev.ferry.transport.kcp.KcpTuning;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What both ends of a tunnel need to agree on or to run it: the key, the record cipher the frontend asks for (the
 * backend accepts any AEAD, and {@code none} only when it allows it), keepalive timing, and the per-stream receive
 * window each side grants, the kcp engine's tuning, and how long a silent UDP flow is kept. {@code clock} is the wall clock for handshake timestamps;
 * inject a fixed one in tests.
 */
public record TunnelSettings(PresharedKey key, CipherKind cipher, boolean allowNoEncryption,
                             Duration keepaliveInterval, Duration deadAfter, Duration handshakeTimeout,
                             int streamWindow, InstantSource clock, KcpTuning kcp, Duration udpIdle) {

    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(2);
    public static final Duration DEFAULT_DEAD_AFTER = Duration.ofSeconds(8);
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Per stream and direction. One stream moves at most one window per round trip, and over kcp bytes behind a
     * lost packet count against it until the repair arrives: 1 MiB held one stream to 11.8 Mbit/s on a 20 Mbit/s
     * link at RTT 200 ms and 5 % loss, 4 MiB let it move 17.1 (bench/README.md, "kcp defaults"); 256 KiB held one
     * stream back even on loopback. Memory is held only for streams whose reader is slower than their sender.
     */
    public static final int DEFAULT_STREAM_WINDOW = 4 * 1024 * 1024;
    /** A UDP flow silent this long in both directions is forgotten (its backend socket closed), as NATs do. */
    public static final Duration DEFAULT_UDP_IDLE = Duration.ofSeconds(60);

    public TunnelSettings {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(kcp, "kcp");
        if (keepaliveInterval.isNegative() || keepaliveInterval.isZero()) {
            throw new IllegalArgumentException("keepalive interval must be positive");
        }
        if (deadAfter.compareTo(keepaliveInterval) <= 0) {
            throw new IllegalArgumentException("dead-tunnel time must be longer than the keepalive interval");
        }
        if (udpIdle.isNegative() || udpIdle.isZero()) {
            throw new IllegalArgumentException("UDP idle timeout must be positive");
        }
        if (streamWindow < 16 * 1024) {
            throw new IllegalArgumentException("stream window must be at least 16 KiB");
        }
    }

    /** Defaults for everything but the key and cipher. */
    public static TunnelSettings defaults(PresharedKey key, CipherKind cipher) {
        return new TunnelSettings(key, cipher, false, DEFAULT_KEEPALIVE, DEFAULT_DEAD_AFTER,
                DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_STREAM_WINDOW, InstantSource.system(), KcpTuning.DEFAULT,
                DEFAULT_UDP_IDLE);
    }

    public TunnelSettings withClock(InstantSource c) {
        return new TunnelSettings(key, cipher, allowNoEncryption, keepaliveInterval, deadAfter, handshakeTimeout,
                streamWindow, c, kcp, udpIdle);
    }

    public TunnelSettings withTimings(Duration keepalive, Duration dead) {
        return new TunnelSettings(key, cipher, allowNoEncryption, keepalive, dead, handshakeTimeout, streamWindow,
                clock, kcp, udpIdle);
    }

    public TunnelSettings withStreamWindow(int window) {
        return new TunnelSettings(key, cipher, allowNoEncryption, keepaliveInterval, deadAfter, handshakeTimeout,
                window, clock, kcp, udpIdle);
    }

    /** The kcp transport's engine and FEC tuning; ignored by tcp. */
    public TunnelSettings withKcp(KcpTuning k) {
        return new TunnelSettings(key, cipher, allowNoEncryption, keepaliveInterval, deadAfter, handshakeTimeout,
                streamWindow, clock, k, udpIdle);
    }

    /** How long a silent UDP flow is kept. */
    public TunnelSettings withUdpIdle(Duration idle) {
        return new TunnelSettings(key, cipher, allowNoEncryption, keepaliveInterval, deadAfter, handshakeTimeout,
                streamWindow, clock, kcp, idle);
    }

    /** What the transport needs of these settings: the key and cipher to seal datagrams with, and the engine tuning. */
    public TransportOptions transportOptions(RandomGenerator random) {
        return new TransportOptions(key, cipher, kcp, clock, random);
    }
}
