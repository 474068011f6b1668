package dev.ferry.transport.fec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link ReedSolomon} instance per (data, parity) shape, in a small LRU: partial groups and {@code --fec auto} make
 * the shape vary, and each instance keeps its own cache of recovery matrices worth reusing. The last shape is checked
 * first without touching the map, so a steady stream of full groups neither boxes nor allocates. Bounded: at most
 * {@code maxEntries} instances of at most {@link ReedSolomon#RECOVERY_CACHE_BYTES} cached matrices each.
 * One thread only.
 */
final class CodecCache {
    private final Map<Integer, ReedSolomon> codecs;
    private ReedSolomon last;

    CodecCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        this.codecs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ReedSolomon> eldest) {
                return size() > maxEntries;
            }
        };
    }

    ReedSolomon get(int dataShards, int parityShards) {
        ReedSolomon rs = last;
        if (rs != null && rs.dataShards() == dataShards && rs.parityShards() == parityShards) {
            return rs;
        }
        rs = codecs.computeIfAbsent(dataShards << 9 | parityShards, key -> new ReedSolomon(dataShards, parityShards));
        last = rs;
        return rs;
    }

    int size() {
        return codecs.size();
    }
}
