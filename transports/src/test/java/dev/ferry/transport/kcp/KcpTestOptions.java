package dev.ferry.transport.kcp;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.udp.FecSetting;

import java.time.InstantSource;
import java.util.SplittableRandom;

/** The keys and options the kcp tests over real sockets share: seeded, AES-256-GCM, the system clocks. */
final class KcpTestOptions {
    private KcpTestOptions() {
    }

    static PresharedKey key(long seed) {
        byte[] k = new byte[PresharedKey.LENGTH];
        new SplittableRandom(seed).nextBytes(k);
        return PresharedKey.ofBytes(k);
    }

    /** Session ids drawn from {@code seed}; at most 64 sessions; {@code down} 0 declares no rate. */
    static KcpOptions options(PresharedKey key, long seed, KcpConfig engine, FecSetting fec, long down) {
        return new KcpOptions(key, CipherKind.AES_256_GCM, engine, fec, InstantSource.system(),
                () -> System.nanoTime() / 1_000_000, new SplittableRandom(seed), 64, down);
    }

    static KcpOptions options(PresharedKey key, long seed, FecSetting fec) {
        return options(key, seed, KcpConfig.fast3(), fec, 0);
    }
}
