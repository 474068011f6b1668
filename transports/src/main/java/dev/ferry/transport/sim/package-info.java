/**
 * A deterministic in-memory lossy link: the test double that ships next to the {@link dev.ferry.transport.Transport}
 * SPI, for exercising reliable protocols (the KCP engine, the tunnel above it) over bad paths without sockets.
 *
 * <p>Nothing here reads a wall clock, starts a thread or uses unseeded randomness: time is a {@code long nowMillis}
 * passed to every call (a {@link dev.ferry.transport.sim.FakeClock} keeps it for a driver), and every random choice
 * comes from the {@link java.util.SplittableRandom} given to the constructor. The same seed, profile and sequence of
 * calls give the same packets at the same times, so a failing run replays exactly.
 *
 * <p>{@link dev.ferry.transport.sim.LinkProfile} describes one direction (loss, Gilbert-Elliott burst loss,
 * duplication, reordering, delay and jitter, a rate-limited bottleneck with a tail-drop queue);
 * {@link dev.ferry.transport.sim.SimulatedLink} is one direction; {@link dev.ferry.transport.sim.SimulatedPath} pairs
 * two.
 */
package dev.ferry.transport.sim;
