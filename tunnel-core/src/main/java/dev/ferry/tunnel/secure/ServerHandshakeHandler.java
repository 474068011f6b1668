package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.SeenSalts;
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
 * The backend's side of the handshake. A peer that does not prove it holds the key, whose clock is off by more than
 * 30 s, or that replays a hello already seen gets no byte back: the refusal is logged once, everything it sends
 * afterwards is discarded, and the connection is closed at the handshake deadline, so a scanner learns nothing
 * (not even from an early close).
 */
public final class ServerHandshakeHandler extends HandshakeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private enum State { HELLO, PADDING, SILENT }

    private final SeenSalts seenSalts;
    private final SecureRandom random;
    private final HelloSealer sealer;
    private State state = State.HELLO;
    private Hello peer;
    private byte[] peerSalt;
    private ByteBuf clientHello;

    /** {@code seenSalts} is shared by all connections of one backend; access is synchronized on it. */
    public ServerHandshakeHandler(TunnelSettings settings, SeenSalts seenSalts, SecureRandom random,
                                  TunnelInitializer next) {
        super(settings, next);
        this.seenSalts = seenSalts;
        this.random = random;
        this.sealer = new HelloSealer(settings.key());
    }

    @Override
    protected Logger log() {
        return LOG;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case SILENT -> in.skipBytes(in.readableBytes());
            case HELLO -> readHello(ctx, in);
            case PADDING -> readPadding(ctx, in);
        }
    }

    private void readHello(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < HandshakeFormat.SEALED_HELLO_LENGTH) {
            return;
        }
        ByteBuf sealed = in.readSlice(HandshakeFormat.SEALED_HELLO_LENGTH);
        Hello h = sealer.open(sealed, null, HandshakeFormat.CLIENT_HELLO_LABEL);
        if (h == null) {
            refuse(ctx, in, "does not authenticate (wrong key, or not a ferry frontend)");
            return;
        }
        if (h.version() != HandshakeFormat.VERSION) {
            refuse(ctx, in, "protocol version " + h.version() + " not supported");
            return;
        }
        long now = settings.clock().millis();
        long ts = h.timestampMillis();
        if (ts < now - HandshakeFormat.MAX_CLOCK_SKEW_MILLIS || ts > now + HandshakeFormat.MAX_CLOCK_SKEW_MILLIS) {
            refuse(ctx, in, "timestamp off by " + (ts - now) / 1000
                    + " s (more than 30 s: replay, or a clock to fix)");
            return;
        }
        if (!HandshakeFormat.isValidWindow(h.streamWindow())) {
            refuse(ctx, in, "stream window " + Integer.toUnsignedString(h.streamWindow()) + " out of range");
            return;
        }
        if (h.cipher() == CipherKind.NONE && !settings.allowNoEncryption()) {
            refuse(ctx, in, "asks for cipher none, which needs --insecure-no-encryption on the backend");
            return;
        }
        byte[] salt = new byte[HandshakeFormat.SALT_LENGTH];
        sealed.getBytes(sealed.readerIndex(), salt);
        boolean fresh;
        synchronized (seenSalts) {
            fresh = seenSalts.firstSeen(salt);
        }
        if (!fresh) {
            refuse(ctx, in, "replayed handshake");
            return;
        }
        peer = h;
        peerSalt = salt;
        clientHello = ctx.alloc().heapBuffer(sealed.readableBytes() + h.paddingLength());
        clientHello.writeBytes(sealed);
        state = State.PADDING;
        readPadding(ctx, in);
    }

    private void readPadding(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < peer.paddingLength()) {
            return;
        }
        clientHello.writeBytes(in, peer.paddingLength());
        X25519 ephemeral = X25519.generate(random);
        byte[] shared;
        try {
            shared = ephemeral.agree(peer.ephemeralKey());
        } catch (InvalidKeyException e) {
            refuse(ctx, in, "unusable ephemeral key");
            return;
        }
        byte[] salt = new byte[HandshakeFormat.SALT_LENGTH];
        random.nextBytes(salt);
        Hello answer = new Hello(HandshakeFormat.VERSION, HandshakeFormat.CAPABILITIES, peer.cipher(),
                settings.clock().millis(), settings.streamWindow(), ephemeral.publicKey(),
                random.nextInt(HandshakeFormat.MAX_PADDING + 1));
        ByteBuf serverHello = sealer.seal(ctx.alloc(), answer, salt, peerSalt, HandshakeFormat.SERVER_HELLO_LABEL,
                random);
        byte[] serverBytes = bytes(serverHello);
        byte[] clientBytes = bytes(clientHello);
        releaseState();
        ctx.writeAndFlush(serverHello);
        SessionKeys keys = SessionKeys.derive(false, peer.cipher(), shared, settings.key(), clientBytes, serverBytes);
        complete(ctx, keys, new HandshakeResult(peer.version(), peer.capabilities(), peer.cipher(),
                settings.streamWindow(), peer.streamWindow()));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent && state != State.SILENT) {
            // A peer that half-closes before finishing its hello gets the same silence as any other failure;
            // the deadline closes the connection, so the close time tells a scanner nothing either.
            refuse(ctx, io.netty.buffer.Unpooled.EMPTY_BUFFER, "closed its side before completing the handshake");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, String why) {
        LOG.info("refused tunnel from {}: {}", ctx.channel().remoteAddress(), why);
        state = State.SILENT;
        releaseState();
        in.skipBytes(in.readableBytes());
    }

    @Override
    protected void releaseState() {
        if (clientHello != null) {
            clientHello.release();
            clientHello = null;
        }
    }

    @Override
    protected void onDeadline(ChannelHandlerContext ctx) {
        if (state != State.SILENT) {
            LOG.info("refused tunnel from {}: no complete handshake within {} ms", ctx.channel().remoteAddress(),
                    settings.handshakeTimeout().toMillis());
        }
    }
}
