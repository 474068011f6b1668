package dev.ferry.bench.link;

import dev.ferry.transport.sim.LinkStats;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The link emulator process: creates two TUN devices in its own network namespace, joins them with a
 * {@link LinkEmulator}, prints {@code ready} and runs until SIGTERM/SIGINT, then prints the counters. Moving the
 * devices into namespaces and addressing them is {@code bench/link.sh}'s job.
 *
 * <p>Output, on standard output: one {@code ferry-link: ready ...} line once both devices exist, the profiles, and
 * one {@code ferry-link: a->b ...} and {@code b->a ...} counter line per direction at exit. Exit status: the JVM's
 * 128 + signal after SIGTERM/SIGINT, 1 when a device failed (e.g. its namespace was deleted under it) or could not
 * be created, 2 on a bad command line.
 */
public final class LinkEmulatorMain {
    private static final Duration STATS_EVERY = Duration.ofSeconds(1);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final LinkOptions options;
    private final long seed;
    private final PrintStream out;
    private final AtomicBoolean finished = new AtomicBoolean();
    private LinkEmulator emulator;

    private LinkEmulatorMain(LinkOptions options, long seed, PrintStream out) {
        this.options = options;
        this.seed = seed;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        LinkOptions options;
        try {
            options = LinkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ferry-link: " + e.getMessage());
            System.err.println(LinkOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(LinkOptions.USAGE);
            return;
        }
        OptionalLong seed = options.seed();
        LinkEmulatorMain main = new LinkEmulatorMain(options,
                seed.isPresent() ? seed.getAsLong() : ThreadLocalRandom.current().nextLong(), System.out);
        System.exit(main.run());
    }

    private int run() throws IOException, InterruptedException {
        try (Tun a = Tun.open(options.devA()); Tun b = Tun.open(options.devB())) {
            emulator = new LinkEmulator(a, b, options.aToB(), options.bToA(), seed, LinkEmulator.monotonicClock());
            Runtime.getRuntime().addShutdownHook(new Thread(this::finish, "link shutdown"));
            emulator.start();
            out.println("ferry-link: ready " + a.name() + " <-> " + b.name() + " seed " + seed + " pid "
                    + ProcessHandle.current().pid());
            out.println("ferry-link: a->b " + options.aToB());
            out.println("ferry-link: b->a " + options.bToA());
            out.flush();
            while (!emulator.awaitTermination(STATS_EVERY)) {
                writeStatsFile();
            }
            // Only a failed direction gets here: a signal runs finish() in the hook, and the JVM exits with it.
            finish();
            return emulator.failure() == null ? 0 : 1;
        } catch (IOException e) {
            System.err.println("ferry-link: " + e.getMessage());
            return 1;
        }
    }

    /** Stops both directions and reports, once, from the shutdown hook or after a failure. */
    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        emulator.stop();
        try {
            if (!emulator.awaitTermination(STOP_GRACE)) {
                System.err.println("ferry-link: a direction did not stop within " + STOP_GRACE.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (emulator.failure() != null) {
            System.err.println("ferry-link: stopped: " + emulator.failure().getMessage());
        }
        writeStatsFile();
        for (LinkForwarder f : emulator.directions()) {
            out.println("ferry-link: " + f.name() + " " + describe(f.published()));
        }
        out.flush();
    }

    static String describe(LinkForwarder.Counters c) {
        LinkStats s = c.link();
        return String.format("offered %d pkt %d B, delivered %d pkt %d B, lost %d pkt (%.2f%%), queue-dropped %d pkt"
                        + " (%.2f%%), in flight %d, send errors %d%s, late >1ms %d (max %.1f ms)",
                s.packetsOffered(), s.bytesOffered(), s.packetsDelivered(), s.bytesDelivered(), s.packetsLost(),
                percent(s.packetsLost(), s.packetsOffered()), s.packetsQueueDropped(),
                percent(s.packetsQueueDropped(), s.packetsOffered()), c.inFlight(), c.sendErrors(),
                c.lastSendError().isEmpty() ? "" : " (" + c.lastSendError() + ")", c.late(),
                c.maxLatenessMicros() / 1000.0);
    }

    /** Rewrites the stats file, if asked for, atomically: a reader sees the old or the new one, whole. */
    private void writeStatsFile() {
        if (options.statsFile().isEmpty()) {
            return;
        }
        Path file = options.statsFile().get();
        StringBuilder text = new StringBuilder("time=" + Instant.now() + "\nseed=" + seed + "\n");
        for (LinkForwarder f : emulator.directions()) {
            String p = f.name().replace("->", "") + ".";
            LinkForwarder.Counters c = f.published();
            LinkStats s = c.link();
            text.append(p).append("packetsOffered=").append(s.packetsOffered()).append('\n')
                    .append(p).append("bytesOffered=").append(s.bytesOffered()).append('\n')
                    .append(p).append("packetsDelivered=").append(s.packetsDelivered()).append('\n')
                    .append(p).append("bytesDelivered=").append(s.bytesDelivered()).append('\n')
                    .append(p).append("packetsLost=").append(s.packetsLost()).append('\n')
                    .append(p).append("bytesLost=").append(s.bytesLost()).append('\n')
                    .append(p).append("packetsQueueDropped=").append(s.packetsQueueDropped()).append('\n')
                    .append(p).append("bytesQueueDropped=").append(s.bytesQueueDropped()).append('\n')
                    .append(p).append("inFlight=").append(c.inFlight()).append('\n')
                    .append(p).append("sendErrors=").append(c.sendErrors()).append('\n')
                    .append(p).append("late=").append(c.late()).append('\n');
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("ferry-link: --stats-file " + file + ": " + e);
        }
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
