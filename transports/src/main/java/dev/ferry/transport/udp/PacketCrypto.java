package dev.ferry.transport.udp;

import dev.ferry.crypto.Aead;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.crypto.ReplayWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import javax.crypto.AEADBadTagException;
import java.nio.ByteBuffer;

/**
 * Seals and opens the packets of one session ({@link PacketFormat}). Keys are
 * {@code HKDF-SHA256(salt = session id, ikm = psk, info = "ferry/1 udp c2s" | "ferry/1 udp s2c")}, so every session
 * has keys of its own and packet numbers can start at zero without ever repeating a nonce under one key.
 *
 * <p>Threading: one event loop uses an instance. Ownership: {@link #seal} returns a buffer the caller must write or
 * release; {@link #open} reads its argument and leaves it to the caller.
 */
public final class PacketCrypto {
    /** {@link #open} result: the tag did not verify (wrong key, tampered, not ours). */
    public static final int UNAUTHENTIC = -1;
    /** {@link #open} result: the packet number was seen before or fell out of the window. */
    public static final int REPLAYED = -2;

    private final long sessionId;
    private final Aead send;
    private final Aead receive;
    private final ReplayWindow window = new ReplayWindow(PacketFormat.REPLAY_WINDOW_BITS);
    private final byte[] plain;
    /** Sealed (on send) or sealed-and-received (on open) bytes: the JCE is fastest between heap arrays. */
    private final byte[] sealed;
    private long nextPacketNumber;

    private PacketCrypto(long sessionId, Aead send, Aead receive, int maxPacket) {
        this.sessionId = sessionId;
        this.send = send;
        this.receive = receive;
        this.plain = new byte[maxPacket];
        this.sealed = new byte[maxPacket];
    }

    /**
     * @param maxPacket the largest datagram this session sends or accepts, header and tag included
     */
    public static PacketCrypto forClient(PresharedKey psk, CipherKind cipher, long sessionId, int maxPacket) {
        return new PacketCrypto(sessionId, aead(psk, cipher, sessionId, PacketFormat.CLIENT_TO_SERVER_LABEL),
                aead(psk, cipher, sessionId, PacketFormat.SERVER_TO_CLIENT_LABEL), maxPacket);
    }

    public static PacketCrypto forServer(PresharedKey psk, CipherKind cipher, long sessionId, int maxPacket) {
        return new PacketCrypto(sessionId, aead(psk, cipher, sessionId, PacketFormat.SERVER_TO_CLIENT_LABEL),
                aead(psk, cipher, sessionId, PacketFormat.CLIENT_TO_SERVER_LABEL), maxPacket);
    }

    private static Aead aead(PresharedKey psk, CipherKind cipher, long sessionId, byte[] label) {
        if (cipher == CipherKind.NONE) {
            return cipher.newAead(new byte[0]);
        }
        byte[] salt = ByteBuffer.allocate(PacketFormat.SESSION_ID_LENGTH).putLong(sessionId).array();
        return cipher.newAead(Hkdf.derive(salt, psk.bytes(), label, cipher.keyLength()));
    }

    public long sessionId() {
        return sessionId;
    }

    /** Bytes of body that fit in one packet of {@code maxPacket} bytes with the timestamp present. */
    public int maxBody() {
        return plain.length - PacketFormat.overhead(send.tagLength());
    }

    /**
     * Seals one packet into a new buffer.
     *
     * @param timestamp wall-clock milliseconds to carry (sets {@link PacketFormat#FLAG_TIMESTAMP}), or -1 for none
     * @throws IllegalArgumentException if the body is larger than {@link #maxBody()}
     */
    public ByteBuf seal(ByteBufAllocator alloc, int kind, long timestamp, byte[] body, int offset, int length) {
        ByteBuf out = alloc.directBuffer(sealedLength(timestamp, length));
        sealInto(out, kind, timestamp, body, offset, length);
        return out;
    }

    /** The length of the packet {@link #seal} makes of a body of {@code length} bytes. */
    public int sealedLength(long timestamp, int length) {
        return PacketFormat.HEADER_LENGTH + PacketFormat.KIND_LENGTH
                + (timestamp >= 0 ? PacketFormat.TIMESTAMP_LENGTH : 0) + length + send.tagLength();
    }

    /**
     * Seals one packet and appends it to {@code out} ({@link #sealedLength} bytes), which must have the room.
     *
     * @param timestamp wall-clock milliseconds to carry (sets {@link PacketFormat#FLAG_TIMESTAMP}), or -1 for none
     * @throws IllegalArgumentException if the body is larger than {@link #maxBody()}
     */
    public void sealInto(ByteBuf out, int kind, long timestamp, byte[] body, int offset, int length) {
        if (length > maxBody()) {
            throw new IllegalArgumentException("body of " + length + " bytes exceeds " + maxBody());
        }
        int p = 0;
        plain[p++] = (byte) (timestamp >= 0 ? kind | PacketFormat.FLAG_TIMESTAMP : kind);
        if (timestamp >= 0) {
            ByteBuffer.wrap(plain, p, PacketFormat.TIMESTAMP_LENGTH).putLong(timestamp);
            p += PacketFormat.TIMESTAMP_LENGTH;
        }
        System.arraycopy(body, offset, plain, p, length);
        p += length;
        int sealedLength = p + send.tagLength();
        long packetNumber = nextPacketNumber++;
        // Sealed heap to heap, then copied once into the socket's direct buffer: SunJCE's GCM between a heap and a
        // direct buffer copies through temporary arrays and costs more than this copy (PacketCryptoBench).
        send.seal(packetNumber, ByteBuffer.wrap(plain, 0, p), ByteBuffer.wrap(sealed, 0, sealedLength));
        out.writeLong(sessionId).writeLong(packetNumber).writeBytes(sealed, 0, sealedLength);
    }

    /**
     * Opens {@code packet} (header included, readable bytes only; the session id was already matched) into
     * {@code into}, and accepts its packet number.
     *
     * @return the plaintext length (kind, optional timestamp and body; see {@link Plaintext}), or {@link #UNAUTHENTIC}
     *     or {@link #REPLAYED}
     */
    public int open(ByteBuf packet, byte[] into) {
        int start = packet.readerIndex();
        int sealedLength = packet.readableBytes() - PacketFormat.HEADER_LENGTH;
        if (sealedLength < receive.tagLength() + PacketFormat.KIND_LENGTH
                || sealedLength - receive.tagLength() > into.length || sealedLength > sealed.length) {
            return UNAUTHENTIC;
        }
        long packetNumber = packet.getLong(start + PacketFormat.SESSION_ID_LENGTH);
        if (!window.isFresh(packetNumber)) {
            return REPLAYED;
        }
        packet.getBytes(start + PacketFormat.HEADER_LENGTH, sealed, 0, sealedLength); // see seal: heap is faster
        ByteBuffer out = ByteBuffer.wrap(into);
        try {
            receive.open(packetNumber, ByteBuffer.wrap(sealed, 0, sealedLength), out);
        } catch (AEADBadTagException e) {
            return UNAUTHENTIC;
        }
        window.accept(packetNumber);
        return out.position();
    }

    /** Reads the session id of a packet that has at least a header; says nothing about its authenticity. */
    public static long sessionIdOf(ByteBuf packet) {
        return packet.getLong(packet.readerIndex());
    }
}
