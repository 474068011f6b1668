package dev.ferry.frontend.cli;

import dev.ferry.frontend.PortForward;
import dev.ferry.tunnel.wire.Destination;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwardParserTest {
    @Test
    void bindDefaultsToLoopback() {
        PortForward f = ForwardParser.parse("2222=10.0.0.5:22");
        assertEquals(new InetSocketAddress("127.0.0.1", 2222), f.bind());
        assertTrue(f.bind().getAddress().isLoopbackAddress());
        assertEquals(Destination.parse("10.0.0.5", 22), f.target());
    }

    @Test
    void namesInTheTargetAreLeftForTheBackend() {
        PortForward f = ForwardParser.parse("8443=intranet.example:443");
        assertEquals(Destination.Kind.DOMAIN, f.target().kind());
        assertEquals("intranet.example:443", f.target().toString());
    }

    @Test
    void explicitBinds() {
        assertEquals(new InetSocketAddress("0.0.0.0", 80), ForwardParser.parse("0.0.0.0:80=h:80").bind());
        assertEquals(new InetSocketAddress("::", 80), ForwardParser.parse("[::]:80=h:80").bind());
        assertEquals("[2001:db8::1]:443", ForwardParser.parse("1=[2001:db8::1]:443").target().toString());
    }
}
