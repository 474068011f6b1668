package dev.ferry.frontend.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A SOCKS5 UDP datagram as RFC 1928 section 7 lays it out, written and read byte by byte for the tests. */
record SocksUdp(InetSocketAddress from, byte[] payload) {

    static byte[] wrap(InetSocketAddress to, byte[] payload) {
        byte[] ip = to.getAddress().getAddress();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0, (byte) (ip.length == 4 ? 1 : 4)});
        b.writeBytes(ip);
        b.write(to.getPort() >> 8);
        b.write(to.getPort());
        b.writeBytes(payload);
        return b.toByteArray();
    }

    static byte[] wrapDomain(String name, int port, byte[] payload) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0, 3, (byte) n.length});
        b.writeBytes(n);
        b.write(port >> 8);
        b.write(port);
        b.writeBytes(payload);
        return b.toByteArray();
    }

    static SocksUdp receive(DatagramSocket socket) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
        socket.receive(p);
        ByteBuffer b = ByteBuffer.wrap(p.getData(), 0, p.getLength());
        if (b.getShort() != 0 || b.get() != 0) {
            throw new IOException("reply header: reserved or fragment bytes are not zero");
        }
        int type = b.get();
        byte[] address = new byte[type == 1 ? 4 : type == 4 ? 16 : -1];
        b.get(address);
        int port = b.getShort() & 0xFFFF;
        byte[] payload = Arrays.copyOfRange(p.getData(), b.position(), p.getLength());
        return new SocksUdp(new InetSocketAddress(InetAddress.getByAddress(address), port), payload);
    }
}
