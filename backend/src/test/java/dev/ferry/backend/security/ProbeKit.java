package dev.ferry.backend.security;

import dev.ferry.transport.IoRuntime;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.secure.ClientHandshakeHandler;
import dev.ferry.tunnel.secure.HandshakeResult;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.FrameDecoder;
import dev.ferry.tunnel.wire.FrameEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the backend tests attack with and check with: raw sockets that send chosen bytes and report what came back,
 * the exact bytes a real frontend would send first, and a real frontend handshake followed by a PING answered through
 * the sealed records (so "the backend still works" means the whole tunnel, not just the first packet).
 */
final class ProbeKit {
    /** salt (32) + sealed 52-byte body (52 + 16 tag): the fixed part of every hello, before its padding. */
    static final int SEALED_HELLO_LENGTH = 32 + 52 + 16;

    private ProbeKit() {
    }

    /** How a probe connection ended: what the backend sent, how the connection ended, and when (from connecting). */
    record Outcome(int bytesReceived, Ending ending, long millisSinceConnecting, String detail) {
        @Override
        public String toString() {
            return bytesReceived + " bytes back, " + ending + " after " + millisSinceConnecting + " ms"
                    + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    enum Ending { EOF, RESET, TIMEOUT }

    /**
     * Connects, sends {@code bytes}, then reads until the backend closes or {@code readFor} passes. Blocking; meant
     * for a (virtual) thread per probe. {@code afterSend} runs once the bytes are out (null for none).
     */
    static Outcome probe(InetSocketAddress backend, byte[] bytes, Duration readFor, Runnable afterSend)
            throws IOException {
        return probe(backend, bytes, false, readFor, afterSend);
    }

    /** As above; with {@code halfClose} the probe shuts its sending side (TCP FIN) right after the bytes. */
    static Outcome probe(InetSocketAddress backend, byte[] bytes, boolean halfClose, Duration readFor,
                         Runnable afterSend) throws IOException {
        try (Socket s = new Socket()) {
            // Timed from before connect: the backend's deadline starts at its accept, which comes later, so a close
            // measured from here can never look early (only late, by the connect time).
            long start = System.nanoTime();
            s.connect(backend, 5_000);
            s.setSoTimeout((int) readFor.toMillis());
            int received = 0;
            Ending ending;
            String detail = "";
            try {
                if (bytes.length > 0) {
                    s.getOutputStream().write(bytes);
                    s.getOutputStream().flush();
                }
                if (halfClose) {
                    s.shutdownOutput();
                }
                if (afterSend != null) {
                    afterSend.run();
                }
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                while (true) {
                    int n = in.read(buf);
                    if (n < 0) {
                        ending = Ending.EOF;
                        break;
                    }
                    received += n;
                }
            } catch (SocketTimeoutException e) {
                ending = Ending.TIMEOUT;
            } catch (SocketException e) {
                ending = Ending.RESET;
                detail = e.getMessage();
            }
            return new Outcome(received, ending, (System.nanoTime() - start) / 1_000_000, detail);
        }
    }

    /**
     * Sends {@code bytes} and reads until at least {@code atLeast} bytes came back or {@code within} passed; returns
     * what came back. For the offer that is expected to be answered.
     */
    static byte[] sendAndRead(InetSocketAddress backend, byte[] bytes, int atLeast, Duration within)
            throws IOException {
        try (Socket s = new Socket()) {
            s.connect(backend, 5_000);
            s.setSoTimeout((int) within.toMillis());
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            long deadline = System.nanoTime() + within.toNanos();
            try {
                while (got.size() < atLeast && System.nanoTime() < deadline) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | SocketException e) {
                // what arrived so far is the answer
            }
            return got.toByteArray();
        }
    }

    /** The exact first bytes a real frontend with {@code settings} sends (a fresh salt and key every call). */
    static byte[] realClientHello(TunnelSettings settings) {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(settings, new SecureRandom(),
                (c, r) -> { }));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
                byte[] chunk = new byte[b.readableBytes()];
                b.readBytes(chunk);
                b.release();
                out.writeBytes(chunk);
            }
            return out.toByteArray();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /**
     * A real frontend handshake over TCP, then a PING through the sealed records that the backend must answer with
     * the same opaque value. Fails the test when either does not happen within {@code within}.
     */
    static HandshakeResult goodTunnel(IoRuntime io, EventLoopGroup group, InetSocketAddress backend,
                                      TunnelSettings settings, long opaque, Duration within) throws Exception {
        Promise<HandshakeResult> established = group.next().newPromise();
        Promise<Long> pong = group.next().newPromise();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(io.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) within.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("handshake", new ClientHandshakeHandler(settings, new SecureRandom(),
                                (c, result) -> {
                                    c.pipeline().addLast(new FrameDecoder(), new FrameEncoder(), new PongCatcher(pong));
                                    established.trySuccess(result);
                                    c.writeAndFlush(new Frame.Ping(opaque));
                                }));
                    }
                });
        ChannelFuture connect = b.connect(backend);
        assertTrue(connect.await(within.toMillis(), TimeUnit.MILLISECONDS), "no TCP connection to " + backend);
        connect.sync();
        Channel ch = connect.channel();
        ch.closeFuture().addListener(f -> {
            established.tryFailure(new IOException("backend closed the connection during the handshake"));
            pong.tryFailure(new IOException("backend closed the tunnel before answering the PING"));
        });
        try {
            HandshakeResult result = established.get(within.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(opaque, pong.get(within.toMillis(), TimeUnit.MILLISECONDS), "PONG opaque");
            return result;
        } finally {
            ch.close().await(within.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Completes {@code pong} with the first PONG; releases the payload of any frame that has one. */
    private static final class PongCatcher extends ChannelInboundHandlerAdapter {
        private final Promise<Long> pong;

        PongCatcher(Promise<Long> pong) {
            this.pong = pong;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            switch (msg) {
                case Frame.Pong p -> pong.trySuccess(p.opaque());
                case Frame.Data d -> d.payload().release();
                case Frame.Open o -> o.firstBytes().release();
                default -> { }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            pong.tryFailure(cause);
            ctx.close();
        }
    }
}
