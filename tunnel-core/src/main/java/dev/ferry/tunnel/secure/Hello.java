package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.X25519;
import io.netty.buffer.ByteBuf;

/**
 * The body of a client or server hello, before sealing. Layout (52 bytes, big-endian):
 * <pre>
 *  0         1                 5        6                    14                18                 50          52
 * +---------+-----------------+--------+--------------------+-----------------+------------------+-----------+
 * | version | capabilities u32| cipher | timestamp ms (i64) | stream window u32| X25519 public 32 | pad len u16|
 * +---------+-----------------+--------+--------------------+-----------------+------------------+-----------+
 * </pre>
 */
record Hello(int version, int capabilities, CipherKind cipher, long timestampMillis, int streamWindow,
             byte[] ephemeralKey, int paddingLength) {

    static final int BODY_LENGTH = 52;

    void writeTo(ByteBuf out) {
        out.writeByte(version);
        out.writeInt(capabilities);
        out.writeByte(cipher.wireCode());
        out.writeLong(timestampMillis);
        out.writeInt(streamWindow);
        out.writeBytes(ephemeralKey);
        out.writeShort(paddingLength);
    }

    /** Reads a body that already passed authentication; returns null for a cipher code this build does not know. */
    static Hello readFrom(ByteBuf in) {
        int version = in.readUnsignedByte();
        int caps = in.readInt();
        CipherKind cipher = CipherKind.fromWireCode(in.readUnsignedByte());
        long ts = in.readLong();
        int window = in.readInt();
        byte[] key = new byte[X25519.KEY_LENGTH];
        in.readBytes(key);
        int pad = in.readUnsignedShort();
        return cipher == null ? null : new Hello(version, caps, cipher, ts, window, key, pad);
    }
}
