package dev.ferry.transport.kcp;

import dev.ferry.transport.DatagramCarrier;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.udp.FecSetting;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Datagrams beside the KCP stream, over real UDP sockets on 127.0.0.1: both ways, size limit, after close, FEC over a
 * lossy relay.
 */
class KcpDatagramTest extends KcpSocketTest {
    private static final long SEED = Long.getLong("ferry.seed", 20261122L);
    private static final int COUNT = 100;

    private static KcpTransport transport(String name) {
        return transport(name, FecSetting.OFF, SEED);
    }

    private static KcpTransport transport(String name, FecSetting fec, long seed) {
        return new KcpTransport(IoRuntime.detect(), KcpTestOptions.options(KcpTestOptions.key(SEED), seed, fec), name);
    }

    @Test
    void datagramsTravelBothWaysBesideTheStream() throws Exception {
        KcpTransport transport = transport("udp");
        assertEquals("udp", transport.name());
        // The server echoes every datagram it gets, as a datagram.
        listener = transport.listen(group, LOOPBACK, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                DatagramCarrier carrier = (DatagramCarrier) ch;
                carrier.receiveDatagrams(body -> carrier.sendDatagram(body));
            }
        }).syncUninterruptibly().getNow();
        Channel client = transport.connect(group, (InetSocketAddress) listener.localAddress(),
                new ChannelInboundHandlerAdapter()).get(5, TimeUnit.SECONDS);
        DatagramCarrier carrier = assertInstanceOf(DatagramCarrier.class, client);
        int max = client.eventLoop().submit(carrier::maxDatagramLength).get(5, TimeUnit.SECONDS);
        assertEquals(1350 - 16 - 1 - 8 - 16, max, "mtu less header, kind, timestamp and tag");

        Set<String> sent = new HashSet<>();
        Set<String> echoed = ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> all = new CompletableFuture<>();
        SplittableRandom random = new SplittableRandom(SEED);
        byte[][] datagrams = new byte[COUNT][];
        for (int i = 0; i < COUNT; i++) {
            datagrams[i] = new byte[1 + random.nextInt(max)];
            random.nextBytes(datagrams[i]);
            sent.add(ByteBufUtil.hexDump(datagrams[i]));
        }
        client.eventLoop().submit(() -> {
            carrier.receiveDatagrams(body -> {
                echoed.add(ByteBufUtil.hexDump(body));
                body.release();
                if (echoed.size() == COUNT) {
                    all.complete(null);
                }
            });
            for (byte[] d : datagrams) {
                carrier.sendDatagram(Unpooled.wrappedBuffer(d));
            }
        }).get(5, TimeUnit.SECONDS);
        all.get(10, TimeUnit.SECONDS);
        assertEquals(sent, echoed, "every datagram came back intact; seed " + SEED);

        ByteBuf tooLarge = Unpooled.buffer(max + 1).writeZero(max + 1);
        assertFalse(client.eventLoop().submit(() -> carrier.sendDatagram(tooLarge)).get(5, TimeUnit.SECONDS));
        assertEquals(0, tooLarge.refCnt(), "a refused datagram is released");

        client.close().syncUninterruptibly();
        ByteBuf late = Unpooled.buffer(1).writeByte(1);
        assertFalse(client.eventLoop().submit(() -> carrier.sendDatagram(late)).get(5, TimeUnit.SECONDS));
        assertEquals(0, late.refCnt());
    }

    /**
     * 1000 datagrams through a relay that drops 10 % of packets each way, with {@code --fec 10,3}: parity rebuilds
     * most of the lost ones, each at most once and intact. Without FEC about 100 would be lost (standard deviation
     * about 9.5), so fewer than 40 lost can only come from recovery; with 10,3 about 10 are expected.
     */
    @Test
    void fecRebuildsLostDatagrams() throws Exception {
        int count = 1000;
        KcpTransport transport = transport("udp", FecSetting.parse("10,3"), SEED);
        Set<Integer> arrived = ConcurrentHashMap.newKeySet();
        Set<String> wrong = ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> enough = new CompletableFuture<>();
        SplittableRandom random = new SplittableRandom(SEED);
        byte[][] datagrams = new byte[count][];
        listener = transport.listen(group, LOOPBACK, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ((DatagramCarrier) ch).receiveDatagrams(body -> {
                    int i = body.readableBytes() >= 4 ? body.getInt(body.readerIndex()) : -1;
                    if (i < 0 || i >= count || !ByteBufUtil.equals(body, Unpooled.wrappedBuffer(datagrams[i]))) {
                        wrong.add("not sent: " + ByteBufUtil.hexDump(body, body.readerIndex(), 8));
                    } else if (!arrived.add(i)) {
                        wrong.add("twice: " + i);
                    }
                    body.release();
                    if (arrived.size() >= count - 40) {
                        enough.complete(null);
                    }
                });
            }
        }).syncUninterruptibly().getNow();
        try (UdpRelay lossy = new UdpRelay(group, io, (InetSocketAddress) listener.localAddress())) {
            Channel client = transport("udp", FecSetting.parse("10,3"), SEED + 1).connect(group, lossy.address(),
                    new ChannelInboundHandlerAdapter()).get(5, TimeUnit.SECONDS);
            DatagramCarrier carrier = (DatagramCarrier) client;
            int max = client.eventLoop().submit(carrier::maxDatagramLength).get(5, TimeUnit.SECONDS);
            assertEquals(1350 - 41 - 9, max, "a shard's header and length prefix less than without FEC");
            for (int i = 0; i < count; i++) {
                datagrams[i] = new byte[4 + random.nextInt(max - 3)];
                random.nextBytes(datagrams[i]);
                ByteBuffer.wrap(datagrams[i]).putInt(i);
            }
            lossy.dropRate = 0.10;
            for (int from = 0; from < count; from += 50) {
                int start = from;
                client.eventLoop().submit(() -> {
                    for (int i = start; i < start + 50; i++) {
                        carrier.sendDatagram(Unpooled.wrappedBuffer(datagrams[i]));
                    }
                }).get(5, TimeUnit.SECONDS);
            }
            enough.get(10, TimeUnit.SECONDS);
            long recovered = listener.eventLoop().submit(
                    () -> ((KcpListenerChannel) listener).sessions().sessions().get(0).datagramFec().recovered())
                    .get(5, TimeUnit.SECONDS);
            assertTrue(recovered > 0, "datagrams rebuilt from parity; seed " + SEED);
            assertEquals(Set.of(), wrong, "every datagram intact and delivered once; seed " + SEED);
            client.close().syncUninterruptibly();
        }
    }
}
