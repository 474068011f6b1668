/**
 * Forward error correction for the datagram transports: a systematic Reed-Solomon erasure code over GF(2^8)
 * ({@link dev.ferry.transport.fec.ReedSolomon}), the shard framing of a datagram body
 * ({@link dev.ferry.transport.fec.FecFormat}), the sender's {@link dev.ferry.transport.fec.FecEncoder}, the receiver's
 * {@link dev.ferry.transport.fec.FecDecoder} and the {@link dev.ferry.transport.fec.LossEstimator} behind
 * {@code --fec auto}.
 *
 * <p>Pure Java, no Netty, no clock, no threads: every class here is confined to one thread (a session's event loop)
 * and time, where it matters, is passed in. Data is never delayed: a data shard leaves the encoder in the call that
 * produced it and its body leaves the decoder in the call that received it; parity only helps when something is lost.
 */
package dev.ferry.transport.fec;
