package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.FakeClock;
import dev.ferry.transport.sim.LinkStats;
import dev.ferry.transport.sim.SimulatedLink;
import dev.ferry.transport.sim.SimulatedPath;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Two {@link KcpEngine}s, A and B, joined by a {@link SimulatedPath} and driven in simulated time: each side's
 * application pushes a seeded byte stream into its engine as fast as {@code send} accepts it, and checks every byte
 * the engine hands back against the stream the other side sent. Both directions run at once.
 *
 * <p>The event loop advances a {@link FakeClock} to the earliest of the two engines' {@code nextUpdate} and the
 * path's next delivery; at each step it delivers due packets ({@code input}), drains {@code receive}, pushes more
 * with {@code send} and {@code flush}es, and calls {@code update} on an engine that is due. It fails, with
 * {@link #describe}, on a wrong or extra byte, a malformed packet, a dead link, or when it runs out of iterations or
 * simulated time. It also reads every packet on the wire (the KCP segment layout, {@link KcpWire}) to count PUSH
 * transmissions and retransmissions independently of the engine's own counters; a packet output twice in a row is
 * the engine's deliberate duplication of small packets and counts once.
 *
 * <p>Test-only, single-threaded, deterministic: the same seed, config and profiles give the same run.
 */
final class LossyLinkDriver {
    private static final int CONV = 0x0f_e2_21_01;
    private static final int MAX_CHUNK = 24 * 1024;
    /** Loop steps allowed before failing; a healthy run of these tests takes well under a hundredth of it. */
    static final long MAX_ITERATIONS = 3_000_000;
    /** Simulated time allowed before failing: ten minutes. */
    static final long MAX_SIMULATED_MILLIS = 600_000;

    private final long seed;
    private final KcpConfig config;
    private final SimulatedPath path;
    private final FakeClock clock = new FakeClock(0);
    private final SplittableRandom chunkSizes;
    private final Side a;
    private final Side b;
    private final int readerPauseMillis;
    private long iterations;

    /**
     * @param bytesPerDirection how much each side sends
     * @param readerPauseMillis 0: each application reads everything as soon as it arrives; else it alternately reads
     *     nothing for this long (starting at time 0) and then everything for this long, so that the receive buffer
     *     fills, the engine must close its window, the peer must probe it, and the reopened window must be told
     */
    LossyLinkDriver(long seed, KcpConfig config, SimulatedPath path, int bytesPerDirection, int readerPauseMillis) {
        this.seed = seed;
        this.config = config;
        this.path = path;
        this.readerPauseMillis = readerPauseMillis;
        SplittableRandom random = new SplittableRandom(seed ^ 0x6b63_7064_7269_7665L);
        this.chunkSizes = random.split();
        this.a = new Side("A", random.nextLong(), bytesPerDirection, path.aToB());
        this.b = new Side("B", random.nextLong(), bytesPerDirection, path.bToA());
        a.peer = b;
        b.peer = a;
    }

    /** Runs until both streams arrived whole and both engines have nothing unacknowledged; then drains the path. */
    Result run() {
        long now = clock.nowMillis();
        while (true) {
            if (++iterations > MAX_ITERATIONS) {
                throw fail("did not finish within " + MAX_ITERATIONS + " iterations");
            }
            if (now > MAX_SIMULATED_MILLIS) {
                throw fail("did not finish within " + MAX_SIMULATED_MILLIS + " ms of simulated time");
            }
            step(now);
            if (finished()) {
                break;
            }
            long next = Math.min(path.nextDeliveryTime(), Math.min(a.engine.nextUpdate(now), b.engine.nextUpdate(now)));
            if (readerPaused(now) && (a.engine.readable() > 0 || b.engine.readable() > 0)) {
                next = Math.min(next, (now / readerPauseMillis + 1) * readerPauseMillis); // the pause's end
            }
            if (next <= now) {
                // Work due now was done; only a packet sent at this very millisecond over a zero-delay link may
                // still be due. Anything else that claims to be due is retried a millisecond later.
                next = path.nextDeliveryTime() <= now ? now : now + 1;
            }
            clock.advanceTo(next);
            now = next;
        }
        long finishedAt = now;
        // Whatever is still on the wire (late duplicates, held-back packets) must change nothing.
        for (long t = path.nextDeliveryTime(); t != Long.MAX_VALUE; t = path.nextDeliveryTime()) {
            if (++iterations > MAX_ITERATIONS) {
                throw fail("the path did not drain within " + MAX_ITERATIONS + " iterations");
            }
            now = Math.max(now, t);
            clock.advanceTo(now);
            deliver(now);
            a.drain(now);
            b.drain(now);
        }
        return new Result(finishedAt, iterations, a.report(), b.report());
    }

    private void step(long now) {
        deliver(now);
        for (Side s : new Side[] {a, b}) {
            if (s.engine.isDead()) {
                throw fail("engine " + s.name + " declared the link dead");
            }
            s.drain(now);
            if (s.push()) {
                s.engine.flush(now);
            }
            if (s.engine.nextUpdate(now) <= now) {
                s.engine.update(now);
            }
        }
    }

    private void deliver(long now) {
        path.aToB().deliverDue(now, (p, due) -> b.input(p, now));
        path.bToA().deliverDue(now, (p, due) -> a.input(p, now));
    }

    private boolean readerPaused(long now) {
        return readerPauseMillis > 0 && (now / readerPauseMillis) % 2 == 0;
    }

    private boolean finished() {
        return a.done() && b.done() && a.engine.waitingSegments() == 0 && b.engine.waitingSegments() == 0;
    }

    /** Everything needed to replay and understand a failure: seed, config, path, time, both sides, both links. */
    String describe() {
        return "seed " + seed + " (rerun with -Dferry.seed=" + seed + "), " + config + ", " + path + ", at "
                + clock.nowMillis() + " ms simulated after " + iterations + " iterations; " + a.report() + "; "
                + b.report() + "; A→B " + path.aToB().stats() + "; B→A " + path.bToA().stats();
    }

    private AssertionError fail(String what) {
        return new AssertionError(what + ": " + describe());
    }

    /** One endpoint: its engine, the stream it sends, the stream it expects, and what it saw on the wire. */
    private final class Side {
        final String name;
        final KcpEngine engine;
        final long sendSeed;
        final int total;
        final byte[] sendBuf = new byte[MAX_CHUNK];
        final byte[] receiveBuf = new byte[MAX_CHUNK];
        final Set<Integer> pushSns = new HashSet<>();
        Side peer;
        long sent;
        long received;
        long pushTransmissions;
        long pushRetransmissions;
        long pushDelivered;
        long engineDuplicates;
        long zeroWindowAdvertised;
        long windowProbes;
        byte[] lastOutput = new byte[0];
        int lastOutputLength = -1;

        Side(String name, long sendSeed, int total, SimulatedLink out) {
            this.name = name;
            this.sendSeed = sendSeed;
            this.total = total;
            this.engine = new KcpEngine(CONV, config, (packet, length) -> {
                if (sameAsLastOutput(packet, length)) {
                    engineDuplicates++; // a small packet the engine sends again on purpose: not a retransmission
                } else {
                    countSegments(packet, length, true);
                }
                out.send(packet, 0, length, clock.nowMillis()); // the link copies, as KcpOutput requires
            });
        }

        boolean done() {
            return sent == total && received == peer.total;
        }

        /** Offers as much of the stream as the engine takes, in chunks of random size; true if it took any. */
        boolean push() {
            boolean any = false;
            while (sent < total) {
                int want = (int) Math.min(total - sent, 1 + chunkSizes.nextInt(MAX_CHUNK));
                fill(sendSeed, sent, sendBuf, want);
                int n = engine.send(sendBuf, 0, want);
                if (n < 0 || n > want) {
                    throw fail(name + ".send(" + want + " bytes) returned " + n);
                }
                if (n == 0) {
                    break;
                }
                sent += n;
                any = true;
            }
            return any;
        }

        /** Whether this output repeats the one just before it byte for byte; remembers it for the next call. */
        boolean sameAsLastOutput(byte[] packet, int length) {
            boolean same = length == lastOutputLength && Arrays.equals(packet, 0, length, lastOutput, 0, length);
            if (lastOutput.length < length) {
                lastOutput = new byte[length];
            }
            System.arraycopy(packet, 0, lastOutput, 0, length);
            lastOutputLength = length;
            return same;
        }

        void input(byte[] packet, long now) {
            countSegments(packet, packet.length, false);
            if (!engine.input(packet, 0, packet.length, now)) {
                throw fail(name + ".input refused a " + packet.length + "-byte packet the link delivered intact");
            }
        }

        /** Takes every readable byte, unless the reader is pausing, and checks each against the peer's stream. */
        void drain(long now) {
            if (readerPaused(now)) {
                return;
            }
            long expectSeed = peer.sendSeed;
            for (int n; (n = engine.receive(receiveBuf, 0, receiveBuf.length)) > 0; ) {
                if (received + n > peer.total) {
                    throw fail(name + " received " + (received + n) + " bytes but only " + peer.total
                            + " were sent (a segment delivered twice?)");
                }
                for (int i = 0; i < n; i++) {
                    byte want = streamByte(expectSeed, received + i);
                    if (receiveBuf[i] != want) {
                        throw fail(name + " byte " + (received + i) + " of the stream is " + receiveBuf[i]
                                + ", expected " + want + " (lost, reordered or duplicated data)");
                    }
                }
                received += n;
            }
        }

        /**
         * Walks the segments of a packet. Outgoing: counts PUSHes (and those whose sn went out before), window probes,
         * and segments advertising a zero window. Incoming: counts PUSHes.
         */
        void countSegments(byte[] packet, int length, boolean outgoing) {
            int off = 0;
            while (off < length) {
                if (length - off < KcpWire.HEADER_BYTES) {
                    throw fail(name + (outgoing ? " sent" : " got") + " a packet with a torn header at " + off);
                }
                int cmd = packet[off + 4] & 0xff;
                int sn = leInt(packet, off + 12);
                int len = leInt(packet, off + 20);
                if (len < 0 || len > length - off - KcpWire.HEADER_BYTES) {
                    throw fail(name + (outgoing ? " sent" : " got") + " a segment claiming " + len + " bytes");
                }
                if (outgoing && (packet[off + 6] | packet[off + 7]) == 0) {
                    zeroWindowAdvertised++;
                }
                if (outgoing && cmd == KcpWire.CMD_WASK) {
                    windowProbes++;
                }
                if (cmd == KcpWire.CMD_PUSH) {
                    if (outgoing) {
                        pushTransmissions++;
                        if (!pushSns.add(sn)) {
                            pushRetransmissions++;
                        }
                    } else {
                        pushDelivered++;
                    }
                }
                off += KcpWire.HEADER_BYTES + len;
            }
        }

        SideReport report() {
            return new SideReport(name, sent, total, received, peer.total, pushTransmissions, pushRetransmissions,
                    pushDelivered, engineDuplicates, zeroWindowAdvertised, windowProbes, engine.stats());
        }
    }

    private static int leInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** Byte {@code index} of the stream named by {@code seed}: random-access, so chunking never changes it. */
    static byte streamByte(long seed, long index) {
        long z = seed + (index >>> 3) * 0x9e37_79b9_7f4a_7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d0_49bb_1331_11ebL;
        z ^= z >>> 31;
        return (byte) (z >>> ((index & 7) << 3));
    }

    private static void fill(long seed, long from, byte[] into, int length) {
        for (int i = 0; i < length; i++) {
            into[i] = streamByte(seed, from + i);
        }
    }

    /**
     * What one side did.
     *
     * @param pushTransmissions PUSH segments it put on the wire
     * @param pushRetransmissions of those, ones whose sn it had sent before (seen on the wire)
     * @param pushDelivered PUSH segments the link delivered to it (link duplicates included)
     * @param engineDuplicates copies of a packet it output again right after it on purpose (small packets with data, see
     *     {@link KcpConfig#duplicateBelow()}); not counted among its transmissions
     * @param zeroWindowAdvertised segments it sent saying its receive window was full
     * @param windowProbes WASK segments it sent
     */
    record SideReport(String name, long sent, long toSend, long received, long toReceive, long pushTransmissions,
                      long pushRetransmissions, long pushDelivered, long engineDuplicates, long zeroWindowAdvertised,
                      long windowProbes, KcpStats stats) {
        @Override
        public String toString() {
            return name + "[sent " + sent + "/" + toSend + " B, received " + received + "/" + toReceive + " B, PUSH "
                    + pushTransmissions + " (" + pushRetransmissions + " again, " + engineDuplicates
                    + " packets doubled), got " + pushDelivered + " PUSH, " + zeroWindowAdvertised + " zero-window, "
                    + windowProbes + " probes, " + stats + "]";
        }
    }

    /** A finished run: when it finished, how many loop steps it took, and both sides. */
    record Result(long finishedAtMillis, long iterations, SideReport a, SideReport b) {
    }

    LinkStats aToB() {
        return path.aToB().stats();
    }

    LinkStats bToA() {
        return path.bToA().stats();
    }
}
