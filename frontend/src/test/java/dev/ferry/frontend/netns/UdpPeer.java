package dev.ferry.frontend.netns;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A UDP program for lab namespaces, run as its own JVM (this JVM's java binary and test class path) under
 * {@code ip netns exec}: the namespace tests' echo server and checking client. netcat and socat do not fit: neither
 * checks replies datagram by datagram, and socat's echo ({@code PIPE}) can merge two datagrams into one reply.
 *
 * <pre>
 * echo ADDRESS PORT
 *     Binds ADDRESS:PORT and sends every datagram back to its sender from that socket. Prints "echo ready on ..."
 *     once bound and "peer HOST:PORT" the first time it hears from a sender. Runs until killed.
 * client ADDRESS PORT SOCKETS DATAGRAMS SEED
 *     Opens SOCKETS sockets, each connect()ed to ADDRESS:PORT (the kernel then hands it only datagrams from exactly
 *     that address and port), and from all of them at once sends DATAGRAMS datagrams each, one at a time. Each
 *     datagram is 8 to 1400 seeded random bytes, but its first 8 say which socket sent it and its sequence number;
 *     its reply must be equal to it, byte for byte, and arrive on the socket that sent it. A datagram without reply
 *     within a second is sent again (UDP promises nothing), at most 3 times; a late reply to an earlier one is
 *     counted, not an error. Prints one "ok" line per socket and exits 0, or "FAIL" lines and exits 1.
 * silent ADDRESS PORT MILLIS
 *     Sends one datagram from a socket connected to ADDRESS:PORT; exits 0 if nothing came back within MILLIS, 1 if
 *     something did (or ICMP said the port is closed: then something was reached).
 * </pre>
 */
final class UdpPeer {
    static final String ECHO_READY = "echo ready on ";
    static final String PEER = "peer ";
    static final String OK = "ok ";
    static final String FAIL = "FAIL ";
    static final int HEADER = 8;
    static final int MAX_SIZE = 1400;
    private static final int ATTEMPTS = 3;
    private static final int REPLY_WAIT_MILLIS = 1_000;
    /** A whole run of a few hundred datagrams takes well under a second in the lab; this bounds a broken one. */
    private static final long CLIENT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m");

    private UdpPeer() {
    }

    /** The command line that runs this program with {@code args}, for {@link NetnsLab#start} or {@code run}. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(HostTools.javaBinary().toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(UdpPeer.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    public static void main(String[] args) throws Exception {
        int status = switch (args.length == 0 ? "" : args[0]) {
            case "echo" -> echo(address(args[1], args[2]));
            case "client" -> client(address(args[1], args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Long.parseLong(args[5]));
            case "silent" -> silent(address(args[1], args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println("usage: UdpPeer echo ADDRESS PORT | client ADDRESS PORT SOCKETS DATAGRAMS SEED"
                        + " | silent ADDRESS PORT MILLIS");
                yield 2;
            }
        };
        System.out.flush();
        System.exit(status);
    }

    private static InetSocketAddress address(String host, String port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
    }

    private static int echo(InetSocketAddress bind) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(bind);
            say(ECHO_READY + ch.getLocalAddress());
            ByteBuffer buffer = ByteBuffer.allocate(65_536);
            Set<SocketAddress> peers = new HashSet<>();
            while (true) {
                buffer.clear();
                SocketAddress from = ch.receive(buffer);
                if (peers.add(from)) {
                    say(PEER + from);
                }
                buffer.flip();
                ch.send(buffer, from);
            }
        }
    }

    private static int client(InetSocketAddress target, int sockets, int datagrams, long seed) throws Exception {
        SplittableRandom root = new SplittableRandom(seed);
        List<SplittableRandom> randoms = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            randoms.add(root.split());
        }
        long deadline = System.nanoTime() + CLIENT_LIMIT_NANOS;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        boolean ok = true;
        try (ExecutorService pool = Executors.newFixedThreadPool(sockets)) {
            for (int i = 0; i < sockets; i++) {
                int index = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return exchange(target, index, datagrams, randoms.get(index), deadline);
                }));
            }
            start.countDown(); // every socket starts together, so the flows overlap from their first datagram
            for (int i = 0; i < sockets; i++) {
                try {
                    say(OK + results.get(i).get());
                } catch (ExecutionException e) {
                    ok = false;
                    say(FAIL + "socket " + i + ": " + e.getCause());
                }
            }
        }
        return ok ? 0 : 1;
    }

    /** One socket's run; returns its summary line, or throws what went wrong. */
    private static String exchange(InetSocketAddress target, int index, int datagrams, SplittableRandom random,
                                   long deadline) throws Exception {
        List<byte[]> sent = new ArrayList<>();
        int resent = 0;
        int late = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target);
            s.setSoTimeout(REPLY_WAIT_MILLIS);
            byte[] in = new byte[65_536];
            for (int seq = 0; seq < datagrams; seq++) {
                byte[] out = new byte[HEADER + random.nextInt(MAX_SIZE - HEADER + 1)];
                random.nextBytes(out);
                ByteBuffer.wrap(out).putInt(index).putInt(seq);
                sent.add(out);
                boolean answered = false;
                for (int attempt = 0; attempt < ATTEMPTS && !answered; attempt++) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new IllegalStateException("out of time at datagram " + seq + " of " + datagrams);
                    }
                    if (attempt > 0) {
                        resent++;
                    }
                    s.send(new DatagramPacket(out, out.length));
                    while (true) { // until this datagram's reply, or a second of silence
                        DatagramPacket reply = new DatagramPacket(in, in.length);
                        try {
                            s.receive(reply);
                        } catch (SocketTimeoutException e) {
                            break;
                        }
                        byte[] got = Arrays.copyOf(reply.getData(), reply.getLength());
                        int replySeq = check(got, index, seq, sent, s.getLocalSocketAddress());
                        if (replySeq == seq) {
                            answered = true;
                            break;
                        }
                        late++;
                    }
                }
                if (!answered) {
                    throw new IllegalStateException("no reply to datagram " + seq + " (" + out.length + " bytes) after "
                            + ATTEMPTS + " sends; the " + seq + " before it were answered");
                }
            }
            return "socket " + index + " " + s.getLocalSocketAddress() + " -> " + target + ": " + datagrams + " of "
                    + datagrams + " replies equal to what was sent, " + resent + " sent again, " + late
                    + " late replies";
        }
    }

    /** The sequence number of a reply that is one of this socket's datagrams, byte for byte; else throws. */
    private static int check(byte[] got, int index, int seq, List<byte[]> sent, SocketAddress local) {
        if (got.length < HEADER) {
            throw new IllegalStateException("reply of " + got.length + " bytes on " + local + " while waiting for "
                    + "datagram " + seq + "; every datagram sent has at least " + HEADER);
        }
        ByteBuffer header = ByteBuffer.wrap(got);
        int from = header.getInt();
        int replySeq = header.getInt();
        if (from != index) {
            throw new IllegalStateException("socket " + index + " (" + local + ") received datagram " + replySeq
                    + " of socket " + from + ": a reply went to the wrong client");
        }
        if (replySeq < 0 || replySeq > seq) {
            throw new IllegalStateException("reply numbered " + replySeq + " while waiting for datagram " + seq);
        }
        byte[] expected = sent.get(replySeq);
        if (!Arrays.equals(expected, got)) {
            throw new IllegalStateException("reply to datagram " + replySeq + " differs from it: " + got.length
                    + " bytes, sent " + expected.length + ", first difference at byte "
                    + Arrays.mismatch(expected, got));
        }
        return replySeq;
    }

    private static int silent(InetSocketAddress target, int millis) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target);
            s.setSoTimeout(millis);
            byte[] probe = "anyone there?".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(probe, probe.length));
            try {
                DatagramPacket reply = new DatagramPacket(new byte[65_536], 65_536);
                s.receive(reply);
                say("reply of " + reply.getLength() + " bytes from " + reply.getSocketAddress());
                return 1;
            } catch (SocketTimeoutException e) {
                say("no reply from " + target + " within " + millis + " ms");
                return 0;
            } catch (java.net.PortUnreachableException e) {
                say("ICMP: port unreachable at " + target);
                return 1;
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
