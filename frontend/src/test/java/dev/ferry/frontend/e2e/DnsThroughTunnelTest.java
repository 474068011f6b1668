package dev.ferry.frontend.e2e;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.wire.Destination;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.naming.Context;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DNS through the tunnel: the JDK's own DNS client (JNDI's DNS provider, a resolver nobody here wrote) asks a
 * {@code -U} forward, whose datagrams cross the tunnel to a DNS server, for the addresses of several names.
 */
class DnsThroughTunnelTest {

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tcp", "kcp", "udp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRealResolverGetsItsAnswersThroughAUdpForward(String transport) throws Exception {
        IoRuntime io = IoRuntime.detect();
        Transports transports = new Transports(io);
        TunnelSettings settings = TunnelSettings.defaults(TunnelHarness.KEY, CipherKind.AES_256_GCM);
        InetSocketAddress loopback0 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        BackendServer backend = new BackendServer(new BackendConfig(loopback0, transport, settings,
                DestinationPolicy.allowAll(), Duration.ofSeconds(3), Duration.ofSeconds(5)), io, transports);
        try (TinyDnsServer dns = new TinyDnsServer(InetAddress.getByName("192.0.2.53"))) {
            FrontendServer frontend = new FrontendServer(new FrontendConfig(backend.start(), transport, settings,
                    List.of(), Duration.ofSeconds(5), Duration.ofSeconds(5),
                    List.of(new PortForward(loopback0, Destination.of(dns.address())))), io, transports);
            try {
                InetSocketAddress forward = frontend.start().get(0);
                frontend.tunnel().whenEstablished(1).get(20, TimeUnit.SECONDS);
                Hashtable<String, String> env = new Hashtable<>();
                env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
                env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + forward.getPort());
                // Its own retries cover a datagram lost on the way (none is, on loopback): 1 s, then 2 s.
                env.put("com.sun.jndi.dns.timeout.initial", "1000");
                env.put("com.sun.jndi.dns.timeout.retries", "2");
                DirContext resolver = new InitialDirContext(env);
                try {
                    for (String name : List.of("example.test", "ferry.example.test", "a.b.c.example.test")) {
                        Attributes a = resolver.getAttributes(name, new String[] {"A"});
                        assertEquals("192.0.2.53", a.get("A").get(), name);
                    }
                } finally {
                    resolver.close();
                }
                assertTrue(dns.queries.get() >= 3, "the DNS server answered the queries: " + dns.queries.get());
            } finally {
                frontend.close();
            }
        } finally {
            backend.close();
        }
    }
}
