package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import spyglass.packet.TcpSegment;

/** A real AF_PACKET ring on the loopback interface, real TCP connections on 127.0.0.1. */
class AfPacketLoopbackTest {
    private static final int SYN = TcpSegment.SYN;
    private static final int ACK = TcpSegment.ACK;
    private static final int FIN = TcpSegment.FIN;

    @Test
    void seesTheFilteredPortsTrafficOnceWithItsBytesAndTimes() throws Exception {
        final byte[] request = pattern("SELECT c FROM sbtest1 WHERE id=", 60_000);
        final byte[] reply = pattern("row ", 7_000);
        try (ServerSocket server = listen(); ServerSocket other = listen();
             AfPacketSource source = AfPacketSource.open(AfPacketOptions.of("lo", server.getLocalPort()))) {
            assertEquals("afpacket:lo", source.description());
            assertEquals("tcp and (port " + server.getLocalPort() + ")", source.filterExpression());
            final AfPacketFrames seen = new AfPacketFrames();
            assertEquals(0, source.poll(seen, 64), "nothing before any traffic");

            final long before = Instant.now().toEpochMilli() * 1_000_000L;
            final int clientPort = exchange(server, request, reply);
            exchange(other, pattern("not me ", 5_000), pattern("nor me ", 100));
            seen.drain(source, 300);
            final long after = Instant.now().toEpochMilli() * 1_000_000L + 1_000_000L;

            final int port = server.getLocalPort();
            assertEquals(0, seen.notDecoded);
            for (final AfPacketFrames.Frame f : seen.frames) {
                assertTrue(f.srcPort() == port || f.dstPort() == port, "only the filtered port: " + f);
                assertTrue(f.timestampNanos() >= before && f.timestampNanos() <= after,
                    "timestamp " + f.timestampNanos() + " within [" + before + ", " + after + "]");
                assertEquals(-1, f.vlanId());
                assertEquals(f.capturedLength(), f.originalLength());
            }
            // Each packet once: one SYN, one SYN-ACK, one FIN each way; every byte once, in order.
            // (A retransmission by TCP on a busy machine is another packet: counted once by seq.)
            assertEquals(1, seen.countOnce(clientPort, port, SYN | ACK, SYN));
            assertEquals(1, seen.countOnce(port, clientPort, SYN | ACK, SYN | ACK));
            assertEquals(1, seen.countOnce(clientPort, port, FIN, FIN));
            assertEquals(1, seen.countOnce(port, clientPort, FIN, FIN));
            assertArrayEquals(request, seen.stream(clientPort, port));
            assertArrayEquals(reply, seen.stream(port, clientPort));
            for (int i = 1; i < seen.frames.size(); i++) {
                assertTrue(seen.frames.get(i).timestampNanos() >= seen.frames.get(i - 1).timestampNanos());
            }

            final long frames = seen.frames.size();
            assertEquals(frames, source.framesDelivered());
            assertEquals(frames, source.loopbackCopiesSkipped(), "every loopback packet also came as an outgoing copy");
            source.refreshKernelStatistics();
            assertEquals(2 * frames, source.kernelPackets(), "the kernel counted both copies of each packet");
            assertEquals(0, source.kernelDrops());
            assertEquals(0, source.malformedFrames());
            source.refreshKernelStatistics();
            assertEquals(2 * frames, source.kernelPackets(), "the totals accumulate over the kernel's resets");
        }
    }

    @Test
    void closeIsIdempotentAndEndsPolling() {
        final AfPacketSource source = AfPacketSource.open(AfPacketOptions.of(null, 3306).withBlockCount(2).withBlockSize(65536));
        assertEquals("afpacket:any", source.description());
        assertEquals(0, source.ifindex());
        source.close();
        source.close();
        assertEquals(-1, source.poll((f, o, c, l, t, k) -> { }, 10));
    }

    @Test
    void unknownInterfaceIsNamed() {
        final CaptureException e = assertThrows(CaptureException.class,
            () -> AfPacketSource.open(AfPacketOptions.of("sgnope0", 3306)));
        assertEquals("there is no network interface named 'sgnope0' on this host (see `ip link` for the names)", e.getMessage());
    }

    @Test
    void promiscuousModeOnRequest() throws Exception {
        try (AfPacketSource source = AfPacketSource.open(AfPacketOptions.of("lo", 3306).withPromiscuous(true))) {
            assertEquals(0, source.poll((f, o, c, l, t, k) -> { }, 1));
        }
    }

    static ServerSocket listen() throws IOException {
        final ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return server;
    }

    /** One connection: the client sends {@code request} and half-closes, the server answers {@code reply} and closes. */
    static int exchange(final ServerSocket server, final byte[] request, final byte[] reply) throws Exception {
        final CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (Socket accepted = server.accept()) {
                final byte[] bytes = accepted.getInputStream().readAllBytes();
                accepted.getOutputStream().write(reply);
                return bytes;
            } catch (final IOException e) {
                throw new IllegalStateException(e);
            }
        });
        final int clientPort;
        try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort())) {
            clientPort = client.getLocalPort();
            client.getOutputStream().write(request);
            client.shutdownOutput();
            final InputStream in = client.getInputStream();
            assertArrayEquals(reply, in.readAllBytes());
        }
        assertArrayEquals(request, received.get(10, TimeUnit.SECONDS));
        return clientPort;
    }

    static byte[] pattern(final String text, final int length) {
        final byte[] unit = text.getBytes(StandardCharsets.US_ASCII);
        final byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (unit[i % unit.length] + (i / unit.length) % 7);
        }
        return out;
    }
}
