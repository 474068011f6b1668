package dev.ferry.bench;

import dev.ferry.transport.fec.ReedSolomon;

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
 * Reed-Solomon parity of one FEC group, {@link ReedSolomon#encodeParity}: what {@code --fec D,P} costs the sender per
 * D packets. Throughput in groups/s; MB/s of data protected = groups/s × D × {@code shardBytes} / 10^6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FecBench {

    /** DATA,PARITY: kcptun's default and ferry's usual choice. */
    @Param({"10,3"})
    public String shape;

    /** Bytes per shard: a full KCP packet at --mtu 1350. */
    @Param({"1300"})
    public int shardBytes;

    private ReedSolomon codec;
    private byte[][] data;
    private byte[][] parity;

    @Setup
    public void setUp() {
        String[] dp = shape.split(",");
        int d = Integer.parseInt(dp[0]);
        int p = Integer.parseInt(dp[1]);
        codec = new ReedSolomon(d, p);
        SplittableRandom random = new SplittableRandom(42);
        data = new byte[d][shardBytes];
        for (byte[] shard : data) {
            random.nextBytes(shard);
        }
        parity = new byte[p][shardBytes];
    }

    @Benchmark
    public byte[][] encodeParity() {
        codec.encodeParity(data, 0, parity, 0, shardBytes);
        return parity;
    }
}
