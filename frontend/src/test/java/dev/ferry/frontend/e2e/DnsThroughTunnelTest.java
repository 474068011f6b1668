package dev.ferry.frontend.e2e;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.naming.Context;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.net.InetAddress;
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
        try (TinyDnsServer dns = new TinyDnsServer(InetAddress.getByName("192.0.2.53"));
             UdpTunnel t = new UdpTunnel(transport, dns.address())) {
            Hashtable<String, String> env = new Hashtable<>();
            env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
            env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + t.forward.getPort());
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
        }
    }
}
