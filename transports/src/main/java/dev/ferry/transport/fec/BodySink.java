package dev.ferry.transport.fec;

/**
 * Where a {@link FecDecoder} delivers datagram bodies, received or rebuilt, each at most once.
 *
 * <p>The body is {@code buf[off ..+len)}. It may be a view into the caller's datagram or the decoder's scratch
 * buffer: the callee consumes or copies it before returning, never writes into it, and keeps no reference. The callee
 * must not call back into the decoder.
 */
@FunctionalInterface
public interface BodySink {
    void body(byte[] buf, int off, int len);
}
