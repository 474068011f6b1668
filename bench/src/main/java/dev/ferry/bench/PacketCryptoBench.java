package dev.ferry.bench;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.udp.PacketCrypto;
import dev.ferry.transport.udp.PacketFormat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The udp carrier's per-datagram crypto, {@link PacketCrypto}: what every kcp and udp packet costs on top of the KCP
 * engine. {@code seal} takes a KCP packet from a {@code byte[]} (as the engine hands it over) into a direct buffer
 * from Netty's default allocator (as the socket wants it) and releases it; {@code sealThenOpen} also opens it on the
 * other side, as the peer's receive path does (a fresh packet number each time, so the replay window accepts it).
 *
 * <p>Throughput in ops/s; MB/s of KCP packets = ops/s × {@code size} / 10^6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketCryptoBench {

    @Param({"AES_256_GCM", "CHACHA20_POLY1305"})
    public String cipher;

    /** KCP packet bytes: a full packet at kcptun's MTU of 1350 (the engine's packet), and a lone ack. */
    @Param({"1350", "24"})
    public int size;

    private static final int MAX_PACKET = 1500;

    private PacketCrypto client;
    private PacketCrypto server;
    private ByteBufAllocator alloc;
    private byte[] body;
    private byte[] opened;

    @Setup
    public void setUp() {
        CipherKind kind = CipherKind.valueOf(cipher);
        SplittableRandom random = new SplittableRandom(42);
        byte[] key = new byte[32];
        random.nextBytes(key);
        PresharedKey psk = PresharedKey.ofBytes(key);
        long sessionId = random.nextLong();
        client = PacketCrypto.forClient(psk, kind, sessionId, MAX_PACKET);
        server = PacketCrypto.forServer(psk, kind, sessionId, MAX_PACKET);
        alloc = ByteBufAllocator.DEFAULT;
        body = new byte[size];
        random.nextBytes(body);
        opened = new byte[MAX_PACKET];
    }

    @Benchmark
    public int seal() {
        ByteBuf sealed = client.seal(alloc, PacketFormat.KIND_KCP, -1, body, 0, body.length);
        int n = sealed.readableBytes();
        sealed.release();
        return n;
    }

    @Benchmark
    public int sealThenOpen() {
        ByteBuf sealed = client.seal(alloc, PacketFormat.KIND_KCP, -1, body, 0, body.length);
        try {
            int n = server.open(sealed, opened);
            if (n < 0) {
                throw new IllegalStateException("open refused a packet just sealed: " + n);
            }
            return n;
        } finally {
            sealed.release();
        }
    }
}
