package dev.ferry.bench.link;

import dev.ferry.transport.sim.LinkProfile;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Two devices joined by an emulated link: a thread per direction, each a {@link LinkForwarder} with its own
 * {@code SimulatedLink}. The devices stay the caller's: this class never closes them.
 *
 * <p>Randomness: both directions draw from one {@code seed} (split once per direction), so a run with the same seed
 * makes the same loss decisions for the same sequence of packets.
 *
 * <p>Lifecycle: {@link #start} once; then {@link #awaitTermination} returns when {@link #stop} was called or a
 * direction failed (a device could no longer be read), in which case the other one is stopped too and
 * {@link #failure} says why. Thread-safe.
 */
public final class LinkEmulator {
    private final LinkForwarder aToB;
    private final LinkForwarder bToA;
    private final Thread[] threads;
    private final CountDownLatch ended = new CountDownLatch(2);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * @param nanoClock non-decreasing nanoseconds since an origin, ≥ 0; shared by both directions
     */
    public LinkEmulator(PacketDevice a, PacketDevice b, LinkProfile aToBProfile, LinkProfile bToAProfile, long seed,
                        LongSupplier nanoClock) {
        SplittableRandom random = new SplittableRandom(seed);
        this.aToB = new LinkForwarder("a->b", a, b, aToBProfile, random.split(), nanoClock);
        this.bToA = new LinkForwarder("b->a", b, a, bToAProfile, random.split(), nanoClock);
        this.threads = new Thread[] {thread(aToB, a, b), thread(bToA, b, a)};
    }

    /** Nanoseconds of {@link System#nanoTime()} since the call that made this clock: what production uses. */
    public static LongSupplier monotonicClock() {
        long origin = System.nanoTime();
        return () -> System.nanoTime() - origin;
    }

    public void start() {
        for (Thread t : threads) {
            t.start();
        }
    }

    /** Asks both directions to stop; {@link #awaitTermination} tells when they have. */
    public void stop() {
        aToB.stop();
        bToA.stop();
    }

    /** Waits until both directions have ended, at most {@code timeout}; whether they have. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits until both directions have ended. */
    public void awaitTermination() throws InterruptedException {
        ended.await();
    }

    /** Why a direction ended on its own, or null while none has. */
    public Throwable failure() {
        return failure.get();
    }

    /** a→b then b→a. */
    public List<LinkForwarder> directions() {
        return List.of(aToB, bToA);
    }

    private Thread thread(LinkForwarder forwarder, PacketDevice from, PacketDevice to) {
        Objects.requireNonNull(from, "device");
        Objects.requireNonNull(to, "device");
        Runnable body = () -> {
            try {
                forwarder.run();
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
                stop();
            } finally {
                ended.countDown();
            }
        };
        return Thread.ofPlatform().name("link " + forwarder.name() + " " + from.name() + "->" + to.name())
                .daemon(true).unstarted(body);
    }
}
