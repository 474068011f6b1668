package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KcpConfigTest {

    @Test
    void presetsAreKcptunModes() {
        check(KcpConfig.normal(), false, 40);
        check(KcpConfig.fast(), false, 30);
        check(KcpConfig.fast2(), true, 20);
        check(KcpConfig.fast3(), true, 10);
    }

    private static void check(KcpConfig c, boolean nodelay, int interval) {
        assertEquals(nodelay, c.nodelay());
        assertEquals(interval, c.intervalMillis());
        assertEquals(2, c.fastResend());
        assertFalse(c.congestionControl());
        assertEquals(1350, c.mtu());
        assertEquals(1326, c.mss());
        assertEquals(1024, c.sendWindow());
        assertEquals(1024, c.receiveWindow());
        assertEquals(20, c.deadLinkTransmissions());
        assertTrue(c.immediateAcks());
        assertEquals(KcpConfig.DEFAULT_DUPLICATE_BELOW, c.duplicateBelow());
        assertEquals(Congestion.OFF, c.congestion());
        assertEquals(0, c.declaredBytesPerSecond());
    }

    @Test
    void theOldSwitchMapsOntoControllers() {
        KcpConfig off = KcpConfig.fast3();
        assertEquals(Congestion.CLASSIC, off.withCongestionControl(true).congestion(), "what true always meant");
        assertEquals(Congestion.OFF, off.withCongestionControl(true).withCongestionControl(false).congestion());
        KcpConfig rate = off.withCongestion(Congestion.RATE);
        assertTrue(rate.congestionControl());
        assertEquals(Congestion.RATE, rate.withCongestionControl(true).congestion(), "on keeps a chosen controller");
        assertEquals(new KcpConfig(1350, 32, 32, false, 10, 0, Congestion.CLASSIC, 5, true, 0, 0, 0),
                new KcpConfig(1350, 32, 32, false, 10, 0, true, 5));
    }

    @Test
    void aDeclaredRateSelectsDeclared() {
        KcpConfig c = KcpConfig.fast3().withDeclaredRate(2_500_000);
        assertEquals(Congestion.DECLARED, c.congestion());
        assertEquals(2_500_000, c.declaredBytesPerSecond());
        assertEquals(2_500_000, c.withCongestion(Congestion.RATE).declaredBytesPerSecond(), "kept, unused");
        assertEquals(2_500_000, new KcpEngine(1, c, (p, n) -> { }).stats().pacingRate(), "paced from the start");
        assertEquals(0, new KcpEngine(1, c.withCongestion(Congestion.RATE), (p, n) -> { }).stats().pacingRate(),
                "RATE paces once it has measured something");
    }

    @Test
    void eightArgumentConstructorKeepsImmediateAcksAndDuplicatesNothing() {
        assertTrue(new KcpConfig(1350, 32, 32, false, 10, 0, true, 5).immediateAcks());
        assertEquals(0, new KcpConfig(1350, 32, 32, false, 10, 0, true, 5).duplicateBelow());
    }

    @Test
    void withersChangeOneField() {
        KcpConfig c = KcpConfig.fast().withMtu(500).withWindows(8, 16).withCongestionControl(true)
                .withImmediateAcks(false).withDeadLinkTransmissions(3).withFastResend(0).withIntervalMillis(7)
                .withNodelay(true).withDuplicateBelow(100);
        assertEquals(new KcpConfig(500, 8, 16, true, 7, 0, true, 3, false, 100), c);
        assertEquals(new KcpConfig(500, 8, 16, true, 7, 0, Congestion.CLASSIC, 3, false, 100, 0, 5),
                c.withAckDelay(5));
    }

    @Test
    void invalidFieldsAreNamed() {
        assertMessage("mtu", () -> KcpConfig.fast().withMtu(63));
        assertMessage("mtu", () -> KcpConfig.fast().withMtu(65536));
        assertMessage("sendWindow", () -> KcpConfig.fast().withWindows(0, 1));
        assertMessage("receiveWindow", () -> KcpConfig.fast().withWindows(1, 65536));
        assertMessage("intervalMillis", () -> KcpConfig.fast().withIntervalMillis(0));
        assertMessage("intervalMillis", () -> KcpConfig.fast().withIntervalMillis(5001));
        assertMessage("fastResend", () -> KcpConfig.fast().withFastResend(-1));
        assertMessage("deadLinkTransmissions", () -> KcpConfig.fast().withDeadLinkTransmissions(0));
        assertMessage("declaredBytesPerSecond", () -> KcpConfig.fast().withDeclaredRate(0));
        assertMessage("declaredBytesPerSecond", () -> KcpConfig.fast().withDeclaredRate(-1));
        assertMessage("declaredBytesPerSecond", () -> KcpConfig.fast().withCongestion(Congestion.DECLARED));
        assertMessage("declaredBytesPerSecond", () -> KcpConfig.fast().withDeclaredRate(1L << 41));
        assertMessage("congestion", () -> KcpConfig.fast().withCongestion(null));
        assertMessage("ackDelayMillis", () -> KcpConfig.fast().withAckDelay(-1));
        assertMessage("ackDelayMillis", () -> KcpConfig.fast().withAckDelay(KcpConfig.MAX_ACK_DELAY_MILLIS + 1));
    }

    private static void assertMessage(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
    }
}
