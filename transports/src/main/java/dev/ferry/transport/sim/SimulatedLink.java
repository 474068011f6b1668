package dev.ferry.transport.sim;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One direction of a simulated path: packets go in with {@link #send}, suffer what the {@link LinkProfile} says, and
 * come out of {@link #deliverDue} in delivery-time order (ties in the order they were scheduled).
 *
 * <p>Deterministic: every random choice comes from the {@link SplittableRandom} given to the constructor, split once
 * per feature (loss, burst, jitter, reordering, duplication) so that turning one feature on does not change the
 * choices another makes. Same random seed, profile and calls give the same deliveries. Everything about a packet is
 * decided when it is sent; time only decides when it comes out.
 *
 * <p>Time is milliseconds passed in by the caller and must never go backwards across calls. The bottleneck keeps
 * nanoseconds inside so that serialization at any rate is exact to within a nanosecond per packet.
 *
 * <p>Not thread-safe: one driver owns it. No threads, no wall clock.
 */
public final class SimulatedLink {
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final Comparator<InFlight> BY_DUE_THEN_ORDER =
            Comparator.comparingLong(InFlight::dueNanos).thenComparingLong(InFlight::order);

    private final LinkProfile profile;
    private final SplittableRandom lossRandom;
    private final SplittableRandom burstRandom;
    private final SplittableRandom jitterRandom;
    private final SplittableRandom reorderRandom;
    private final SplittableRandom duplicateRandom;

    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(BY_DUE_THEN_ORDER);
    /** Packets accepted by the bottleneck and not yet fully serialized, oldest first. */
    private final ArrayDeque<Queued> bottleneck = new ArrayDeque<>();
    private long bottleneckBytes;
    private long bottleneckBusyUntilNanos;
    private boolean burstBad;
    /** Delivery time of the last packet not held back; later ones never arrive before it (jitter does not reorder). */
    private long inOrderFloorNanos;
    private long nextOrder;
    private long lastNowMillis = Long.MIN_VALUE;

    private long packetsOffered;
    private long bytesOffered;
    private long packetsDelivered;
    private long bytesDelivered;
    private long packetsLost;
    private long bytesLost;
    private long packetsQueueDropped;
    private long bytesQueueDropped;
    private long packetsDuplicated;
    private long packetsReordered;

    /**
     * @param profile what the link does to packets
     * @param random the only source of randomness; the link splits it at construction and keeps the splits
     */
    public SimulatedLink(LinkProfile profile, SplittableRandom random) {
        this.profile = Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(random, "random");
        this.lossRandom = random.split();
        this.burstRandom = random.split();
        this.jitterRandom = random.split();
        this.reorderRandom = random.split();
        this.duplicateRandom = random.split();
    }

    public LinkProfile profile() {
        return profile;
    }

    /**
     * Offers a packet to the link at {@code nowMillis}. The bytes are copied; the caller may reuse {@code packet} at
     * once. The packet may be dropped (by the queue or by loss), and is then counted and forgotten.
     *
     * @throws IllegalArgumentException if {@code nowMillis} is before the time of an earlier call
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code packet}
     */
    public void send(byte[] packet, int off, int len, long nowMillis) {
        Objects.checkFromIndexSize(off, len, packet.length);
        advanceTo(nowMillis);
        long nowNanos = Math.multiplyExact(nowMillis, NANOS_PER_MILLI);
        packetsOffered++;
        bytesOffered += len;

        long departsNanos = nowNanos;
        if (profile.rateLimited()) {
            releaseSerializedBy(nowNanos);
            if (bottleneckBytes + len > profile.queueBytes()) {
                packetsQueueDropped++;
                bytesQueueDropped += len;
                return;
            }
            long start = Math.max(nowNanos, bottleneckBusyUntilNanos);
            departsNanos = start + Math.ceilDiv(len * NANOS_PER_SECOND, profile.rateBytesPerSecond());
            bottleneckBusyUntilNanos = departsNanos;
            bottleneck.addLast(new Queued(departsNanos, len));
            bottleneckBytes += len;
        }

        // Both loss draws always happen, so each random stream advances once per packet whatever the other decides.
        boolean lostAtRandom = chance(lossRandom, profile.loss());
        boolean lostInBurst = burstLoses();
        if (lostAtRandom || lostInBurst) {
            packetsLost++;
            bytesLost += len;
            return;
        }

        long dueNanos = departsNanos + profile.delayMillis() * NANOS_PER_MILLI;
        if (profile.jitterMillis() > 0) {
            dueNanos += jitterRandom.nextLong(profile.jitterMillis() * NANOS_PER_MILLI + 1);
        }
        if (chance(reorderRandom, profile.reorder())) {
            dueNanos += profile.reorderDelayMillis() * NANOS_PER_MILLI;
            packetsReordered++;
        } else {
            dueNanos = Math.max(dueNanos, inOrderFloorNanos);
            inOrderFloorNanos = dueNanos;
        }

        byte[] copy = Arrays.copyOfRange(packet, off, off + len);
        inFlight.add(new InFlight(dueNanos, nextOrder++, copy));
        if (chance(duplicateRandom, profile.duplicate())) {
            inFlight.add(new InFlight(dueNanos, nextOrder++, copy.clone()));
            packetsDuplicated++;
        }
    }

    /** Convenience for {@code send(packet, 0, packet.length, nowMillis)}. */
    public void send(byte[] packet, long nowMillis) {
        send(packet, 0, packet.length, nowMillis);
    }

    /**
     * The first millisecond at which {@link #deliverDue} will hand over a packet, or {@link Long#MAX_VALUE} when
     * nothing is in flight.
     */
    public long nextDeliveryTime() {
        InFlight head = inFlight.peek();
        return head == null ? Long.MAX_VALUE : Math.ceilDiv(head.dueNanos(), NANOS_PER_MILLI);
    }

    /**
     * Hands every packet due at or before {@code nowMillis} to {@code sink}, in delivery-time order.
     *
     * @return how many packets were delivered
     * @throws IllegalArgumentException if {@code nowMillis} is before the time of an earlier call
     */
    public int deliverDue(long nowMillis, PacketSink sink) {
        Objects.requireNonNull(sink, "sink");
        advanceTo(nowMillis);
        long nowNanos = Math.multiplyExact(nowMillis, NANOS_PER_MILLI);
        int delivered = 0;
        while (!inFlight.isEmpty() && inFlight.peek().dueNanos() <= nowNanos) {
            InFlight p = inFlight.poll();
            packetsDelivered++;
            bytesDelivered += p.bytes().length;
            delivered++;
            sink.deliver(p.bytes(), Math.ceilDiv(p.dueNanos(), NANOS_PER_MILLI));
        }
        return delivered;
    }

    /** Packets scheduled for delivery and not yet delivered (duplicates count separately). */
    public int packetsInFlight() {
        return inFlight.size();
    }

    /** Bytes in the bottleneck buffer at {@code nowMillis}, the packet being serialized included; 0 when unlimited. */
    public long queuedBytes(long nowMillis) {
        advanceTo(nowMillis);
        releaseSerializedBy(Math.multiplyExact(nowMillis, NANOS_PER_MILLI));
        return bottleneckBytes;
    }

    public LinkStats stats() {
        return new LinkStats(packetsOffered, bytesOffered, packetsDelivered, bytesDelivered, packetsLost, bytesLost,
                packetsQueueDropped, bytesQueueDropped, packetsDuplicated, packetsReordered);
    }

    @Override
    public String toString() {
        return "SimulatedLink[" + profile + ", in flight " + inFlight.size() + "]";
    }

    private void advanceTo(long nowMillis) {
        if (nowMillis < lastNowMillis) {
            throw new IllegalArgumentException(
                    "time went backwards: " + nowMillis + " ms after " + lastNowMillis + " ms");
        }
        lastNowMillis = nowMillis;
    }

    private void releaseSerializedBy(long nowNanos) {
        while (!bottleneck.isEmpty() && bottleneck.peekFirst().departsNanos() <= nowNanos) {
            bottleneckBytes -= bottleneck.removeFirst().bytes();
        }
    }

    /** Steps the Gilbert-Elliott chain once, then draws the loss of the state it landed in. */
    private boolean burstLoses() {
        GilbertElliott ge = profile.burst();
        if (!ge.losesPackets()) {
            return false;
        }
        burstBad = burstBad ? !chance(burstRandom, ge.badToGood()) : chance(burstRandom, ge.goodToBad());
        return chance(burstRandom, burstBad ? ge.lossInBad() : ge.lossInGood());
    }

    private static boolean chance(SplittableRandom random, double p) {
        return p > 0 && random.nextDouble() < p;
    }

    private record Queued(long departsNanos, int bytes) {
    }

    private record InFlight(long dueNanos, long order, byte[] bytes) {
    }
}
