package dev.ferry.crypto;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/** {@link CipherKind#NONE}: copies bytes, adds no tag, never fails to open. Stateless, so shared. */
final class NoneAead implements Aead {

    static final NoneAead INSTANCE = new NoneAead();

    private NoneAead() {
    }

    @Override
    public CipherKind kind() {
        return CipherKind.NONE;
    }

    @Override
    public int tagLength() {
        return 0;
    }

    @Override
    public void seal(long counter, ByteBuffer in, ByteBuffer out) {
        copy(in, out);
    }

    @Override
    public void open(long counter, ByteBuffer in, ByteBuffer out) {
        copy(in, out);
    }

    private static void copy(ByteBuffer in, ByteBuffer out) {
        if (out.remaining() < in.remaining()) {
            throw new BufferOverflowException();
        }
        out.put(in);
    }
}
