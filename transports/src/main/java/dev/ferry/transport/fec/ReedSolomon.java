package dev.ferry.transport.fec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A systematic Reed-Solomon erasure code over GF(2^8): {@code k} data shards travel as they are, {@code m} parity
 * shards are linear combinations of them, and <em>any</em> {@code k} of the {@code k + m} shards give back the data.
 *
 * <p>The encoding matrix is {@code [I; C]} with {@code I} the k×k identity and {@code C} the m×k Cauchy matrix
 * {@code C[j][i] = 1 / (x_j + y_i)}, {@code x_j = k + j}, {@code y_i = i} (field elements, + is XOR). The k + m
 * points are distinct, so {@code x_j + y_i != 0}, and every square submatrix of a Cauchy matrix is invertible; hence
 * any k rows of {@code [I; C]} form an invertible matrix, which is the any-k property. Distinct points limit
 * {@code k + m} to 256 ({@link #MAX_SHARDS}). Both ends of ferry must use this exact matrix: it is part of the wire
 * format.
 *
 * <p>Shards are byte ranges; byte {@code p} of a parity shard depends only on byte {@code p} of the data shards, so a
 * shard may be coded in pieces (ferry codes its length prefixes and its bodies separately).
 *
 * <p>Not thread-safe: the bounded cache of {@link Recovery} matrices is mutated by {@link #recovery}. Confine an
 * instance to one thread (ferry keeps one {@link CodecCache} per encoder or decoder).
 */
public final class ReedSolomon {
    /** The most shards (data + parity) the Cauchy construction allows. */
    public static final int MAX_SHARDS = 256;
    /** Bytes of cached recovery matrices per instance: {@code k*k} bytes each, so fewer patterns when k is large. */
    static final int RECOVERY_CACHE_BYTES = 64 * 1024;
    static final int MAX_RECOVERY_PATTERNS = 64;

    private final int dataShards;
    private final int parityShards;
    private final byte[][] parityRows;
    private final Map<Pattern, Recovery> recoveries;
    /** The last pattern asked for: a loss pattern that repeats is found without allocating a key. */
    private final long[] probe = new long[4];
    private Pattern lastPattern;
    private Recovery lastRecovery;

    /**
     * @throws IllegalArgumentException unless {@code 1 <= dataShards}, {@code 0 <= parityShards} and
     *     {@code dataShards + parityShards <= 256}
     */
    public ReedSolomon(int dataShards, int parityShards) {
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > MAX_SHARDS) {
            throw new IllegalArgumentException("need 1 <= data, 0 <= parity, data + parity <= " + MAX_SHARDS
                    + "; got " + dataShards + "," + parityShards);
        }
        this.dataShards = dataShards;
        this.parityShards = parityShards;
        this.parityRows = new byte[parityShards][dataShards];
        for (int j = 0; j < parityShards; j++) {
            for (int i = 0; i < dataShards; i++) {
                parityRows[j][i] = (byte) GaloisField.inverse((dataShards + j) ^ i);
            }
        }
        int patterns = Math.max(1, Math.min(MAX_RECOVERY_PATTERNS, RECOVERY_CACHE_BYTES / (dataShards * dataShards)));
        this.recoveries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Pattern, Recovery> eldest) {
                return size() > patterns;
            }
        };
    }

    public int dataShards() {
        return dataShards;
    }

    public int parityShards() {
        return parityShards;
    }

    /** Recovery matrices held now; at most the bound set from {@link #RECOVERY_CACHE_BYTES}. */
    int cachedRecoveries() {
        return recoveries.size();
    }

    /** Coefficient of data shard {@code i} in parity shard {@code j}; for tests and documentation. */
    int parityCoefficient(int j, int i) {
        return parityRows[j][i] & 0xFF;
    }

    /**
     * Writes the parity: {@code parity[j][parityOff ..+len) = sum_i C[j][i] * data[i][dataOff ..+len)} for every j.
     * Reads {@code data[0 .. k)} and writes {@code parity[0 .. m)}; longer arrays are allowed and the rest ignored.
     * Nothing is kept after the call.
     */
    public void encodeParity(byte[][] data, int dataOff, byte[][] parity, int parityOff, int len) {
        if (data.length < dataShards || parity.length < parityShards) {
            throw new IllegalArgumentException("need " + dataShards + " data and " + parityShards + " parity arrays");
        }
        for (int j = 0; j < parityShards; j++) {
            encodeRow(j, data, dataOff, parity[j], parityOff, len);
        }
    }

    private void encodeRow(int j, byte[][] data, int dataOff, byte[] out, int outOff, int len) {
        Objects.checkFromIndexSize(outOff, len, out.length);
        byte[] row = parityRows[j];
        GaloisField.mulSet(row[0] & 0xFF, data[0], dataOff, out, outOff, len);
        for (int i = 1; i < dataShards; i++) {
            GaloisField.mulAdd(row[i] & 0xFF, data[i], dataOff, out, outOff, len);
        }
    }

    /**
     * The matrix that rebuilds data shards from the k shards whose indexes are {@code present[0 .. k)} (ascending,
     * distinct, each below k + m; entries past k are ignored). Cached per pattern in a small LRU, so a loss pattern
     * that repeats costs one lookup; the returned object is immutable and may be kept.
     */
    public Recovery recovery(int[] present) {
        fillProbe(present);
        if (lastPattern != null && lastPattern.matches(probe)) {
            return lastRecovery;
        }
        Pattern key = new Pattern(probe[0], probe[1], probe[2], probe[3]);
        Recovery r = recoveries.get(key);
        if (r == null) {
            byte[][] sub = new byte[dataShards][];
            for (int a = 0; a < dataShards; a++) {
                int index = present[a];
                if (index < dataShards) {
                    sub[a] = new byte[dataShards];
                    sub[a][index] = 1;
                } else {
                    sub[a] = parityRows[index - dataShards].clone();
                }
            }
            r = new Recovery(GaloisField.invert(sub));
            recoveries.put(key, r);
        }
        lastPattern = key;
        lastRecovery = r;
        return r;
    }

    /** The set {@code present[0 .. k)} as a 256-bit mask in {@link #probe}, checked on the way. */
    private void fillProbe(int[] present) {
        int total = dataShards + parityShards;
        java.util.Arrays.fill(probe, 0);
        int previous = -1;
        for (int a = 0; a < dataShards; a++) {
            int index = present[a];
            if (index <= previous || index >= total) {
                throw new IllegalArgumentException("shard indexes must ascend and stay below " + total);
            }
            probe[index >>> 6] |= 1L << index;
            previous = index;
        }
    }

    /**
     * Convenience over whole shards: {@code shards[0 .. k)} data, {@code shards[k .. k+m)} parity, each
     * {@code [off, off + len)}; rewrites every shard whose {@code present} entry is false (data and parity).
     *
     * @throws IllegalArgumentException when fewer than k shards are present
     */
    public void reconstruct(byte[][] shards, boolean[] present, int off, int len) {
        int total = dataShards + parityShards;
        int[] chosen = new int[dataShards];
        int count = 0;
        for (int i = 0; i < total && count < dataShards; i++) {
            if (present[i]) {
                chosen[count++] = i;
            }
        }
        if (count < dataShards) {
            throw new IllegalArgumentException("only " + count + " of the " + dataShards + " shards needed");
        }
        Recovery r = recovery(chosen);
        byte[][] src = new byte[dataShards][];
        int[] srcOff = new int[dataShards];
        for (int a = 0; a < dataShards; a++) {
            src[a] = shards[chosen[a]];
            srcOff[a] = off;
        }
        for (int d = 0; d < dataShards; d++) {
            if (!present[d]) {
                r.rebuild(d, src, srcOff, shards[d], off, len);
            }
        }
        for (int j = 0; j < parityShards; j++) {
            if (!present[dataShards + j]) {
                encodeRow(j, shards, off, shards[dataShards + j], off, len);
            }
        }
    }

    /** A set of shard indexes as a 256-bit mask: the cache key of a recovery matrix. */
    private record Pattern(long w0, long w1, long w2, long w3) {
        boolean matches(long[] w) {
            return w0 == w[0] && w1 == w[1] && w2 == w[2] && w3 == w[3];
        }
    }
}
