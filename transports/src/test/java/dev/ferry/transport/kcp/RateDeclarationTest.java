package dev.ferry.transport.kcp;

import dev.ferry.transport.udp.PacketFormat;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The RATE body and when a client sends it; time is passed in, nothing here opens a socket. */
class RateDeclarationTest {
    private final List<String> sent = new ArrayList<>();

    private RateDeclaration declaring(long bits) {
        return new RateDeclaration(bits, (kind, body, off, len) ->
                sent.add(kind + ":" + HexFormat.of().formatHex(body, off, off + len)));
    }

    @Test
    void firstAtOnceThenOncePerSecond() {
        RateDeclaration d = declaring(20_000_000);
        d.sendIfDue(5_000);
        assertEquals(List.of(PacketFormat.KIND_RATE + ":0000000001312d00"), sent, "20 000 000 as a u64, big-endian");
        assertEquals(6_000, d.nextDue());
        d.sendIfDue(5_001);
        d.sendIfDue(5_999);
        assertEquals(1, sent.size(), "not again within the second");
        d.sendIfDue(6_000);
        assertEquals(2, sent.size());
        assertEquals(7_000, d.nextDue(), "an idle session wakes for it once a second, as its engine does anyway");
    }

    @Test
    void nothingDeclaredNeverSendsAndIsNeverDue() {
        RateDeclaration d = declaring(0);
        d.sendIfDue(0);
        d.sendIfDue(Long.MAX_VALUE - 1);
        assertEquals(List.of(), sent);
        assertEquals(Long.MAX_VALUE, d.nextDue());
    }

    @Test
    void ratesOutsideTheProtocolsBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> declaring(PacketFormat.MIN_RATE_BITS_PER_SECOND - 1));
        assertThrows(IllegalArgumentException.class, () -> declaring(PacketFormat.MAX_RATE_BITS_PER_SECOND + 1));
        assertThrows(IllegalArgumentException.class, () -> declaring(-1));
    }

    @Test
    void decodeTakesExactlyOneU64WithinBounds() {
        byte[] p = new byte[12];
        ByteBuffer.wrap(p, 2, 8).putLong(20_000_000);
        assertEquals(20_000_000, RateDeclaration.decode(p, 2, 8));
        assertEquals(-1, RateDeclaration.decode(p, 2, 7));
        assertEquals(-1, RateDeclaration.decode(p, 2, 9));
        for (long bad : new long[] {0, PacketFormat.MIN_RATE_BITS_PER_SECOND - 1,
                PacketFormat.MAX_RATE_BITS_PER_SECOND + 1, -1, Long.MIN_VALUE}) {
            ByteBuffer.wrap(p, 2, 8).putLong(bad);
            assertEquals(-1, RateDeclaration.decode(p, 2, 8), "rate " + bad);
        }
        ByteBuffer.wrap(p, 2, 8).putLong(PacketFormat.MIN_RATE_BITS_PER_SECOND);
        assertEquals(PacketFormat.MIN_RATE_BITS_PER_SECOND, RateDeclaration.decode(p, 2, 8));
        ByteBuffer.wrap(p, 2, 8).putLong(PacketFormat.MAX_RATE_BITS_PER_SECOND);
        assertEquals(PacketFormat.MAX_RATE_BITS_PER_SECOND, RateDeclaration.decode(p, 2, 8));
    }

    @Test
    void formatsForLogs() {
        assertEquals("64 kbit/s", RateDeclaration.format(64_000));
        assertEquals("20 Mbit/s", RateDeclaration.format(20_000_000));
        assertEquals("1.5 Gbit/s", RateDeclaration.format(1_500_000_000));
        assertEquals("100 Gbit/s", RateDeclaration.format(100_000_000_000L));
        assertEquals("2.345 Mbit/s", RateDeclaration.format(2_345_000));
        assertEquals("999 bit/s", RateDeclaration.format(999));
    }
}
