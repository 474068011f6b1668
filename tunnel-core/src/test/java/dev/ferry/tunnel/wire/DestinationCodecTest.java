package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireTestKit.compact;
import static dev.ferry.tunnel.wire.WireTestKit.fromHex;
import static dev.ferry.tunnel.wire.WireTestKit.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The destination at the start of an OPEN payload, on its own; hex written by hand from the spec. */
class DestinationCodecTest {

    record Golden(Destination destination, String hex) {
        @Override
        public String toString() {
            return destination.kind() + " " + destination;
        }
    }

    static Stream<Golden> golden() {
        return Stream.of(
                new Golden(Destination.parse("192.168.0.1", 80), "01 | c0a80001 | 0050"),
                new Golden(Destination.parse("0.0.0.0", 0), "01 | 00000000 | 0000"),
                new Golden(Destination.parse("[::1]", 443), "04 | 00000000000000000000000000000001 | 01bb"),
                new Golden(Destination.parse("fe80::1:2", 65535), "04 | fe800000000000000000000000010002 | ffff"),
                new Golden(Destination.domain("a.io", 53), "03 | 04 61 2e 69 6f | 0035"),
                new Golden(Destination.parse("localhost", 8443), "03 | 09 6c6f63616c686f7374 | 20fb"));
    }

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void allBuffersReleased() {
        alloc.assertAllReleased();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void writesGoldenBytes(Golden golden) {
        ByteBuf out = alloc.buffer();
        try {
            DestinationCodec.write(golden.destination(), out);
            assertEquals(compact(golden.hex()), hex(out));
            assertEquals(DestinationCodec.encodedLength(golden.destination()), out.readableBytes());
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void readsGoldenBytes(Golden golden) {
        ByteBuf in = fromHex(alloc, golden.hex() + " cafe");
        try {
            Destination read = DestinationCodec.read(in);
            assertEquals(golden.destination(), read);
            assertEquals(golden.destination().port(), read.port());
            assertArrayEquals(golden.destination().address(), read.address());
            assertEquals(2, in.readableBytes(), "reads the destination and nothing after it");
        } finally {
            in.release();
        }
    }

    @Test
    void longestDomainRoundTrips() {
        Destination d = Destination.domain("x".repeat(255), 1);
        assertEquals(1 + 1 + 255 + 2, DestinationCodec.encodedLength(d));
        ByteBuf buf = alloc.buffer();
        try {
            DestinationCodec.write(d, buf);
            assertEquals(0xff, buf.getUnsignedByte(1));
            assertEquals(d, DestinationCodec.read(buf));
            assertFalse(buf.isReadable());
        } finally {
            buf.release();
        }
    }

    @Test
    void decodedIpDestinationsCarryTheirTextForm() {
        ByteBuf in = fromHex(alloc, "01 0a000001 01bb 04 20010db8000000000000000000000001 0050");
        try {
            assertEquals("10.0.0.1:443", DestinationCodec.read(in).toString());
            assertEquals("[2001:db8::1]:80", DestinationCodec.read(in).toString());
        } finally {
            in.release();
        }
    }

    @Test
    void domainNamesAreAsciiOnTheWire() {
        assertEquals("xn--bcher-kva.example", Destination.domain("bücher.example", 80).host());
        assertThrows(IllegalArgumentException.class, () -> Destination.domain("a b", 80));
        assertThrows(IllegalArgumentException.class, () -> Destination.domain("", 80));
        assertThrows(IllegalArgumentException.class, () -> Destination.domain("x".repeat(256), 80));
        assertThrows(IllegalArgumentException.class,
                () -> new Destination(Destination.Kind.DOMAIN, "bücher.example", null, 80));
    }

    @Test
    void destinationBasics() {
        Destination ip = new Destination(Destination.Kind.IPV4, null, new byte[] {127, 0, 0, 1}, 8080);
        assertEquals("127.0.0.1", ip.host(), "the text form is filled in when absent");
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), ip.toSocketAddress());
        assertEquals(Destination.domain("Example.COM", 1), Destination.domain("example.com", 1));
        assertEquals(Destination.domain("Example.COM", 1).hashCode(), Destination.domain("example.com", 1).hashCode());
        assertNull(new Destination(Destination.Kind.DOMAIN, "a", new byte[] {1}, 1).address());
        assertEquals(Destination.Kind.DOMAIN, Destination.of(InetSocketAddress.createUnresolved("h", 1)).kind());
        assertThrows(IllegalArgumentException.class, () -> Destination.parse("::1", 65536));
        assertThrows(IllegalArgumentException.class,
                () -> new Destination(Destination.Kind.IPV6, null, new byte[4], 1));
    }
}
