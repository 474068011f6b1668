package dev.ferry.tunnel;

import dev.ferry.tunnel.control.KeepaliveHandler;
import dev.ferry.tunnel.control.TunnelHealth;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.FrameDecoder;
import dev.ferry.tunnel.wire.FrameEncoder;
import io.netty.channel.Channel;

/** The layers above the sealed records, the same on both ends: frames, keepalive, mux. */
public final class TunnelPipeline {
    private TunnelPipeline() {
    }

    public static void install(Channel channel, TunnelSettings settings, TunnelHealth health, MuxSession mux) {
        channel.pipeline()
                .addLast("frame-decoder", new FrameDecoder())
                .addLast("frame-encoder", new FrameEncoder())
                .addLast("keepalive", new KeepaliveHandler(settings.keepaliveInterval(), settings.deadAfter(), health))
                .addLast("mux", mux);
    }
}
