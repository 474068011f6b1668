package dev.ferry.transport.kcp;

import dev.ferry.transport.IoRuntime;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What the kcp tests over real sockets on 127.0.0.1 share: two event loops opened before each test, and the test's
 * listener (if it set {@link #listener}) and the loops closed after it.
 */
abstract class KcpSocketTest {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    final IoRuntime io = IoRuntime.detect();
    EventLoopGroup group;
    Channel listener;

    @BeforeEach
    void openLoops() {
        group = io.newGroup(2);
    }

    @AfterEach
    void closeLoops() {
        if (listener != null) {
            listener.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
