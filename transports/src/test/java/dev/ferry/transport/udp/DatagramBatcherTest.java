package dev.ferry.transport.udp;

import dev.ferry.transport.IoRuntime;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The batcher over real sockets on 127.0.0.1: whatever the mix of lengths and recipients, and whether it sends with
 * GSO or not and the receiver reads with GRO or not, every datagram arrives as itself, once, in order. The receivers
 * read as the kcp transport's sockets do: one read of up to 64 KiB per system call (with recvmmsg, Netty hands a GRO
 * run up as one datagram of the whole run).
 */
class DatagramBatcherTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
    private static final long SEED = 0x5eed_0b47L;

    private final IoRuntime io = IoRuntime.detect();
    private EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();

    @BeforeEach
    void open() {
        group = io.newGroup(1);
    }

    @AfterEach
    void close() {
        channels.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest(name = "gso {0}, receiver gro {1}")
    @CsvSource({"true, true", "true, false", "false, true", "false, false"})
    void everyDatagramArrivesWholeOnceInOrder(boolean gso, boolean gro) throws Exception {
        assumeTrue(io.isEpoll() && EpollDatagramChannel.isSegmentedDatagramPacketSupported(),
                "needs epoll with UDP GSO (this machine: " + io.name() + ")");
        LinkedBlockingQueue<byte[]> toA = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<byte[]> toB = new LinkedBlockingQueue<>();
        InetSocketAddress a = receiver(gro, toA);
        InetSocketAddress b = receiver(gro, toB);
        Channel sender = bind(new Bootstrap().handler(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            }
        }));
        DatagramBatcher batcher = new DatagramBatcher(sender, gso);

        // Runs of full datagrams longer than one GSO send, short tails, lone acks, and recipients taking turns.
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> sentToA = new ArrayList<>();
        List<byte[]> sentToB = new ArrayList<>();
        int[][] plan = {{1350, 100, 0}, {700, 1, 0}, {1350, 5, 0}, {60, 3, 0}, {1200, 7, 1}, {1350, 2, 0},
                {1350, 1, 1}, {1350, 1, 0}, {40, 1, 1}, {1300, 70, 0}, {1301, 1, 0}, {1300, 3, 0}};
        CompletableFuture<Void> sent = new CompletableFuture<>();
        sender.eventLoop().execute(() -> {
            int sequence = 0;
            for (int[] run : plan) {
                for (int i = 0; i < run[1]; i++) {
                    byte[] datagram = new byte[run[0]];
                    random.nextBytes(datagram);
                    datagram[0] = (byte) sequence++;
                    (run[2] == 0 ? sentToA : sentToB).add(datagram);
                    batcher.next(datagram.length, run[2] == 0 ? a : b).writeBytes(datagram);
                }
                if (run[0] == 60) {
                    batcher.flush(); // a flush in the middle of things
                }
            }
            batcher.flush();
            sent.complete(null);
        });
        sent.get(10, TimeUnit.SECONDS);

        assertReceived(sentToA, toA);
        assertReceived(sentToB, toB);
    }

    @Test
    void aFailedGsoSendSwitchesToOneByOne() throws Exception {
        assumeTrue(io.isEpoll() && EpollDatagramChannel.isSegmentedDatagramPacketSupported(),
                "needs epoll with UDP GSO (this machine: " + io.name() + ")");
        LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        InetSocketAddress to = receiver(false, received);
        // The kernel refuses a GSO send on some routes (IPsec, a device that cannot checksum for it), which loopback
        // cannot show: a handler in the sender's pipeline stands in for it and fails every GSO write with EIO.
        Channel sender = bind(new Bootstrap().handler(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof SegmentedDatagramPacket gsoSend) {
                    gsoSend.release();
                    promise.setFailure(new IOException("sendmsg(..) failed: Input/output error (stand-in)"));
                } else {
                    ctx.write(msg, promise);
                }
            }
        }));
        DatagramBatcher batcher = new DatagramBatcher(sender, true);
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> second = new ArrayList<>();
        CompletableFuture<Boolean> gsoAfterFailure = new CompletableFuture<>();
        sender.eventLoop().execute(() -> {
            for (int i = 0; i < 5; i++) {
                batcher.next(1000, to).writeZero(1000); // one GSO send, refused: lost
            }
            batcher.flush();
            for (int i = 0; i < 5; i++) {
                byte[] datagram = new byte[1000];
                random.nextBytes(datagram);
                second.add(datagram);
                batcher.next(datagram.length, to).writeBytes(datagram);
            }
            batcher.flush();
            gsoAfterFailure.complete(batcher.usesGso());
        });
        assertEquals(false, gsoAfterFailure.get(10, TimeUnit.SECONDS), "GSO is off after the failed send");
        assertReceived(second, received);
    }

    private static void assertReceived(List<byte[]> sent, LinkedBlockingQueue<byte[]> received) throws Exception {
        for (int i = 0; i < sent.size(); i++) {
            byte[] got = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(got, "datagram " + i + " of " + sent.size() + " never arrived (seed " + SEED + ")");
            assertArrayEquals(sent.get(i), got, "datagram " + i + " (seed " + SEED + ")");
        }
        assertEquals(null, received.poll(200, TimeUnit.MILLISECONDS), "nothing more arrives");
    }

    private InetSocketAddress receiver(boolean gro, LinkedBlockingQueue<byte[]> into) {
        Bootstrap b = new Bootstrap();
        if (gro) {
            b.option(EpollChannelOption.UDP_GRO, true);
        }
        b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_535))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                        ByteBuf content = msg.content();
                        byte[] bytes = new byte[content.readableBytes()];
                        content.getBytes(content.readerIndex(), bytes);
                        into.add(bytes);
                    }
                });
        return (InetSocketAddress) bind(b).localAddress();
    }

    private Channel bind(Bootstrap b) {
        Channel ch = b.group(group).channel(io.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .bind(LOOPBACK).syncUninterruptibly().channel();
        channels.add(ch);
        return ch;
    }
}
