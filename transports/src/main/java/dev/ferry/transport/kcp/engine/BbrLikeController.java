package dev.ferry.transport.kcp.engine;

/**
 * A model-based controller after BBR (Cardwell et al., "BBR: Congestion-Based Congestion Control", ACM Queue 2016,
 * and the IETF drafts): it estimates the bottleneck bandwidth (the largest delivery rate of the last
 * {@value #BANDWIDTH_WINDOW_ROUNDS} round trips) and the propagation delay (the least RTT of the last
 * {@value #MIN_RTT_WINDOW_MILLIS} ms), paces at a gain times the bandwidth, and caps what flies at
 * {@value #CWND_GAIN} x their product plus {@value #EXTRA_SEGMENTS} segments.
 *
 * <p>Phases: STARTUP paces at {@value #STARTUP_GAIN} x (doubling each round trip) until the bandwidth has not grown by
 * a quarter for {@value #FULL_BANDWIDTH_ROUNDS} rounds; DRAIN paces below the estimate until the queue it built is
 * gone; PROBE_BW then cycles gains 1.25, 0.75 and six times 1, one propagation delay each, to find more bandwidth
 * and give back the queue the probe built; PROBE_RTT drops to {@value #MIN_WINDOW} segments for
 * {@value #PROBE_RTT_MILLIS} ms when the delay estimate has not been confirmed for its whole window.
 *
 * <p>Loss: random loss does not cut the rate (the point of this controller; losses are retransmitted within the
 * paced budget). What it does react to is loss that can only mean overflowing the bottleneck queue: a round trip
 * in which more than {@value #HEAVY_LOSS} of the bytes (and at least {@value #HEAVY_LOSS_MIN_SEGMENTS} segments) were
 * lost. In STARTUP that ends the startup (the pipe is full), which saves most of the overshoot into a shallow queue;
 * in PROBE_BW it replaces the bandwidth estimate with what that round actually delivered (the bottleneck got
 * slower, or another flow took a share) and drains for a phase.
 *
 * <p>Departures from BBR, for lossy and shallow-buffered paths: the pacing rate and window use the estimate divided
 * by (1 - the random loss of quiet rounds), because the delivery rate counts only what arrived (see
 * {@link #learnRandomLoss}, which also says how an over-estimate is reined in); STARTUP also ends as soon as RTT
 * samples show a standing queue (see {@link #queued}); the first rounds of PROBE_BW ignore the heavy loss the
 * startup's overshoot left behind. Compensation stops at {@value #MAX_COMPENSATED_LOSS} loss; beyond about that the
 * estimate sinks, as BBR's does.
 *
 * <p>Timeouts are ignored too: with KCP's short minimum RTO most are lost acks or a burst, and the window already
 * bounds what an outage can waste.
 *
 * <p>Bytes are wire bytes of PUSH segments; the window is counted in segments of {@code mtu} wire bytes. One
 * instance per engine, on its thread.
 */
final class BbrLikeController implements PacedCongestionControl {
    /** 2 / ln 2: the smallest gain that doubles the delivery rate every round trip. */
    static final double STARTUP_GAIN = 2.885;
    static final double CWND_GAIN = 2;
    /** Pacing a hair below the estimate keeps a queue from building when the estimate is exact. */
    static final double PACING_MARGIN = 0.99;
    static final int BANDWIDTH_WINDOW_ROUNDS = 10;
    static final long MIN_RTT_WINDOW_MILLIS = 10_000;
    static final long PROBE_RTT_MILLIS = 200;
    static final int FULL_BANDWIDTH_ROUNDS = 3;
    static final double FULL_BANDWIDTH_GROWTH = 1.25;
    static final double HEAVY_LOSS = 0.3;
    static final int HEAVY_LOSS_MIN_SEGMENTS = 8;
    /** As Chromium's QUIC starts; TCP's ten segments make a slow start on a long fat path. */
    static final int INITIAL_WINDOW = 32;
    static final int MIN_WINDOW = 4;
    /**
     * The shortest round trip the controller works with, in ms: the delivery-rate sampler's least interval (see
     * {@link DeliveryRateSampler#MIN_INTERVAL_MILLIS}). On a path with a shorter propagation delay (loopback, a LAN)
     * a bandwidth sample spans several round trips, so rounds, gain-cycle phases and the window's bandwidth-delay
     * product are measured against this instead: a round shorter than a sample would see no new bandwidth and end
     * the startup after {@value #FULL_BANDWIDTH_ROUNDS} ms at whatever the first sample said; an up-probe of one
     * 1 ms phase would average out within one sample and never raise the estimate; and a window of 2 x bandwidth x
     * 1 ms would throttle a sender whose acks come back in ms-sized bunches (host batching, timer ticks) to a
     * fraction of the path, which the next samples then confirm. Paths with a longer delay are unaffected.
     */
    static final int MIN_ROUND_MILLIS = DeliveryRateSampler.MIN_INTERVAL_MILLIS;
    /** Room for acks that arrive in bunches and the millisecond granularity of pacing and clock. */
    static final int EXTRA_SEGMENTS = 4;
    /** Random loss compensated for at most: beyond it the estimate is left to sink, as BBR's does. */
    static final double MAX_COMPENSATED_LOSS = 0.2;
    /** Weight of one round in the loss-rate average once it has seen this many rounds. */
    static final int LOSS_AVERAGE_ROUNDS = 8;
    /** A round whose least RTT exceeds the propagation delay by this fraction of it (at least 3 ms) saw a queue. */
    static final int QUEUE_TOLERANCE_DIVISOR = 16;
    static final int MIN_QUEUE_TOLERANCE_MILLIS = 3;
    static final int STARTUP_QUEUE_SAMPLES = 8;
    static final int STARTUP_QUEUE_MIN_MILLIS = 4;
    static final int STARTUP_QUEUE_MAX_MILLIS = 16;
    /** Phases at least one round after the up-probe's drain: what is lost in them was not the probe's doing. */
    private static final int FIRST_QUIET_PHASE = 3;
    private static final double[] CYCLE_GAINS = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    private static final int DRAIN_PHASE = 1;

    enum Mode { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    private final int mtu;
    private final long phaseSeed;
    private final BandwidthFilter bandwidth = new BandwidthFilter(BANDWIDTH_WINDOW_ROUNDS);
    private final MinRttFilter minRtt = new MinRttFilter(MIN_RTT_WINDOW_MILLIS);

    private Mode mode = Mode.STARTUP;
    private long round;
    private long roundStartMillis;
    private long nextRoundDelivered;
    private long roundDeliveredMark;
    private long roundLostMark;
    private long roundMaxRate;
    private long lastRoundMaxRate;
    private long fullBandwidth;
    private int roundsWithoutGrowth;
    private boolean filledPipe;
    private int cycleIndex;
    private long cycleStart;
    private long probeBandwidthSinceRound;
    private long probeRttDoneAt = -1;
    private int probeRttMin = Integer.MAX_VALUE;
    private long cwndBytes;
    private long pacingRate;
    private int srtt;
    private long heavyLossRounds;
    private double randomLoss;
    private int lossRounds;
    private int roundMinRtt = Integer.MAX_VALUE;
    private int queuedRttSamples;
    private boolean startupQueueSeen;
    private long standingQueueRounds;

    /**
     * @param mtu wire bytes of a full segment
     * @param phaseSeed picks where the gain cycle starts (the engine passes its conv), so that flows sharing a
     *     bottleneck do not probe in step, while a run stays reproducible
     */
    BbrLikeController(int mtu, long phaseSeed) {
        this.mtu = mtu;
        this.phaseSeed = phaseSeed;
        this.cwndBytes = (long) INITIAL_WINDOW * mtu;
    }

    @Override
    public int window() {
        long w = Math.ceilDiv(cwndBytes, mtu);
        if (mode == Mode.PROBE_RTT) {
            w = Math.min(w, MIN_WINDOW);
        }
        return (int) Math.min(w, Integer.MAX_VALUE);
    }

    @Override
    public long pacingRate() {
        return pacingRate;
    }

    // onAcked, onFastRetransmit and onTimeout stay the interface's no-ops: everything is learned from the rate
    // samples, random loss is not congestion, and heavy loss shows in the samples' loss counts.

    @Override
    public void onRttSample(int rttMillis, long nowMillis) {
        srtt = srtt == 0 ? Math.max(rttMillis, 1) : Math.max((7 * srtt + rttMillis) / 8, 1);
        minRtt.sample(rttMillis, nowMillis);
        roundMinRtt = Math.min(roundMinRtt, rttMillis);
        if (mode == Mode.STARTUP) {
            queuedRttSamples = queued(rttMillis) ? queuedRttSamples + 1 : 0;
            // The first, unpaced flight queues behind itself; judge from the first paced round on.
            startupQueueSeen |= queuedRttSamples >= STARTUP_QUEUE_SAMPLES && round >= 2;
        }
        if (mode == Mode.PROBE_RTT) {
            probeRttMin = Math.min(probeRttMin, rttMillis);
        }
        if (bandwidth.get() == 0) {
            // No delivery rate yet: pace the startup window over the round trip just measured.
            pacingRate = Math.max(pacingRate, (long) (STARTUP_GAIN * cwndBytes * 1000 / srtt));
        }
    }

    @Override
    public void onRateSample(RateSample s, long now) {
        boolean roundStart = false;
        boolean heavyLoss = false;
        if (s.priorDelivered() >= nextRoundDelivered && now - roundStartMillis >= MIN_ROUND_MILLIS) {
            nextRoundDelivered = s.delivered();
            roundStartMillis = now;
            round++;
            roundStart = true;
            long lost = s.lost() - roundLostMark;
            long delivered = s.delivered() - roundDeliveredMark;
            heavyLoss = lost >= (long) HEAVY_LOSS_MIN_SEGMENTS * mtu && lost > HEAVY_LOSS * (lost + delivered);
            if (heavyLoss) {
                heavyLossRounds++;
            }
            double roundLoss = (double) lost / Math.max(lost + delivered, 1);
            if (mode == Mode.PROBE_BW && cycleIndex >= FIRST_QUIET_PHASE && !heavyLoss) {
                learnRandomLoss(roundLoss, roundMinRtt, now);
            } else if (mode == Mode.STARTUP && round > 2 && !startupQueueSeen && !heavyLoss) {
                // Startup rounds before any queue formed lose only at random: learning there has the
                // compensation ready when PROBE_BW begins, many round trips sooner on a long path.
                averageRandomLoss(roundLoss);
            }
            roundLostMark = s.lost();
            roundDeliveredMark = s.delivered();
            lastRoundMaxRate = roundMaxRate;
            roundMaxRate = 0;
            roundMinRtt = Integer.MAX_VALUE;
        }
        long rate = s.deliveryRate();
        if (rate > 0) {
            if (!s.appLimited() || rate >= bandwidth.get()) {
                bandwidth.update(rate, round);
            }
            if (!s.appLimited()) {
                roundMaxRate = Math.max(roundMaxRate, rate);
            }
        }
        updateMode(s, now, roundStart, heavyLoss);
        updatePacingRate();
        updateWindow(s);
    }

    private void updateMode(RateSample s, long now, boolean roundStart, boolean heavyLoss) {
        if (mode == Mode.STARTUP) {
            if (roundStart && !s.appLimited()) {
                checkFullBandwidth();
            }
            if (heavyLoss || startupQueueSeen) {
                filledPipe = true;
            }
            if (filledPipe) {
                mode = Mode.DRAIN;
            }
        }
        if (mode == Mode.DRAIN && s.inFlightBytes() <= bdpBytes(1)) {
            enterProbeBandwidth(now);
        } else if (mode == Mode.PROBE_BW) {
            // The first rounds after the drain still report what the startup's overshoot lost.
            if (heavyLoss && lastRoundMaxRate > 0 && round > probeBandwidthSinceRound + 1) {
                bandwidth.reset(lastRoundMaxRate, round);
                cycleIndex = DRAIN_PHASE;
                cycleStart = now;
            } else {
                advanceCycle(s, now);
            }
        }
        if (mode != Mode.PROBE_RTT && minRtt.expired(now)) {
            mode = Mode.PROBE_RTT;
            probeRttDoneAt = -1;
            probeRttMin = Integer.MAX_VALUE;
        }
        if (mode == Mode.PROBE_RTT) {
            if (probeRttDoneAt < 0) {
                if (s.inFlight() <= MIN_WINDOW) {
                    probeRttDoneAt = now + Math.max(PROBE_RTT_MILLIS, minRtt.get());
                }
            } else if (now >= probeRttDoneAt) {
                minRtt.restart(probeRttMin == Integer.MAX_VALUE ? minRtt.get() : probeRttMin, now);
                if (filledPipe) {
                    enterProbeBandwidth(now);
                } else {
                    mode = Mode.STARTUP;
                }
            }
        }
    }

    /**
     * Loss compensation. The delivery rate counts only what arrived, so on a path that loses a share p of packets
     * after the bottleneck the bandwidth estimate settles at (1 - p) x the bottleneck, and pacing at it would leave
     * that share of the link idle: goodput (1 - p)^2. The controller therefore paces at the estimate / (1 - p'),
     * with p' the average loss of quiet rounds (steady phases, at least a round after an up-probe, so the probe's
     * own queue overflow is not counted).
     *
     * <p>Safety: an over-estimate of p (spurious retransmissions count as loss) would pace above the bottleneck, and
     * the overflow would feed the estimate. A quiet round whose least RTT shows a standing queue therefore halves p'
     * and drains for a phase, which makes any such excess short-lived; and p' is capped at
     * {@value #MAX_COMPENSATED_LOSS}.
     */
    private void learnRandomLoss(double roundLoss, int leastRtt, long now) {
        int rtt = minRtt.get();
        int tolerance = Math.max(MIN_QUEUE_TOLERANCE_MILLIS, rtt / QUEUE_TOLERANCE_DIVISOR);
        if (rtt >= 0 && leastRtt != Integer.MAX_VALUE && leastRtt > rtt + tolerance) {
            standingQueueRounds++;
            randomLoss /= 2;
            cycleIndex = DRAIN_PHASE;
            cycleStart = now;
            return;
        }
        averageRandomLoss(roundLoss);
    }

    private void averageRandomLoss(double roundLoss) {
        lossRounds++;
        randomLoss += (roundLoss - randomLoss) / Math.min(lossRounds, LOSS_AVERAGE_ROUNDS);
    }

    /** The bandwidth estimate corrected for random loss after the bottleneck (see {@link #learnRandomLoss}). */
    private long compensatedBandwidth() {
        return (long) (bandwidth.get() / (1 - Math.min(randomLoss, MAX_COMPENSATED_LOSS)));
    }

    /**
     * Whether an RTT sample shows a queue, by HyStart++'s measure: more than the propagation delay plus 1/8 of it
     * (within 4..16 ms). {@value #STARTUP_QUEUE_SAMPLES} such samples in a row during STARTUP mean the startup
     * sends faster than the bottleneck drains: it ends there, rather than at the bandwidth plateau (rounds later,
     * as the queue lengthens each round) or at heavy loss, which saves most of the overshoot into the queue. The
     * bandwidth estimate needs no more rounds: while DRAIN empties the queue, acks still come at the bottleneck's
     * rate.
     */
    private boolean queued(int rttMillis) {
        int rtt = minRtt.get();
        int tolerance = Math.clamp(rtt / 8, STARTUP_QUEUE_MIN_MILLIS, STARTUP_QUEUE_MAX_MILLIS);
        return rtt >= 0 && rttMillis > rtt + tolerance;
    }

    private void checkFullBandwidth() {
        long bw = bandwidth.get();
        if (bw >= fullBandwidth * FULL_BANDWIDTH_GROWTH) {
            fullBandwidth = bw;
            roundsWithoutGrowth = 0;
        } else if (++roundsWithoutGrowth >= FULL_BANDWIDTH_ROUNDS) {
            filledPipe = true;
        }
    }

    private void enterProbeBandwidth(long now) {
        mode = Mode.PROBE_BW;
        probeBandwidthSinceRound = round;
        // Any phase but the draining one, chosen by the seed.
        int r = (int) Math.floorMod(phaseSeed + round, (long) CYCLE_GAINS.length - 1);
        cycleIndex = r >= DRAIN_PHASE ? r + 1 : r;
        cycleStart = now;
    }

    /** Each phase lasts one propagation delay; the draining phase ends early once the queue is gone. */
    private void advanceCycle(RateSample s, long now) {
        boolean next = now - cycleStart >= roundTripMillis();
        if (CYCLE_GAINS[cycleIndex] < 1 && s.inFlightBytes() <= bdpBytes(1)) {
            next = true;
        }
        if (next) {
            cycleIndex = (cycleIndex + 1) % CYCLE_GAINS.length;
            cycleStart = now;
        }
    }

    private void updatePacingRate() {
        long bw = bandwidth.get();
        if (bw == 0) {
            return;
        }
        double gain = switch (mode) {
            case STARTUP -> STARTUP_GAIN;
            case DRAIN -> 1 / STARTUP_GAIN;
            case PROBE_BW -> CYCLE_GAINS[cycleIndex];
            case PROBE_RTT -> 1;
        };
        long rate = (long) (gain * compensatedBandwidth() * PACING_MARGIN);
        // Until the pipe is full a smaller sample (one from a round cut short) must not slow the startup.
        pacingRate = filledPipe ? rate : Math.max(pacingRate, rate);
    }

    private void updateWindow(RateSample s) {
        long bw = bandwidth.get();
        boolean known = bw > 0 && minRtt.get() >= 0;
        double gain = mode == Mode.STARTUP || mode == Mode.DRAIN ? STARTUP_GAIN : CWND_GAIN;
        long target = known ? bdpBytes(gain) + (long) EXTRA_SEGMENTS * mtu : Long.MAX_VALUE;
        long grown = cwndBytes + s.newlyDelivered();
        if (filledPipe) {
            cwndBytes = Math.min(grown, target);
        } else if (cwndBytes < target || s.delivered() < (long) INITIAL_WINDOW * mtu) {
            cwndBytes = grown;
        }
        cwndBytes = Math.max(cwndBytes, (long) MIN_WINDOW * mtu);
    }

    /** {@code gain} x bandwidth x propagation delay (at least {@value #MIN_ROUND_MILLIS} ms), in bytes. */
    private long bdpBytes(double gain) {
        return (long) (gain * compensatedBandwidth() * roundTripMillis() / 1000);
    }

    /** The propagation delay, at least {@value #MIN_ROUND_MILLIS} ms (see there). */
    private int roundTripMillis() {
        return Math.max(minRtt.get(), MIN_ROUND_MILLIS);
    }

    Mode mode() {
        return mode;
    }

    long bandwidthEstimate() {
        return bandwidth.get();
    }

    int minRttMillis() {
        return minRtt.get();
    }

    double randomLoss() {
        return randomLoss;
    }

    long heavyLossRounds() {
        return heavyLossRounds;
    }

    @Override
    public String toString() {
        return "BbrLikeController[" + mode + ", bw " + bandwidth.get() + " B/s, min RTT " + minRtt.get() + " ms, round "
                + round + ", pacing " + pacingRate + " B/s, window " + window() + " seg"
                + (mode == Mode.PROBE_BW ? ", gain " + CYCLE_GAINS[cycleIndex] : "") + String.format(
                ", random loss %.3f, heavy-loss rounds %d, standing-queue rounds %d]", randomLoss, heavyLossRounds,
                standingQueueRounds);
    }
}
