package dev.ferry.tunnel;

import dev.ferry.transport.DatagramCarrier;
import dev.ferry.tunnel.control.KeepaliveHandler;
import dev.ferry.tunnel.control.TunnelHealth;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.FrameDecoder;
import dev.ferry.tunnel.wire.FrameEncoder;
import io.netty.channel.Channel;

/**
 * The layers above the sealed records, the same on both ends: frames, datagrams beside the stream where the transport
 * carries them, keepalive, mux.
 */
public final class TunnelPipeline {
    private TunnelPipeline() {
    }

    public static void install(Channel channel, TunnelSettings settings, TunnelHealth health, MuxSession mux) {
        channel.pipeline()
                .addLast("frame-decoder", new FrameDecoder())
                .addLast("frame-encoder", new FrameEncoder());
        if (channel instanceof DatagramCarrier carrier) {
            channel.pipeline().addLast("datagram-bypass", new DatagramBypass(carrier));
        }
        channel.pipeline()
                .addLast("keepalive", new KeepaliveHandler(settings.keepaliveInterval(), settings.deadAfter(), health))
                .addLast("mux", mux);
    }
}
