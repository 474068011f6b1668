package dev.ferry.bench;

import dev.ferry.crypto.Aead;
import dev.ferry.crypto.CipherKind;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;

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
 * Seal and open of one record through {@link CipherKind#newAead}, the path {@code RecordEncoder} and
 * {@code RecordDecoder} take for every record payload.
 *
 * <p>Throughput in ops/s; MB/s = ops/s × {@code size} / 10^6 (the README does that sum). Seal uses a fresh counter per
 * call, as the tunnel does (GCM refuses a repeated nonce); open re-opens one record sealed with counter 0, which is
 * allowed and costs the same as opening a new one.
 *
 * <p>{@code buffer=heap} is what the tunnel uses today (its records live in heap {@code ByteBuf}s);
 * {@code -p buffer=direct} measures direct buffers instead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AeadBench {

    @Param({"AES_256_GCM", "CHACHA20_POLY1305", "AES_128_GCM"})
    public String cipher;

    /** Plaintext bytes per record: a UDP-sized record and a full 16 KiB record. */
    @Param({"1200", "16384"})
    public int size;

    @Param({"heap"})
    public String buffer;

    private Aead sealer;
    private Aead opener;
    private ByteBuffer plain;
    private ByteBuffer sealedOut;
    private ByteBuffer sealed;
    private ByteBuffer openedOut;
    private long counter;

    @Setup
    public void setUp() throws AEADBadTagException {
        CipherKind kind = CipherKind.valueOf(cipher);
        if (kind == CipherKind.NONE) {
            throw new IllegalArgumentException("NONE is not an AEAD worth measuring");
        }
        SplittableRandom random = new SplittableRandom(42);
        byte[] key = new byte[kind.keyLength()];
        random.nextBytes(key);
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);

        sealer = kind.newAead(key);
        opener = kind.newAead(key);
        plain = allocate(size).put(bytes).flip();
        sealedOut = allocate(size + kind.tagLength());
        sealed = allocate(size + kind.tagLength());
        openedOut = allocate(size);

        sealer.seal(0, plain.duplicate(), sealed);
        sealed.flip();
        opener.open(0, sealed.duplicate(), openedOut.clear());
        counter = 1; // counter 0 is spent on the record that open() re-reads
    }

    private ByteBuffer allocate(int n) {
        return switch (buffer) {
            case "heap" -> ByteBuffer.allocate(n);
            case "direct" -> ByteBuffer.allocateDirect(n);
            default -> throw new IllegalArgumentException("buffer must be heap or direct: " + buffer);
        };
    }

    @Benchmark
    public ByteBuffer seal() {
        plain.rewind();
        sealedOut.clear();
        sealer.seal(counter++, plain, sealedOut);
        return sealedOut;
    }

    @Benchmark
    public ByteBuffer open() throws AEADBadTagException {
        sealed.rewind();
        openedOut.clear();
        opener.open(0, sealed, openedOut);
        return openedOut;
    }
}
