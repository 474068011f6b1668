package dev.ferry.transport;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.kcp.KcpTuning;

import java.time.InstantSource;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What a transport may need beyond sockets. The tcp transport needs none of it; the datagram transports seal their
 * packets with {@code key} and {@code cipher} and tune their engine and FEC with {@code kcp}.
 *
 * @param wallClock timestamps that let a server refuse replayed session openings
 * @param random session ids; a {@link java.security.SecureRandom} in production
 */
public record TransportOptions(PresharedKey key, CipherKind cipher, KcpTuning kcp, InstantSource wallClock,
                               RandomGenerator random) {
    public TransportOptions {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(kcp, "kcp");
        Objects.requireNonNull(wallClock, "wallClock");
        Objects.requireNonNull(random, "random");
    }
}
