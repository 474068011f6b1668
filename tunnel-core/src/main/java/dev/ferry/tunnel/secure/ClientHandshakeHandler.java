package dev.ferry.tunnel.secure;

import dev.ferry.crypto.X25519;
import dev.ferry.tunnel.TunnelSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.List;

/**
 * The frontend's side of the handshake: sends the client hello as soon as the transport is up, then waits for a
 * server hello that proves the backend holds the same key and is answering this very hello.
 */
public final class ClientHandshakeHandler extends HandshakeHandler {
    /**
     * Why the handshake failed, set on the channel before it closes: whoever reconnects logs it, once per outage,
     * rather than every attempt here.
     */
    public static final io.netty.util.AttributeKey<String> FAILURE =
            io.netty.util.AttributeKey.valueOf("ferry.handshake.failure");
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandshakeHandler.class);

    private final SecureRandom random;
    private final HelloSealer sealer;
    private X25519 ephemeral;
    private byte[] salt;
    private byte[] clientHello;
    private ByteBuf serverHello;
    private Hello peer;
    private boolean failed;

    public ClientHandshakeHandler(TunnelSettings settings, SecureRandom random, TunnelInitializer next) {
        super(settings, next);
        this.random = random;
        this.sealer = new HelloSealer(settings.key());
    }

    @Override
    protected Logger log() {
        return LOG;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ephemeral = X25519.generate(random);
        salt = new byte[HandshakeFormat.SALT_LENGTH];
        random.nextBytes(salt);
        Hello hello = new Hello(HandshakeFormat.VERSION, HandshakeFormat.CAPABILITIES, settings.cipher(),
                settings.clock().millis(), settings.streamWindow(), ephemeral.publicKey(),
                random.nextInt(HandshakeFormat.MAX_PADDING + 1));
        ByteBuf sealed = sealer.seal(ctx.alloc(), hello, salt, null, HandshakeFormat.CLIENT_HELLO_LABEL, random);
        clientHello = bytes(sealed);
        ctx.writeAndFlush(sealed);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (peer == null) {
            if (in.readableBytes() < HandshakeFormat.SEALED_HELLO_LENGTH) {
                return;
            }
            ByteBuf sealed = in.readSlice(HandshakeFormat.SEALED_HELLO_LENGTH);
            Hello h = sealer.open(sealed, salt, HandshakeFormat.SERVER_HELLO_LABEL);
            if (h == null || h.cipher() != settings.cipher()) {
                fail(ctx, "backend's answer did not authenticate (different key?)");
                return;
            }
            if (h.version() != HandshakeFormat.VERSION) {
                fail(ctx, "backend speaks protocol version " + h.version() + ", this frontend " + HandshakeFormat.VERSION);
                return;
            }
            if (!HandshakeFormat.isValidWindow(h.streamWindow())) {
                fail(ctx, "backend announced an invalid stream window");
                return;
            }
            peer = h;
            serverHello = ctx.alloc().heapBuffer(sealed.readableBytes() + h.paddingLength());
            serverHello.writeBytes(sealed);
        }
        if (in.readableBytes() < peer.paddingLength()) {
            return;
        }
        serverHello.writeBytes(in, peer.paddingLength());
        byte[] transcript = bytes(serverHello);
        serverHello.release();
        serverHello = null;
        byte[] shared;
        try {
            shared = ephemeral.agree(peer.ephemeralKey());
        } catch (InvalidKeyException e) {
            fail(ctx, "backend sent an unusable ephemeral key");
            return;
        }
        SessionKeys keys = SessionKeys.derive(true, settings.cipher(), shared, settings.key(), clientHello, transcript);
        complete(ctx, keys, new HandshakeResult(peer.version(), peer.capabilities(), settings.cipher(),
                settings.streamWindow(), peer.streamWindow()));
    }

    @Override
    protected void releaseState() {
        if (serverHello != null) {
            serverHello.release();
            serverHello = null;
        }
    }

    @Override
    protected void onDeadline(ChannelHandlerContext ctx) {
        String why = "no handshake answer within " + settings.handshakeTimeout().toMillis()
                + " ms (wrong key, or not a ferry backend?)";
        ctx.channel().attr(FAILURE).set(why);
        LOG.debug("tunnel to {}: {}", ctx.channel().remoteAddress(), why);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        failed = true;
        ctx.channel().attr(FAILURE).set(why);
        LOG.debug("tunnel to {}: {}", ctx.channel().remoteAddress(), why);
        releaseState();
        ctx.close();
    }
}
