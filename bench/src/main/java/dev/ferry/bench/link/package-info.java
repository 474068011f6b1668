/**
 * A lossy WAN on one machine: two TUN devices, each moved into its own network namespace by {@code bench/link.sh},
 * joined by a user-space forwarder that runs transports' {@link dev.ferry.transport.sim.SimulatedLink} (the model the
 * unit tests use) in real time, one per direction. This kernel has no {@code netem}; this is its stand-in.
 *
 * <p>{@link dev.ferry.bench.link.PacketDevice} is the device seam ({@link dev.ferry.bench.link.Tun} through FFM in
 * production, queues in tests); {@link dev.ferry.bench.link.LinkForwarder} is one direction's loop;
 * {@link dev.ferry.bench.link.LinkEmulator} runs both; {@link dev.ferry.bench.link.LinkOptions} is the validated
 * command line of {@link dev.ferry.bench.link.LinkEmulatorMain}.
 */
package dev.ferry.bench.link;
