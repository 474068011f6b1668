package dev.ferry.bench.link;

import dev.ferry.transport.sim.GilbertElliott;
import dev.ferry.transport.sim.LinkProfile;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The link emulator's command line, validated into typed values before any device is opened. Every error is an
 * {@link IllegalArgumentException} whose message names the flag.
 *
 * <p>Each impairment flag comes in three spellings: {@code --delay} sets both directions, {@code --ab-delay} only
 * a→b and {@code --ba-delay} only b→a; a one-direction flag wins over the two-direction one, in any order.
 *
 * @param devA TUN interface name on side a
 * @param devB TUN interface name on side b
 * @param aToB what the link does to packets from a to b
 * @param bToA what it does from b to a
 * @param seed the random seed, empty to pick one (and print it, so that the run can be replayed)
 * @param statsFile where to rewrite the counters every second, empty for none
 * @param help whether {@code --help} was given (the rest is then defaults)
 */
public record LinkOptions(String devA, String devB, LinkProfile aToB, LinkProfile bToA, OptionalLong seed,
                          Optional<Path> statsFile, boolean help) {

    public static final String DEFAULT_DEV_A = "ferry-a0";
    public static final String DEFAULT_DEV_B = "ferry-b0";
    /** Bottleneck buffer when {@code --rate} is given without {@code --queue}. */
    public static final int DEFAULT_QUEUE_BYTES = 64 * 1024;

    public static final String USAGE = """
            usage: LinkEmulatorMain [options]   (bench/link.sh runs it; see bench/README.md)
              --dev-a NAME, --dev-b NAME   TUN interfaces to create (default ferry-a0, ferry-b0)
              --seed N                     random seed (default: random, printed)
              --stats-file PATH            rewrite the counters there every second and on exit
            impairments; --X sets both directions, --ab-X only a->b, --ba-X only b->a:
              --delay T     one-way delay: 25ms, 0.1s, or plain milliseconds (default 0)
              --jitter T    extra delay drawn uniformly from [0, T]; never reorders (default 0)
              --loss P      independent loss: 0.05 or 5% (default 0)
              --burst G     Gilbert-Elliott burst loss: p,r (classic Gilbert: good->bad p, bad->good r, all lost
                            while bad) or p,r,lossGood,lossBad; 'none' (default)
              --rate R      bottleneck: 20mbit, 500kbit, 1gbit, 64000bit; 0 = unlimited (default)
              --queue B     bottleneck tail-drop buffer: 64k, 1m, 65536 (bytes, k = 1024; default 64k)""";

    private enum Knob { DELAY, JITTER, LOSS, BURST, RATE, QUEUE }

    /** @throws IllegalArgumentException naming the offending flag */
    public static LinkOptions parse(String... args) {
        String devA = DEFAULT_DEV_A;
        String devB = DEFAULT_DEV_B;
        OptionalLong seed = OptionalLong.empty();
        Optional<Path> statsFile = Optional.empty();
        boolean help = false;
        Map<Knob, String> both = new EnumMap<>(Knob.class);
        Map<Knob, String> ab = new EnumMap<>(Knob.class);
        Map<Knob, String> ba = new EnumMap<>(Knob.class);

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument \"" + arg + "\" (flags start with --)");
            }
            String flag = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            switch (flag) {
                case "--dev-a" -> devA = value;
                case "--dev-b" -> devB = value;
                case "--seed" -> seed = OptionalLong.of(parseLong(flag, value));
                case "--stats-file" -> statsFile = Optional.of(Path.of(value));
                default -> {
                    String bare = flag.substring(2);
                    Map<Knob, String> target = both;
                    if (bare.startsWith("ab-")) {
                        target = ab;
                        bare = bare.substring(3);
                    } else if (bare.startsWith("ba-")) {
                        target = ba;
                        bare = bare.substring(3);
                    }
                    Knob knob;
                    try {
                        knob = Knob.valueOf(bare.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("unknown flag " + flag + " (--help lists them)");
                    }
                    target.put(knob, value);
                }
            }
        }
        if (devA.equals(devB)) {
            throw new IllegalArgumentException("--dev-a and --dev-b must differ, both are " + devA);
        }
        return new LinkOptions(devA, devB, profile("ab-", ab, both), profile("ba-", ba, both), seed, statsFile, help);
    }

    private static LinkProfile profile(String prefix, Map<Knob, String> own, Map<Knob, String> both) {
        LinkProfile p = LinkProfile.PERFECT;
        String delayFlag = flag(prefix, Knob.DELAY, own);
        String jitterFlag = flag(prefix, Knob.JITTER, own);
        long delay = millis(delayFlag, value(Knob.DELAY, own, both, "0"));
        long jitter = millis(jitterFlag, value(Knob.JITTER, own, both, "0"));
        double loss = probability(flag(prefix, Knob.LOSS, own), value(Knob.LOSS, own, both, "0"));
        GilbertElliott burst = burst(flag(prefix, Knob.BURST, own), value(Knob.BURST, own, both, "none"));
        String rateFlag = flag(prefix, Knob.RATE, own);
        long rate = bytesPerSecond(rateFlag, value(Knob.RATE, own, both, "0"));
        String queueFlag = flag(prefix, Knob.QUEUE, own);
        String queueValue = value(Knob.QUEUE, own, both, null);
        int queue = 0;
        if (rate > 0) {
            queue = queueValue == null ? DEFAULT_QUEUE_BYTES : bytes(queueFlag, queueValue);
        } else if (queueValue != null) {
            throw new IllegalArgumentException(queueFlag + " " + queueValue + " needs a rate (" + rateFlag + ")");
        }
        return p.withDelay(delay, jitter).withLoss(loss).withBurstLoss(burst).withRateLimit(rate, queue);
    }

    private static String value(Knob knob, Map<Knob, String> own, Map<Knob, String> both, String fallback) {
        return own.getOrDefault(knob, both.getOrDefault(knob, fallback));
    }

    /** The flag as the user wrote it, for messages. */
    private static String flag(String prefix, Knob knob, Map<Knob, String> own) {
        return "--" + (own.containsKey(knob) ? prefix : "") + knob.name().toLowerCase(Locale.ROOT);
    }

    /** {@code 25ms}, {@code 0.1s}, {@code 25}: whole milliseconds. */
    static long millis(String flag, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        BigDecimal scale = BigDecimal.ONE;
        if (v.endsWith("ms")) {
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            v = v.substring(0, v.length() - 1);
            scale = BigDecimal.valueOf(1000);
        }
        BigDecimal ms = decimal(flag, value, v).multiply(scale);
        if (ms.signum() < 0 || ms.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(flag + " must be a whole number of milliseconds >= 0, got " + value);
        }
        return ms.longValueExact();
    }

    /** {@code 0.05} or {@code 5%}. */
    static double probability(String flag, String value) {
        String v = value.trim();
        double p = v.endsWith("%") ? decimal(flag, value, v.substring(0, v.length() - 1)).doubleValue() / 100
                : decimal(flag, value, v).doubleValue();
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(flag + " must be a probability in [0, 1] (or 0%..100%), got " + value);
        }
        return p;
    }

    /** {@code none}, {@code p,r} (classic Gilbert) or {@code p,r,lossGood,lossBad}. */
    static GilbertElliott burst(String flag, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("none") || v.equals("0")) {
            return GilbertElliott.NONE;
        }
        String[] parts = v.split(",");
        if (parts.length != 2 && parts.length != 4) {
            throw new IllegalArgumentException(flag + " takes p,r or p,r,lossGood,lossBad, got " + value);
        }
        double[] q = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            q[i] = probability(flag, parts[i]);
        }
        return parts.length == 2 ? GilbertElliott.gilbert(q[0], q[1]) : new GilbertElliott(q[0], q[1], q[2], q[3]);
    }

    /** {@code 20mbit}, {@code 500kbit}, {@code 1gbit}, {@code 64000bit}, {@code 0}: bytes per second. */
    static long bytesPerSecond(String flag, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("0") || v.equals("unlimited")) {
            return 0;
        }
        long multiplier;
        if (v.endsWith("kbit")) {
            multiplier = 1_000;
        } else if (v.endsWith("mbit")) {
            multiplier = 1_000_000;
        } else if (v.endsWith("gbit")) {
            multiplier = 1_000_000_000;
        } else if (v.endsWith("bit")) {
            multiplier = 1;
        } else {
            throw new IllegalArgumentException(flag + " needs a unit (bit, kbit, mbit, gbit), got " + value);
        }
        String number = v.substring(0, v.length() - (multiplier == 1 ? 3 : 4));
        BigDecimal bits = decimal(flag, value, number).multiply(BigDecimal.valueOf(multiplier));
        long bytes = bits.divide(BigDecimal.valueOf(8), 0, RoundingMode.HALF_UP).longValue();
        if (bits.signum() < 0 || bytes < 1) {
            throw new IllegalArgumentException(flag + " must be 0 (unlimited) or at least 8bit, got " + value);
        }
        return bytes;
    }

    /** {@code 65536}, {@code 64k}, {@code 64kb}, {@code 1m}: bytes, k = 1024. */
    static int bytes(String flag, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        long multiplier = 1;
        if (v.endsWith("k")) {
            multiplier = 1024;
        } else if (v.endsWith("m")) {
            multiplier = 1024 * 1024;
        }
        if (multiplier > 1) {
            v = v.substring(0, v.length() - 1);
        }
        BigDecimal b = decimal(flag, value, v).multiply(BigDecimal.valueOf(multiplier));
        if (b.signum() <= 0 || b.stripTrailingZeros().scale() > 0 || b.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(flag + " must be a whole number of bytes in [1, 2^31), got " + value);
        }
        return b.intValueExact();
    }

    private static long parseLong(String flag, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got " + value);
        }
    }

    private static BigDecimal decimal(String flag, String original, String number) {
        try {
            return new BigDecimal(number.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": cannot read \"" + original + "\"");
        }
    }
}
