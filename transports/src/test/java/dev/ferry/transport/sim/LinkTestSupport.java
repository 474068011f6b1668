package dev.ferry.transport.sim;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared by the link's tests: seeded links, packets that carry their sequence number and send time, and ways to
 * drain and summarise what came out. Seeds are fixed; {@code -Dferry.seed=N} replays with another.
 */
final class LinkTestSupport {
    static final long SEED = Long.getLong("ferry.seed", 0x5eed_1137L);

    private LinkTestSupport() {
    }

    static SimulatedLink link(LinkProfile profile) {
        return new SimulatedLink(profile, new SplittableRandom(SEED));
    }

    static String context(LinkProfile profile, LinkStats stats) {
        return "seed " + SEED + " (-Dferry.seed), " + profile + ", " + stats;
    }

    /** A packet of {@code size} ≥ 12 bytes: sequence number, send time, then zeros. */
    static byte[] packet(int seq, long sentAt, int size) {
        return ByteBuffer.allocate(size).putInt(seq).putLong(sentAt).array();
    }

    /** What a {@link #packet} said, and when it was due. */
    record Delivery(int seq, long sentAt, long due) {
        static Delivery of(byte[] p, long due) {
            ByteBuffer b = ByteBuffer.wrap(p);
            return new Delivery(b.getInt(), b.getLong(), due);
        }
    }

    /** Delivers everything still in flight, at its due time but never before {@code from}. */
    static void drain(SimulatedLink link, long from, List<Delivery> into) {
        for (long t = link.nextDeliveryTime(); t != Long.MAX_VALUE; t = link.nextDeliveryTime()) {
            link.deliverDue(Math.max(t, from), (p, due) -> into.add(Delivery.of(p, due)));
        }
    }

    /** One packet per millisecond; which ones were lost, by sequence number. */
    static boolean[] lossPattern(SimulatedLink link, int n) {
        boolean[] lost = new boolean[n];
        Arrays.fill(lost, true);
        for (int i = 0; i < n; i++) {
            link.send(packet(i, i, 16), i);
            link.deliverDue(i, (p, due) -> lost[ByteBuffer.wrap(p).getInt()] = false);
        }
        return lost;
    }

    static double share(boolean[] lost) {
        int count = 0;
        for (boolean l : lost) {
            count += l ? 1 : 0;
        }
        return (double) count / lost.length;
    }

    static double meanRunLength(boolean[] lost) {
        int runs = 0;
        int losses = 0;
        for (int i = 0; i < lost.length; i++) {
            if (lost[i]) {
                losses++;
                if (i == 0 || !lost[i - 1]) {
                    runs++;
                }
            }
        }
        return (double) losses / runs;
    }

    /**
     * Sends 20 000 packets of varying size, about 1.3 MB/s in all, with the same timing whatever the link; records
     * every delivery as "due:seq:length".
     */
    static List<String> trace(SimulatedLink link) {
        SplittableRandom workload = new SplittableRandom(42);
        List<String> out = new ArrayList<>();
        PacketSink sink = (p, due) -> out.add(due + ":" + ByteBuffer.wrap(p).getInt() + ":" + p.length);
        long now = 0;
        for (int i = 0; i < 20_000; i++) {
            now += workload.nextInt(2);
            link.send(packet(i, now, 12 + workload.nextInt(1300)), now);
            link.deliverDue(now, sink);
        }
        for (long t = link.nextDeliveryTime(); t != Long.MAX_VALUE; t = link.nextDeliveryTime()) {
            link.deliverDue(Math.max(t, now), sink);
        }
        return out;
    }

    static void assertMessageContains(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field), "message '" + e.getMessage() + "' does not name " + field);
    }
}
