package dev.ferry.frontend.socks;

import dev.ferry.tunnel.wire.Destination;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.socksx.v5.Socks5AddressDecoder;
import io.netty.handler.codec.socksx.v5.Socks5AddressEncoder;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;

/**
 * A SOCKS5 UDP datagram (RFC 1928, section 7): {@code RSV(2) FRAG(1) ATYP(1) DST.ADDR DST.PORT(2) DATA}. The address
 * fields are read and written by Netty's codec-socks; the three header bytes around them are ours. Fragments
 * ({@code FRAG != 0}) are not supported, as by most SOCKS5 servers: such a datagram is refused.
 *
 * @param address where the client sends it, or, on the way back, who sent the reply
 * @param payload the data, a slice of the datagram it came in
 */
record SocksDatagram(Destination address, ByteBuf payload) {

    /**
     * Reads the header of {@code in} and leaves its reader index at the data.
     *
     * @throws IllegalArgumentException one line saying what is wrong with it
     */
    static SocksDatagram decode(ByteBuf in) {
        if (in.readableBytes() < 4) {
            throw new IllegalArgumentException("shorter than a SOCKS5 UDP header (" + in.readableBytes() + " bytes)");
        }
        if (in.readUnsignedShort() != 0) {
            throw new IllegalArgumentException("reserved bytes are not zero");
        }
        int frag = in.readUnsignedByte();
        if (frag != 0) {
            throw new IllegalArgumentException("fragment " + frag + " (SOCKS5 UDP fragments are not supported)");
        }
        Socks5AddressType type = Socks5AddressType.valueOf(in.readByte());
        String host;
        try {
            host = Socks5AddressDecoder.DEFAULT.decodeAddress(type, in);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("address cut short");
        } catch (Exception e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (in.readableBytes() < 2) {
            throw new IllegalArgumentException("port cut short");
        }
        int port = in.readUnsignedShort();
        Destination address = type == Socks5AddressType.DOMAIN ? Destination.domain(host, port)
                : Destination.parse(host, port);
        return new SocksDatagram(address, in);
    }

    /** The datagram for {@code payload} from {@code from}: a header before it (ownership of payload taken). */
    static ByteBuf encode(ByteBufAllocator alloc, Destination from, ByteBuf payload) {
        ByteBuf header = alloc.buffer(4 + 1 + Math.max(16, from.host().length()) + 2);
        header.writeShort(0).writeByte(0);
        Socks5AddressType type = switch (from.kind()) {
            case IPV4 -> Socks5AddressType.IPv4;
            case IPV6 -> Socks5AddressType.IPv6;
            case DOMAIN -> Socks5AddressType.DOMAIN;
        };
        header.writeByte(type.byteValue());
        try {
            Socks5AddressEncoder.DEFAULT.encodeAddress(type, from.host(), header);
        } catch (Exception e) {
            header.release();
            payload.release();
            throw new IllegalStateException("cannot encode " + from, e); // a Destination is always encodable
        }
        header.writeShort(from.port());
        CompositeByteBuf datagram = alloc.compositeBuffer(2);
        return datagram.addComponents(true, header, payload);
    }
}
