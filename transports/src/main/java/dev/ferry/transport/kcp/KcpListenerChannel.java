package dev.ferry.transport.kcp;

import io.netty.channel.AbstractServerChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;

import java.net.SocketAddress;

/**
 * What {@link KcpTransport#listen} returns: closing it stops new sessions while those already open go on over the same
 * UDP socket, which closes once the last of them has finished (the {@link dev.ferry.transport.Transport} contract, which
 * the backend's drain relies on).
 */
final class KcpListenerChannel extends AbstractServerChannel {
    private final Channel socket;
    private final KcpServerHandler sessions;
    private final DefaultChannelConfig config;
    private boolean open = true;

    KcpListenerChannel(Channel socket, KcpServerHandler sessions) {
        this.socket = socket;
        this.sessions = sessions;
        this.config = new DefaultChannelConfig(this);
        this.config.setAutoRead(false);
    }

    /** The session table behind this listener: counts and drops, for tests and status. */
    KcpServerHandler sessions() {
        return sessions;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop == socket.eventLoop();
    }

    @Override
    protected SocketAddress localAddress0() {
        return socket.localAddress();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("bound by KcpTransport.listen");
    }

    @Override
    protected void doClose() {
        if (open) {
            open = false;
            sessions.stopAccepting();
        }
    }

    @Override
    protected void doBeginRead() {
        // sessions arrive through the UDP socket's handler, not through reads on this channel
    }
}
