package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireFormat.ADDR_DOMAIN;
import static dev.ferry.tunnel.wire.WireFormat.ADDR_IPV4;
import static dev.ferry.tunnel.wire.WireFormat.ADDR_IPV6;
import static dev.ferry.tunnel.wire.WireFormat.ADDR_TYPE_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.DOMAIN_LENGTH_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.IPV4_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.IPV6_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.MIN_DOMAIN_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.PORT_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;

import java.nio.charset.StandardCharsets;

/**
 * Writes and reads the {@link Destination} at the start of an OPEN payload (layout in {@link WireFormat}). Both
 * directions work on the buffer's reader / writer index and never retain the buffer.
 */
public final class DestinationCodec {

    private DestinationCodec() {}

    /** Bytes {@code destination} takes on the wire: address type, address, port. */
    public static int encodedLength(Destination destination) {
        int address = switch (destination.kind()) {
            case IPV4 -> IPV4_LENGTH;
            case IPV6 -> IPV6_LENGTH;
            case DOMAIN -> DOMAIN_LENGTH_LENGTH + destination.host().length();
        };
        return ADDR_TYPE_LENGTH + address + PORT_LENGTH;
    }

    /** Appends {@code destination} to {@code out}; exactly {@link #encodedLength} bytes. */
    public static void write(Destination destination, ByteBuf out) {
        switch (destination.kind()) {
            case IPV4 -> out.writeByte(ADDR_IPV4).writeBytes(destination.address());
            case IPV6 -> out.writeByte(ADDR_IPV6).writeBytes(destination.address());
            case DOMAIN -> {
                // Destination guarantees 1..255 printable ASCII characters, so chars and bytes are the same count.
                String host = destination.host();
                out.writeByte(ADDR_DOMAIN).writeByte(host.length());
                out.writeCharSequence(host, StandardCharsets.US_ASCII);
            }
        }
        out.writeShort(destination.port());
    }

    /**
     * Reads one destination from the readable bytes of {@code in}, advancing its reader index past it.
     *
     * @throws ProtocolException if the bytes are truncated, the address type is unknown or the name is not a
     *                           1 to 255 byte printable ASCII name; the reader index is then unspecified
     */
    public static Destination read(ByteBuf in) {
        return read(in, FrameType.OPEN);
    }

    /** As {@link #read(ByteBuf)}, for a destination inside a frame of type {@code frame} (named in errors). */
    public static Destination read(ByteBuf in, FrameType frame) {
        int type = need(in, ADDR_TYPE_LENGTH, "address type", frame).readUnsignedByte();
        return switch (type) {
            case ADDR_IPV4 -> readIp(in, Destination.Kind.IPV4, IPV4_LENGTH, frame);
            case ADDR_IPV6 -> readIp(in, Destination.Kind.IPV6, IPV6_LENGTH, frame);
            case ADDR_DOMAIN -> readDomain(in, frame);
            default -> throw new ProtocolException(String.format("%s frame: unknown address type 0x%02x", frame,
                    type));
        };
    }

    private static Destination readIp(ByteBuf in, Destination.Kind kind, int length, FrameType frame) {
        byte[] address = new byte[length];
        need(in, length + PORT_LENGTH, kind + " address and port", frame).readBytes(address);
        int port = in.readUnsignedShort();
        return new Destination(kind, NetUtil.bytesToIpAddress(address), address, port);
    }

    private static Destination readDomain(ByteBuf in, FrameType frame) {
        int length = need(in, DOMAIN_LENGTH_LENGTH, "domain name length", frame).readUnsignedByte();
        if (length < MIN_DOMAIN_LENGTH) {
            throw new ProtocolException(frame + " frame: empty domain name");
        }
        need(in, length + PORT_LENGTH, "domain name of " + length + " bytes and port", frame);
        int start = in.readerIndex();
        for (int i = 0; i < length; i++) {
            int b = in.getUnsignedByte(start + i);
            if (!Destination.isDomainChar(b)) {
                throw new ProtocolException(String.format(
                        "%s frame: domain name byte %d is 0x%02x, not printable ASCII", frame, i, b));
            }
        }
        String host = in.readCharSequence(length, StandardCharsets.US_ASCII).toString();
        int port = in.readUnsignedShort();
        return Destination.domain(host, port);
    }

    private static ByteBuf need(ByteBuf in, int bytes, String what, FrameType frame) {
        if (in.readableBytes() < bytes) {
            String part = frame == FrameType.OPEN ? "destination" : "address";
            throw new ProtocolException(frame + " frame: " + part + " truncated, " + what + " needs " + bytes
                    + " bytes, " + in.readableBytes() + " left");
        }
        return in;
    }
}
