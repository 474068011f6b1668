package dev.ferry.transport.kcp;

import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.kcp.engine.KcpEngine;
import dev.ferry.transport.kcp.engine.KcpOutput;
import dev.ferry.transport.kcp.engine.KcpStats;
import dev.ferry.transport.udp.DatagramBatcher;
import dev.ferry.transport.udp.Drop;
import dev.ferry.transport.udp.FecStage;
import dev.ferry.transport.udp.PacketCrypto;
import dev.ferry.transport.udp.PacketFormat;
import dev.ferry.transport.udp.Plaintext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One KCP session over one UDP socket: the engine, the packet keys, the peer's current address, and the timer that
 * drives retransmissions. The {@link KcpStreamChannel} on top sees only the byte stream.
 *
 * <p>Life: open while the stream channel is; when the channel closes, the session lingers until what it still has to
 * send is acknowledged (at most {@link #LINGER_MILLIS}), then tells the peer with a CLOSE packet and finishes (a
 * server that stopped listening skips the linger: it is going away). A
 * CLOSE from the peer or a dead link finishes it at once and closes the channel.
 *
 * <p>Threading: everything runs on the socket's event loop.
 */
final class KcpSession implements KcpOutput {
    private static final Logger LOG = LoggerFactory.getLogger(KcpSession.class);
    static final long LINGER_MILLIS = 5_000;
    /** CLOSE is sent this many times: it is not retransmitted, and a lost one costs the peer its dead-link time. */
    private static final int CLOSE_COPIES = 2;

    private final Channel socket;
    /** Sealed packets wait here for {@link #flushSocket}, which sends them (with GSO when the socket has it). */
    private final DatagramBatcher batcher;
    private final PacketCrypto crypto;
    private final KcpEngine engine;
    private final KcpOptions options;
    private final Runnable onFinished;
    private final BooleanSupplier mayLinger;
    private final FecStage fec;
    /** FEC of the tunnel's datagrams, with its own groups: never mixed with KCP packets, so neither waits for the other. */
    private final FecStage datagramFec;
    /** The client's {@code --down}, sent to the server (declares nothing on a server). */
    private final RateDeclaration declaration;
    /** The server's side of {@code --down}; null on a client, which drops any RATE it receives. */
    private final RateDeclarationHandler declaredRates;
    private final byte[] plain;
    /** Outgoing tunnel datagrams are copied here to be sealed. */
    private final byte[] datagramOut;
    private boolean engineRefused;
    private InetSocketAddress peer;
    /** The client stamps its packets until the server has answered, so the server may open the session. */
    private boolean stampPackets;
    private KcpStreamChannel channel;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    private boolean lingering;
    private long lingerDeadline;
    private boolean finished;

    /**
     * @param client true for the frontend's end: it stamps its packets until the server has answered, declares its
     *     down rate if it has one, and refuses RATE packets
     * @param mayLinger asked when the channel closes: false skips the linger (a server that stopped listening is
     *     going away, and its socket must close with its last session)
     */
    KcpSession(Channel socket, PacketCrypto crypto, KcpOptions options, InetSocketAddress peer, boolean client,
               BooleanSupplier mayLinger, Runnable onFinished) {
        this.socket = socket;
        this.batcher = DatagramBatcher.forSocket(socket);
        this.crypto = crypto;
        this.options = options;
        this.peer = peer;
        this.stampPackets = client;
        this.onFinished = onFinished;
        this.mayLinger = mayLinger;
        this.plain = new byte[options.maxDatagram()];
        KcpConfig tuning = options.engineInsideDatagrams();
        this.engine = new KcpEngine((int) crypto.sessionId(), tuning, this);
        this.fec = FecStage.forSegments(options.fec(), tuning.mtu(), this::send);
        // With FEC on, a datagram leaves room for a shard's header and length prefix.
        int datagramBody = crypto.maxBody() - (options.fec().isOff() ? 0 : FecStage.RESERVED);
        this.datagramFec = FecStage.forDatagrams(options.fec(), datagramBody, this::send);
        this.datagramOut = new byte[datagramBody];
        this.declaration = new RateDeclaration(client ? options.downBitsPerSecond() : 0, this::send);
        this.declaredRates = client ? null : new RateDeclarationHandler(engine, options, crypto.sessionId());
    }

    void attach(KcpStreamChannel channel) {
        this.channel = channel;
    }

    KcpEngine engine() {
        return engine;
    }

    Channel socket() {
        return socket;
    }

    InetSocketAddress peer() {
        return peer;
    }

    long sessionId() {
        return crypto.sessionId();
    }

    long now() {
        return options.monotonicMillis().getAsLong();
    }

    /** The engine hands over one packet: seal it and queue it on the socket (flushed by {@link #flushSocket}). */
    @Override
    public void output(byte[] packet, int length) {
        long now = now();
        declaration.sendIfDue(now);
        fec.send(packet, length, now);
    }

    private void send(int kind, byte[] body, int offset, int length) {
        long stamp = stampPackets ? options.wallClock().millis() : -1;
        crypto.sealInto(batcher.next(crypto.sealedLength(stamp, length), peer), kind, stamp, body, offset, length);
    }

    /**
     * A datagram whose session id is ours. Does not flush: the caller calls {@link #afterReads} once the socket's
     * read batch is done, so acknowledgements for a whole batch leave together.
     *
     * @return why it was dropped, or null if it was taken
     */
    Drop received(ByteBuf packet, InetSocketAddress sender) {
        int n = crypto.open(packet, plain);
        if (n == PacketCrypto.UNAUTHENTIC) {
            return Drop.UNAUTHENTIC;
        }
        if (n == PacketCrypto.REPLAYED) {
            return Drop.REPLAYED;
        }
        return opened(plain, n, sender);
    }

    /** A packet of this session already opened (by the listener, which opens a session's first packet itself). */
    Drop opened(byte[] plain, int n, InetSocketAddress sender) {
        int body = Plaintext.bodyOffset(plain, n);
        if (body < 0) {
            return Drop.MALFORMED;
        }
        if (!sender.equals(peer)) {
            LOG.debug("kcp session {}: peer moved from {} to {}", Long.toHexString(sessionId()), peer, sender);
            peer = sender;
        }
        stampPackets = false;
        switch (Plaintext.kind(plain)) {
            case PacketFormat.KIND_KCP -> {
                if (!engine.input(plain, body, n - body, now())) {
                    return Drop.MALFORMED;
                }
                delivered();
            }
            case PacketFormat.KIND_FEC -> {
                engineRefused = false;
                if (!fec.receive(plain, body, n - body, this::fromFec) || engineRefused) {
                    return Drop.MALFORMED;
                }
                delivered();
            }
            case PacketFormat.KIND_FEC_REPORT -> {
                if (!fec.report(plain, body, n - body, now())) {
                    return Drop.MALFORMED;
                }
            }
            case PacketFormat.KIND_RATE -> {
                if (declaredRates == null || !declaredRates.received(plain, body, n - body)) {
                    return Drop.MALFORMED;
                }
            }
            case PacketFormat.KIND_DATAGRAM -> datagramArrived(plain, body, n - body);
            case PacketFormat.KIND_DATAGRAM_FEC -> {
                if (!datagramFec.receive(plain, body, n - body, this::datagramArrived)) {
                    return Drop.MALFORMED;
                }
            }
            case PacketFormat.KIND_DATAGRAM_FEC_REPORT -> {
                if (!datagramFec.report(plain, body, n - body, now())) {
                    return Drop.MALFORMED;
                }
            }
            case PacketFormat.KIND_CLOSE -> {
                LOG.debug("kcp session {}: peer closed", Long.toHexString(sessionId()));
                finish(false);
            }
            default -> {
                return Drop.MALFORMED;
            }
        }
        return null;
    }

    /** A tunnel datagram, received or rebuilt from parity. */
    private void datagramArrived(byte[] buf, int off, int len) {
        if (channel != null && !lingering) {
            channel.datagramArrived(buf, off, len);
        }
    }

    /** A body the FEC stage received or rebuilt. */
    private void fromFec(byte[] buf, int off, int len) {
        if (!engine.input(buf, off, len, now())) {
            engineRefused = true;
        }
    }

    private void delivered() {
        if (lingering) {
            discardReadable();
        } else if (channel != null) {
            channel.dataArrived();
        }
    }

    /** After a batch of reads: send acknowledgements and whatever the windows now allow, then rearm the timer. */
    void afterReads() {
        if (finished) {
            return;
        }
        engine.flush(now());
        if (channel != null && !lingering) {
            channel.resumeWrites();
        }
        checkLinger();
        flushSocket();
        rearm();
    }

    /** The stream channel queued bytes into the engine: send them now rather than at the next tick. */
    void wrote() {
        engine.flush(now());
        flushSocket();
        rearm();
    }

    /** The application read bytes: the window may have reopened; tell the peer. */
    void consumed() {
        engine.flush(now());
        flushSocket();
        rearm();
    }

    void flushSocket() {
        batcher.flush();
    }

    private void rearm() {
        if (finished) {
            return;
        }
        long now = now();
        long at = Math.min(Math.min(engine.nextUpdate(now), fec.nextDue()),
                Math.min(datagramFec.nextDue(), declaration.nextDue()));
        at = Math.max(at, now);
        if (lingering) {
            at = Math.min(at, lingerDeadline);
        }
        if (timer != null && timerAt <= at && !timer.isDone()) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = socket.eventLoop().schedule(this::tick, Math.max(0, at - now), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (finished) {
            return;
        }
        engine.update(now());
        fec.tick(now());
        datagramFec.tick(now());
        declaration.sendIfDue(now());
        if (engine.isDead()) {
            LOG.info("kcp session {} with {}: link dead (a segment went unacknowledged {} times)",
                    Long.toHexString(sessionId()), peer, options.engine().deadLinkTransmissions());
            finish(false);
            flushSocket();
            return;
        }
        if (channel != null && !lingering) {
            channel.resumeWrites();
        }
        checkLinger();
        flushSocket();
        rearm();
    }

    /** The stream channel closed: linger until everything sent is acknowledged, then say goodbye. */
    void channelClosed() {
        if (finished || lingering) {
            return;
        }
        if (!mayLinger.getAsBoolean()) {
            finish(true);
            return;
        }
        lingering = true;
        lingerDeadline = now() + LINGER_MILLIS;
        discardReadable();
        checkLinger();
        flushSocket();
        rearm();
    }

    private void checkLinger() {
        if (lingering && !finished && (engine.waitingSegments() == 0 || now() >= lingerDeadline)) {
            finish(true);
        }
    }

    private void discardReadable() {
        while (engine.readable() > 0) {
            engine.receive(plain, 0, plain.length);
        }
    }

    /** Ends the session now: optionally tells the peer, stops the timer, closes the channel if it is still open. */
    void finish(boolean tellPeer) {
        if (finished) {
            return;
        }
        if (tellPeer) {
            for (int i = 0; i < CLOSE_COPIES; i++) {
                send(PacketFormat.KIND_CLOSE, plain, 0, 0);
            }
            flushSocket();
        }
        finished = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        LOG.info("kcp session {} with {} ended: {}", Long.toHexString(sessionId()), peer, summary(engine.stats()));
        if (channel != null && channel.isOpen()) {
            channel.close();
        }
        onFinished.run();
    }

    /** The counters a user needs to judge a link: what went out, what had to go again, and the round trip. */
    static String summary(KcpStats s) {
        return String.format(Locale.ROOT, "sent %d payload bytes in %d packets (%d small ones three times): %d data "
                        + "segments, of which %d retransmitted after a timeout and %d fast, and %d acks; received %d "
                        + "payload bytes in %d packets; srtt %d ms",
                s.bytesSent(), s.packetsSent(), s.duplicatedPackets(), s.segmentsSent(), s.retransmits(),
                s.fastRetransmits(), s.acksSent(), s.bytesReceived(), s.packetsReceived(), s.srttMillis());
    }

    /** The largest tunnel datagram one packet carries. */
    int maxDatagramBody() {
        return datagramOut.length;
    }

    /**
     * Seals {@code body} (ownership taken) as one DATAGRAM packet and sends it now, beside the KCP stream: it is not
     * retransmitted and does not wait for the stream's window.
     *
     * @return false if it was dropped: too large, or the session is over
     */
    boolean sendDatagram(ByteBuf body) {
        try {
            int length = body.readableBytes();
            if (finished || lingering || length > datagramOut.length) {
                return false;
            }
            body.getBytes(body.readerIndex(), datagramOut, 0, length);
            datagramFec.send(datagramOut, length, now());
            flushSocket();
            rearm();
            return true;
        } finally {
            body.release();
        }
    }

    /** The FEC stage of KCP packets, for tests and status. */
    FecStage fec() {
        return fec;
    }

    /** The FEC stage of tunnel datagrams, for tests and status. */
    FecStage datagramFec() {
        return datagramFec;
    }

    boolean isFinished() {
        return finished;
    }
}
