package dev.ferry.frontend.e2e;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server for one answer: every A query for any name gets {@code address}, TTL 60 (RFC 1035: the question
 * echoed, one answer pointing back at it). Enough for a real resolver to resolve through a tunnel.
 */
final class TinyDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final byte[] address;
    private final Thread thread;
    final AtomicInteger queries = new AtomicInteger();

    TinyDnsServer(InetAddress address) throws IOException {
        this.address = address.getAddress();
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = Thread.ofPlatform().daemon().name("tiny-dns").start(this::serve);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket query = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(query);
                byte[] answer = answer(ByteBuffer.wrap(query.getData(), 0, query.getLength()));
                if (answer != null) {
                    queries.incrementAndGet();
                    socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** The response to {@code q}, or null if it is no single-question query. */
    private byte[] answer(ByteBuffer q) {
        if (q.remaining() < 12) {
            return null;
        }
        short id = q.getShort();
        short flags = q.getShort();
        if ((flags & 0x8000) != 0 || q.getShort() != 1) {
            return null;
        }
        q.position(12);
        while (q.hasRemaining()) {
            int len = q.get() & 0xFF;
            if (len == 0) {
                break;
            }
            q.position(q.position() + len);
        }
        int questionEnd = q.position() + 4; // QTYPE and QCLASS
        ByteBuffer r = ByteBuffer.allocate(questionEnd + 16);
        r.putShort(id).putShort((short) (0x8180 | (flags & 0x0100))).putShort((short) 1).putShort((short) 1)
                .putShort((short) 0).putShort((short) 0);
        r.put(q.array(), q.arrayOffset() + 12, questionEnd - 12);
        r.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(60).putShort((short) 4).put(address);
        return r.array();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
