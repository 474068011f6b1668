package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.FakeClock;
import dev.ferry.transport.sim.LinkProfile;
import dev.ferry.transport.sim.LinkStats;
import dev.ferry.transport.sim.SimulatedPath;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One bulk transfer, A to B, over a {@link SimulatedPath} in simulated time: A's application writes a seeded byte
 * stream as fast as {@code send} takes it, B reads as fast as it arrives and checks every byte (exactly once, in
 * order). Measures what congestion control is about: goodput, wire bytes offered to the links per payload byte, the
 * bottleneck queue's drops and occupancy, and the most A offered in any one second.
 *
 * <p>The loop advances a {@link FakeClock} to the earliest of both engines' {@code nextUpdate} and the path's next
 * delivery, as {@link LossyLinkDriver} does. Test-only, single-threaded, deterministic: the same seed, config and
 * profiles give the same run.
 */
final class BulkTransferDriver {
    private static final int CONV = 0x0f_e2_21_02;
    private static final int CHUNK = 64 * 1024;
    static final long MAX_SIMULATED_MILLIS = 300_000;
    static final long MAX_ITERATIONS = 5_000_000;
    /** Bytes each packet carries outside the engine on a real link: the UDP transport's 33 and UDP/IPv4's 28. */
    static final int PACKET_HEADERS = 33 + 28;
    /** {@code -Dferry.trace=N}: print the sender's controller and the forward link every N ms of simulated time. */
    private static final long TRACE_MILLIS = Long.getLong("ferry.trace", 0);

    private final long seed;
    private final KcpConfig config;
    private final SimulatedPath path;
    private final long total;
    private final FakeClock clock = new FakeClock(0);
    private final CongestionControl senderControl;
    private final KcpEngine a;
    private final KcpEngine b;
    private final long streamSeed;
    private final long holdUntilMillis;
    private final byte[] buf = new byte[CHUNK];
    private long[] offeredPerMilli = new long[1 << 14];
    /** When B's in-order byte count first reached each tenth of the stream. */
    private final long[] tenthAtMillis = new long[11];
    private long sent;
    private long received;
    private long lastByteAt = -1;
    private long iterations;
    private long queueSamples;
    private double queueBytesSum;
    private long queueBytesMax;
    private long lastTrace = -1;

    BulkTransferDriver(long seed, KcpConfig config, LinkProfile forward, LinkProfile backward, long bytes) {
        this(seed, config, forward, backward, bytes, 0);
    }

    /**
     * @param holdUntilMillis B takes nothing from the forward link before this time (what arrived earlier comes in
     *     then): a first round trip this long, as a real session's first packets see while the peer sets up and
     *     warms up, which leaves a slow first rate sample behind
     */
    BulkTransferDriver(long seed, KcpConfig config, LinkProfile forward, LinkProfile backward, long bytes,
                       long holdUntilMillis) {
        this.seed = seed;
        this.holdUntilMillis = holdUntilMillis;
        this.config = config;
        this.total = bytes;
        SplittableRandom random = new SplittableRandom(seed);
        this.path = new SimulatedPath(forward, backward, random.split());
        this.streamSeed = random.nextLong();
        this.senderControl = config.congestion().create(config, CONV);
        this.a = new KcpEngine(CONV, config, (p, n) -> {
            long now = clock.nowMillis();
            if (now >= offeredPerMilli.length) {
                offeredPerMilli = Arrays.copyOf(offeredPerMilli, (int) Math.max(2L * offeredPerMilli.length, now + 1));
            }
            offeredPerMilli[(int) now] += n;
            path.aToB().send(p, 0, n, now);
        }, senderControl);
        this.b = new KcpEngine(CONV, config, (p, n) -> path.bToA().send(p, 0, n, clock.nowMillis()));
    }

    /** Runs until B has the whole stream and A nothing unacknowledged, or until {@code maxMillis} of simulated time. */
    Result run(long maxMillis) {
        long now = 0;
        while (now <= maxMillis) {
            if (++iterations > MAX_ITERATIONS) {
                throw new AssertionError("did not finish within " + MAX_ITERATIONS + " iterations: " + describe());
            }
            step(now);
            if (received == total && a.waitingSegments() == 0) {
                break;
            }
            long next = Math.min(path.nextDeliveryTime(), Math.min(a.nextUpdate(now), b.nextUpdate(now)));
            if (next <= now) {
                // A delivery B holds back (see holdUntilMillis) is due but not taken: move on.
                next = path.nextDeliveryTime() <= now && now >= holdUntilMillis ? now : now + 1;
            }
            clock.advanceTo(next);
            now = next;
        }
        return new Result(total, received, received == total ? lastByteAt : now, tenthAtMillis.clone(),
                path.aToB().stats(), path.bToA().stats(), maxOfferedInOneSecond(),
                queueSamples == 0 ? 0 : queueBytesSum / queueSamples, queueBytesMax, a.stats());
    }

    private void step(long now) {
        int toB = 0;
        if (now >= holdUntilMillis) {
            toB = path.aToB().deliverDue(now, (p, due) -> input(b, p, now));
        }
        int toA = path.bToA().deliverDue(now, (p, due) -> input(a, p, now));
        if (!config.immediateAcks()) {
            // As the UDP transport does: acks leave after each batch of reads, not after each packet.
            if (toB > 0) {
                b.flush(now);
            }
            if (toA > 0) {
                a.flush(now);
            }
        }
        drain(now);
        if (push()) {
            a.flush(now);
        }
        if (a.nextUpdate(now) <= now) {
            a.update(now);
        }
        if (b.nextUpdate(now) <= now) {
            b.update(now);
        }
        if (TRACE_MILLIS > 0 && now % TRACE_MILLIS == 0 && now != lastTrace) {
            lastTrace = now;
            System.out.println("t=" + now + " got " + received + " " + senderControl + " q=" + path.aToB().queuedBytes(now)
                    + " " + path.aToB().stats());
        }
        if (path.aToB().profile().rateLimited()) {
            long q = path.aToB().queuedBytes(now);
            queueSamples++;
            queueBytesSum += q;
            queueBytesMax = Math.max(queueBytesMax, q);
        }
    }

    private void input(KcpEngine e, byte[] p, long now) {
        if (!e.input(p, 0, p.length, now)) {
            throw new AssertionError("input refused a " + p.length + "-byte packet the link delivered: " + describe());
        }
    }

    private boolean push() {
        boolean any = false;
        while (sent < total) {
            int want = (int) Math.min(CHUNK, total - sent);
            for (int i = 0; i < want; i++) {
                buf[i] = LossyLinkDriver.streamByte(streamSeed, sent + i);
            }
            int n = a.send(buf, 0, want);
            if (n == 0) {
                break;
            }
            sent += n;
            any = true;
        }
        return any;
    }

    /** Reads all B has and checks it against A's stream: a wrong, missing or extra byte fails at once. */
    private void drain(long now) {
        for (int n; (n = b.receive(buf, 0, buf.length)) > 0; ) {
            if (received + n > total) {
                throw new AssertionError("B received " + (received + n) + " bytes of " + total + ": " + describe());
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] != LossyLinkDriver.streamByte(streamSeed, received + i)) {
                    throw new AssertionError("byte " + (received + i) + " of the stream is wrong (lost, reordered or "
                            + "duplicated data): " + describe());
                }
            }
            long before = received;
            received += n;
            for (int k = (int) (before * 10 / total) + 1; k <= received * 10 / total; k++) {
                tenthAtMillis[k] = now;
            }
            if (received == total) {
                lastByteAt = now;
            }
        }
    }

    private long maxOfferedInOneSecond() {
        long window = 0;
        long max = 0;
        int end = (int) Math.min(offeredPerMilli.length, clock.nowMillis() + 1);
        for (int t = 0; t < end; t++) {
            window += offeredPerMilli[t];
            if (t >= 1000) {
                window -= offeredPerMilli[t - 1000];
            }
            max = Math.max(max, window);
        }
        return max;
    }

    /** Everything needed to replay and understand a failure. */
    String describe() {
        return "seed " + seed + " (rerun with -Dferry.seed=" + seed + "), " + config + ", " + path + ", at "
                + clock.nowMillis() + " ms simulated after " + iterations + " iterations, B got " + received + "/"
                + total + " B; sender " + senderControl + ", " + a.stats() + "; A→B " + path.aToB().stats()
                + "; B→A " + path.bToA().stats();
    }

    /**
     * @param receivedBytes what B got, in order (all of it unless the run hit its time limit)
     * @param lastByteAtMillis when B had the whole stream (the transfer started at 0), or when the run was cut off
     * @param tenthAtMillis when B first had k tenths of the stream, k = 0..10 (0 where not reached)
     * @param maxOfferedInOneSecond the most bytes A offered its link in any 1000 ms
     * @param meanQueueBytes mean bottleneck queue occupancy A→B over the loop's steps (0 if not rate-limited)
     */
    record Result(long payloadBytes, long receivedBytes, long lastByteAtMillis, long[] tenthAtMillis, LinkStats forward, LinkStats backward,
                  long maxOfferedInOneSecond, double meanQueueBytes, long maxQueueBytes, KcpStats sender) {

        boolean finished() {
            return receivedBytes == payloadBytes;
        }

        /** Payload bytes per second B received. */
        double goodput() {
            return receivedBytes * 1000.0 / Math.max(lastByteAtMillis, 1);
        }

        /**
         * Goodput between B having 2 and 9 tenths of the stream: the steady state, without slow start or the tail,
         * which weigh on a short transfer far more than on the long ones users time.
         */
        double steadyGoodput() {
            return finished() ? payloadBytes * 0.7 * 1000 / Math.max(tenthAtMillis[9] - tenthAtMillis[2], 1) : 0;
        }

        /** Bytes offered to both links (data one way, acks the other) per payload byte received. */
        double wirePerPayload() {
            return (double) (forward.bytesOffered() + backward.bytesOffered()) / Math.max(receivedBytes, 1);
        }

        /**
         * As {@link #wirePerPayload}, with each packet's headers outside the engine counted too: what the UDP
         * transport adds (session id, packet number, kind, AEAD tag: 33 bytes) and UDP/IPv4 (28), so a figure to set
         * beside the emulated link's wire bytes per payload byte.
         */
        double ipWirePerPayload() {
            long packets = forward.packetsOffered() + backward.packetsOffered();
            return (double) (forward.bytesOffered() + backward.bytesOffered() + packets * PACKET_HEADERS)
                    / Math.max(receivedBytes, 1);
        }

        /** Share of A's packets the bottleneck queue dropped. */
        double queueDropShare() {
            return forward.packetsOffered() == 0 ? 0 : (double) forward.packetsQueueDropped() / forward.packetsOffered();
        }

        String summary(long capacity) {
            return String.format((finished() ? "" : "UNFINISHED, got " + receivedBytes + " of " + payloadBytes + " B: ")
                            + "goodput %.0f B/s (%.1f %% of capacity, steady %.1f %%), wire/payload %.3f (with packet "
                            + "headers %.3f), queue drops %.2f %%, "
                            + "mean queue %.0f B, max queue %d B, max offered in 1 s %d B, %d retransmits + %d fast",
                    goodput(), 100 * goodput() / capacity, 100 * steadyGoodput() / capacity, wirePerPayload(), ipWirePerPayload(), 100 * queueDropShare(), meanQueueBytes,
                    maxQueueBytes, maxOfferedInOneSecond, sender.retransmits(), sender.fastRetransmits());
        }
    }
}
