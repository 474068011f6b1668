package dev.ferry.frontend.socks;

import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.mux.DatagramFlow;
import dev.ferry.tunnel.mux.DatagramReceiver;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.Destination;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A SOCKS5 UDP ASSOCIATE: a UDP socket on the address the client reached us at, whose datagrams (each with a SOCKS5
 * UDP header naming its destination) travel as one datagram flow through the tunnel; the backend sends them from one
 * socket, and replies come back with a header naming who sent them. The association lasts as long as the client's
 * TCP connection (RFC 1928, section 7); its UDP socket takes datagrams only from the client's address (and port, once
 * known: the port the request named, else the first datagram's). Anything else is dropped, logged once.
 *
 * <p>Threading: both sockets share the tunnel's event loop, as {@code -U} forwards do.
 */
final class SocksUdpAssociation extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SocksUdpAssociation.class);

    private final SocksService service;
    private final Destination declared;
    private final long startNanos = System.nanoTime();
    private Channel control;
    private Channel udp;
    private InetAddress clientAddress;
    private InetSocketAddress clientUdp;
    private DatagramFlow flow;
    private long up;
    private long down;
    private boolean strangerLogged;
    private boolean malformedLogged;
    private boolean noTunnelLogged;
    private boolean closed;

    /** @param declared where the client says it will send from (zeros when it does not know) */
    SocksUdpAssociation(SocksService service, Destination declared) {
        this.service = service;
        this.declared = declared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        control = ctx.channel();
        clientAddress = ((InetSocketAddress) control.remoteAddress()).getAddress();
        // Like a CONNECT, the reply waits (bounded) for a tunnel: datagrams the client sends after it can then go.
        service.tunnel().acquire(service.openWait()).addListener(t -> control.eventLoop().execute(() -> {
            if (!t.isSuccess()) {
                fail("no tunnel within " + service.openWait().toSeconds() + " s");
                return;
            }
            InetSocketAddress local = (InetSocketAddress) control.localAddress();
            service.udpSockets().bind(new InetSocketAddress(local.getAddress(), 0), new Relay())
                    .addListener((ChannelFutureListener) f -> bound(f, local));
        }));
    }

    private void bound(io.netty.channel.ChannelFuture f, InetSocketAddress local) {
        if (!f.isSuccess()) {
            fail("cannot open a UDP socket on " + local.getAddress().getHostAddress() + ": " + f.cause());
            return;
        }
        udp = f.channel();
        if (!control.isActive()) {
            udp.close();
            return;
        }
        control.writeAndFlush(SocksReply.of(Socks5CommandStatus.SUCCESS, (InetSocketAddress) udp.localAddress()));
        // From now on the TCP connection only says when the association ends: read it to see that.
        control.config().setOption(ChannelOption.AUTO_READ, true);
    }

    private void fail(String why) {
        LOG.info("SOCKS5 UDP ASSOCIATE from {} failed: {}; replied FAILURE", AccessLog.format(control.remoteAddress()),
                why);
        control.writeAndFlush(SocksReply.failure(Socks5CommandStatus.FAILURE)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // RFC 1928 gives the TCP connection nothing more to carry
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client is done with the association
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("SOCKS5 UDP association control connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private void end() {
        if (closed) {
            return;
        }
        closed = true;
        if (flow != null) {
            flow.close();
        }
        if (udp != null) {
            udp.close();
        }
        service.accessLog().connection(AccessLog.format(control.remoteAddress()), "udp-associate", up, down,
                (System.nanoTime() - startNanos) / 1_000_000, "closed");
    }

    private boolean fromClient(InetSocketAddress sender) {
        if (!sender.getAddress().equals(clientAddress)) {
            return false;
        }
        if (clientUdp == null) {
            if (declared.port() != 0 && declared.port() != sender.getPort()) {
                return false;
            }
            clientUdp = sender;
        }
        return clientUdp.equals(sender);
    }

    /** The association's UDP socket: client datagrams into the flow. */
    private final class Relay extends SimpleChannelInboundHandler<DatagramPacket> implements DatagramReceiver {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (closed) {
                return;
            }
            if (!fromClient(packet.sender())) {
                if (!strangerLogged) {
                    strangerLogged = true;
                    LOG.info("refused UDP datagram from {} to the SOCKS5 association of {}: not its client "
                            + "(dropped; logged once per association)", AccessLog.format(packet.sender()),
                            AccessLog.format(control.remoteAddress()));
                }
                return;
            }
            ByteBuf content = packet.content();
            SocksDatagram datagram;
            try {
                datagram = SocksDatagram.decode(content);
            } catch (IllegalArgumentException e) {
                if (!malformedLogged) {
                    malformedLogged = true;
                    LOG.info("refused UDP datagram from {}: malformed SOCKS5 UDP header: {} (dropped; logged once "
                            + "per association)", AccessLog.format(packet.sender()),
                            Socks5Handshake.printable(String.valueOf(e.getMessage()), 200));
                }
                return;
            }
            DatagramFlow f = flow();
            if (f == null) {
                return;
            }
            up += datagram.payload().readableBytes();
            f.send(datagram.address(), datagram.payload().retain());
        }

        private DatagramFlow flow() {
            if (flow != null && !flow.isClosed()) {
                return flow;
            }
            MuxSession session = service.tunnel().currentSession();
            flow = session == null || !session.channel().isActive() ? null : session.openFlow(this);
            if (flow == null && !noTunnelLogged) {
                noTunnelLogged = true;
                LOG.info("SOCKS5 UDP association of {}: no tunnel up, dropping datagrams until there is (logged "
                        + "once)", AccessLog.format(control.remoteAddress()));
            }
            return flow;
        }

        @Override
        public void onDatagram(DatagramFlow f, Destination from, ByteBuf payload) {
            if (closed || clientUdp == null || !udp.isActive()) {
                payload.release();
                return;
            }
            down += payload.readableBytes();
            udp.writeAndFlush(new DatagramPacket(SocksDatagram.encode(udp.alloc(), from, payload), clientUdp),
                    udp.voidPromise());
        }

        @Override
        public void onFlowClosed(DatagramFlow f) {
            if (flow == f) {
                flow = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A send refused (a firewall's EPERM, an ICMP error): UDP carries on, as the network would.
            LOG.debug("SOCKS5 UDP association of {}: {}", AccessLog.format(control.remoteAddress()), cause.toString());
        }
    }
}
