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
    }

    @Test
    void eightArgumentConstructorKeepsImmediateAcks() {
        assertTrue(new KcpConfig(1350, 32, 32, false, 10, 0, true, 5).immediateAcks());
    }

    @Test
    void withersChangeOneField() {
        KcpConfig c = KcpConfig.fast().withMtu(500).withWindows(8, 16).withCongestionControl(true)
                .withImmediateAcks(false).withDeadLinkTransmissions(3).withFastResend(0).withIntervalMillis(7)
                .withNodelay(true);
        assertEquals(new KcpConfig(500, 8, 16, true, 7, 0, true, 3, false), c);
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
    }

    private static void assertMessage(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
    }
}
