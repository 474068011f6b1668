package dev.ferry.frontend.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A SOCKS5 client written byte by byte from RFC 1928/1929, independently of the server's codec: it can send what no
 * well-behaved client sends (wrong versions, cut-off requests) and reads replies as raw bytes.
 */
final class SocksWire implements AutoCloseable {
    static final int CONNECT = 1;
    static final int BIND = 2;
    static final int UDP_ASSOCIATE = 3;

    final Socket socket;
    final OutputStream out;
    final DataInputStream in;

    SocksWire(InetSocketAddress server, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(server, 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    void send(int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        out.write(b);
        out.flush();
    }

    /** Greets offering no-auth only; returns the method the server chose. */
    int greetNoAuth() throws IOException {
        send(5, 1, 0);
        return methodReply();
    }

    int methodReply() throws IOException {
        int version = in.readUnsignedByte();
        if (version != 5) {
            throw new IOException("method reply version " + version);
        }
        return in.readUnsignedByte();
    }

    /** RFC 1929 login; returns the status byte (0 = success). */
    int login(String user, String password) throws IOException {
        byte[] u = user.getBytes(StandardCharsets.US_ASCII);
        byte[] p = password.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(1);
        b.write(u.length);
        b.writeBytes(u);
        b.write(p.length);
        b.writeBytes(p);
        out.write(b.toByteArray());
        out.flush();
        in.readUnsignedByte();
        return in.readUnsignedByte();
    }

    void request(int command, InetSocketAddress to) throws IOException {
        byte[] ip = to.getAddress().getAddress();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(5);
        b.write(command);
        b.write(0);
        b.write(ip.length == 4 ? 1 : 4);
        b.writeBytes(ip);
        b.write(to.getPort() >> 8);
        b.write(to.getPort());
        out.write(b.toByteArray());
        out.flush();
    }

    void requestDomain(int command, String name, int port) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(5);
        b.write(command);
        b.write(0);
        b.write(3);
        b.write(n.length);
        b.writeBytes(n);
        b.write(port >> 8);
        b.write(port);
        out.write(b.toByteArray());
        out.flush();
    }

    /** Reads a command reply; returns {status, and the bound address}. */
    Reply reply() throws IOException {
        int version = in.readUnsignedByte();
        int status = in.readUnsignedByte();
        in.readUnsignedByte();
        int type = in.readUnsignedByte();
        byte[] address = switch (type) {
            case 1 -> in.readNBytes(4);
            case 4 -> in.readNBytes(16);
            default -> throw new IOException("reply address type " + type);
        };
        int port = in.readUnsignedShort();
        return new Reply(version, status, new InetSocketAddress(InetAddress.getByAddress(address), port));
    }

    /** True if the server closed the connection without sending another byte (within the read timeout). */
    boolean closedWithoutData() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true; // reset: closed too
        }
    }


    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Reply(int version, int status, InetSocketAddress bound) {
    }
}
