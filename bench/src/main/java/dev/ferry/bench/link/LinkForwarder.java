package dev.ferry.bench.link;

import dev.ferry.transport.sim.LinkProfile;
import dev.ferry.transport.sim.LinkStats;
import dev.ferry.transport.sim.SimulatedLink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One direction of the emulated link, driven in real time: packets read from {@code from} go through a
 * {@link SimulatedLink} (the same model the unit tests use) and are written to {@code to} when the link delivers them.
 *
 * <p>The loop: deliver what is due, then wait for the next packet no longer than until the next delivery falls due
 * (and at most {@link #MAX_WAIT_NANOS}, so that {@link #stop} is seen quickly); offer what was read to the link.
 * It sleeps in the device's wait, never spins: an idle direction wakes {@code 1 s / MAX_WAIT} times a second.
 *
 * <p>Time: {@code nanoClock} gives non-decreasing nanoseconds since some origin (≥ 0). {@link SimulatedLink} counts
 * time in whole units it calls milliseconds; driven in real milliseconds, a packet would be stamped with the
 * millisecond it was read in and written at the millisecond boundary it falls due at, which makes each direction's
 * delay up to 1 ms short (unlimited rate) or long (any rate cap: serialization rounds up to the next millisecond),
 * 2 ms on a round trip. So the forwarder runs the model on a finer clock, {@value #TICKS_PER_MILLI} model units per
 * real millisecond, with the profile scaled to match ({@link #modelProfile}): the error is then at most one tick
 * ({@value #NANOS_PER_TICK} ns) per direction. The model's decisions and counters do not depend on the scale.
 *
 * <p>Threading: {@link #run} is the one thread that touches the link and the devices' receive side of {@code from}
 * and send side of {@code to}. {@link #stop} and the {@code published…} getters may be called from any thread; the
 * counters they return are at most {@link #PUBLISH_EVERY_NANOS} old while running, exact once {@link #run} returned.
 */
public final class LinkForwarder implements Runnable {
    /** Longest single wait, hence the longest {@link #stop} takes to be noticed. */
    static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long PUBLISH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** Model time units per real millisecond; see the class comment. */
    static final int TICKS_PER_MILLI = 10;
    static final long NANOS_PER_TICK = NANOS_PER_MILLI / TICKS_PER_MILLI;
    /** A packet written this much after its due time counts as late (the driver could not keep up). */
    private static final long LATE_NANOS = NANOS_PER_MILLI;

    private final String name;
    private final PacketDevice from;
    private final PacketDevice to;
    private final LinkProfile profile;
    private final SimulatedLink link;
    private final LongSupplier nanoClock;
    private final byte[] buffer = new byte[PacketDevice.MAX_PACKET];

    private volatile boolean stopping;
    private volatile Counters published;
    private long sendErrors;
    private String lastSendError = "";
    private long late;
    private long maxLatenessNanos;
    private long nowNanos;
    private long lastPublishNanos;

    /**
     * @param name for messages, e.g. {@code "a->b"}
     * @param profile what this direction does to packets, in real time
     * @param random this direction's only source of randomness; the forwarder's model owns it from now on
     */
    public LinkForwarder(String name, PacketDevice from, PacketDevice to, LinkProfile profile, SplittableRandom random,
                         LongSupplier nanoClock) {
        this.name = Objects.requireNonNull(name, "name");
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        this.profile = Objects.requireNonNull(profile, "profile");
        this.link = new SimulatedLink(modelProfile(profile), random);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.published = counters();
    }

    /**
     * {@code profile} for a model clock running {@value #TICKS_PER_MILLI} times faster than real time: delays ×
     * {@value #TICKS_PER_MILLI}, rate ÷ {@value #TICKS_PER_MILLI} (rounded to whole bytes per model second: a relative
     * error of at most 5 / (rate in B/s), 4·10<sup>-6</sup> at 10 Mbit/s), loss and queue unchanged.
     */
    static LinkProfile modelProfile(LinkProfile profile) {
        long rate = profile.rateBytesPerSecond() == 0 ? 0
                : Math.max(1, Math.round(profile.rateBytesPerSecond() / (double) TICKS_PER_MILLI));
        return profile.withDelay(profile.delayMillis() * TICKS_PER_MILLI, profile.jitterMillis() * TICKS_PER_MILLI)
                .withReordering(profile.reorder(), profile.reorderDelayMillis() * TICKS_PER_MILLI)
                .withRateLimit(rate, profile.queueBytes());
    }

    /**
     * Forwards until {@link #stop}.
     *
     * @throws UncheckedIOException when {@code from} fails (a failed write to {@code to} is only counted)
     */
    @Override
    public void run() {
        try {
            while (!stopping) {
                pumpOnce();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        } finally {
            published = counters();
        }
    }

    /** One turn of the loop; {@link #run} repeats it. Visible for tests that drive it with a fake clock. */
    void pumpOnce() throws IOException {
        nowNanos = nanoClock.getAsLong();
        link.deliverDue(nowNanos / NANOS_PER_TICK, this::write);
        long next = link.nextDeliveryTime();
        long wait = next == Long.MAX_VALUE ? MAX_WAIT_NANOS
                : Math.clamp(next * NANOS_PER_TICK - nowNanos, 0, MAX_WAIT_NANOS);
        int n = from.receive(buffer, wait);
        if (n > 0) {
            link.send(buffer, 0, n, nanoClock.getAsLong() / NANOS_PER_TICK);
        }
        if (nowNanos - lastPublishNanos >= PUBLISH_EVERY_NANOS) {
            lastPublishNanos = nowNanos;
            published = counters();
        }
    }

    private void write(byte[] packet, long dueTick) {
        long lateness = nowNanos - dueTick * NANOS_PER_TICK;
        if (lateness > LATE_NANOS) {
            late++;
        }
        maxLatenessNanos = Math.max(maxLatenessNanos, lateness);
        try {
            to.send(packet, 0, packet.length);
        } catch (IOException e) {
            sendErrors++;
            lastSendError = e.getMessage();
        }
    }

    /** Asks {@link #run} to return; it does within {@link #MAX_WAIT_NANOS} plus one device call. */
    public void stop() {
        stopping = true;
    }

    public String name() {
        return name;
    }

    /** The profile as given, in real time. */
    public LinkProfile profile() {
        return profile;
    }

    /** The latest counters; see the class comment for how fresh. */
    public Counters published() {
        return published;
    }

    /** Exact counters now; only from the thread that runs the loop (or a test driving {@link #pumpOnce}). */
    Counters counters() {
        return new Counters(link.stats(), link.packetsInFlight(), sendErrors, lastSendError, late,
                maxLatenessNanos / 1_000);
    }

    /**
     * One direction's counters.
     *
     * @param link what the model did: offered (read from the device), delivered, lost, queue-dropped
     * @param inFlight packets accepted and not yet delivered
     * @param sendErrors delivered packets the receiving device refused (not in {@code link}'s drops)
     * @param lastSendError the last refusal's reason, or empty
     * @param late packets written more than 1 ms after they were due (the forwarder fell behind)
     * @param maxLatenessMicros the worst of those delays, in microseconds
     */
    public record Counters(LinkStats link, int inFlight, long sendErrors, String lastSendError, long late,
                           long maxLatenessMicros) {
    }
}
