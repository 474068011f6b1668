package dev.ferry.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The I/O flavour of this process: epoll on Linux, NIO elsewhere. One instance is created by {@code Main} and passed
 * to whatever opens sockets, so tests can pick NIO explicitly.
 */
public record IoRuntime(String name, IoHandlerFactory handlerFactory,
                        Class<? extends SocketChannel> socketChannel,
                        Class<? extends ServerSocketChannel> serverSocketChannel,
                        Class<? extends DatagramChannel> datagramChannel) {

    /** epoll where it loads, NIO otherwise. */
    public static IoRuntime detect() {
        return Epoll.isAvailable() ? epoll() : nio();
    }

    public static IoRuntime epoll() {
        return new IoRuntime("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class,
                EpollServerSocketChannel.class, EpollDatagramChannel.class);
    }

    public static IoRuntime nio() {
        return new IoRuntime("nio", NioIoHandler.newFactory(), NioSocketChannel.class,
                NioServerSocketChannel.class, NioDatagramChannel.class);
    }

    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, handlerFactory);
    }

    public boolean isEpoll() {
        return "epoll".equals(name);
    }
}
