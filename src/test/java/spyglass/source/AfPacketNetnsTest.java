package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spyglass.packet.TcpSegment;
import spyglass.testing.FrameBuilder;

/**
 * Capture on a real veth by name: a network namespace made for the test talks to servers in the
 * root namespace over the veth pair, plainly and over an 802.1Q VLAN (id 10) on top of it, whose
 * tag the kernel takes out of the frame and the source puts back.
 */
class AfPacketNetnsTest {
    private static final String ID = Long.toString(ProcessHandle.current().pid() % 100_000);
    private static final String NS = "sgafp" + ID;
    private static final String HOST_IF = "sgafa" + ID;
    private static final String NS_IF = "sgafb" + ID;
    private static final int SUBNET = 100 + (int) (ProcessHandle.current().pid() % 150);
    private static final String HOST_IP = "10.231." + SUBNET + ".1";
    private static final int VLAN = 10;

    @BeforeAll
    static void createNamespace() throws Exception {
        cleanUp();
        run("ip", "netns", "add", NS);
        run("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF);
        run("ip", "link", "set", NS_IF, "netns", NS);
        run("ip", "addr", "add", HOST_IP + "/24", "dev", HOST_IF);
        run("ip", "link", "set", HOST_IF, "up");
        run("ip", "netns", "exec", NS, "ip", "addr", "add", "10.231." + SUBNET + ".2/24", "dev", NS_IF);
        run("ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        // Deleting either end deletes the pair; deleting the namespace deletes its end too.
        runQuietly("ip", "link", "del", HOST_IF);
        runQuietly("ip", "netns", "del", NS);
    }

    @Test
    void capturesAVethByNameAndOnlyTheFilteredPort() throws Exception {
        try (ServerSocket server = listen(HOST_IP); ServerSocket other = listen(HOST_IP);
             AfPacketSource source = AfPacketSource.open(AfPacketOptions.of(HOST_IF, server.getLocalPort()))) {
            assertEquals("afpacket:" + HOST_IF, source.description());
            final AfPacketFrames seen = new AfPacketFrames();
            final String message = "SELECT 1 /* from the namespace */";
            final CompletableFuture<byte[]> received = receive(server);
            final CompletableFuture<byte[]> receivedOther = receive(other);
            sendFromNamespace(HOST_IP, server.getLocalPort(), message);
            sendFromNamespace(HOST_IP, other.getLocalPort(), "not for the filter");
            assertArrayEquals(message.getBytes(StandardCharsets.US_ASCII), received.get(10, TimeUnit.SECONDS));
            assertEquals("not for the filter", new String(receivedOther.get(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
            seen.drain(source, 300);

            final int port = server.getLocalPort();
            assertEquals(0, seen.notDecoded);
            assertTrue(seen.frames.size() >= 6, "handshake, data, teardown: " + seen.frames.size());
            int clientPort = -1;
            for (final AfPacketFrames.Frame f : seen.frames) {
                assertTrue(f.srcPort() == port || f.dstPort() == port, "only the filtered port: " + f);
                assertEquals(-1, f.vlanId());
                clientPort = f.dstPort() == port ? f.srcPort() : f.dstPort();
            }
            assertEquals(1, seen.countOnce(clientPort, port, TcpSegment.SYN | TcpSegment.ACK, TcpSegment.SYN));
            assertEquals(1, seen.countOnce(port, clientPort, TcpSegment.SYN | TcpSegment.ACK, TcpSegment.SYN | TcpSegment.ACK));
            assertArrayEquals(message.getBytes(StandardCharsets.US_ASCII), seen.stream(clientPort, port));
            assertEquals(0, source.loopbackCopiesSkipped(), "a veth has no loopback copies");
            source.refreshKernelStatistics();
            assertEquals(seen.frames.size(), source.kernelPackets());
            assertEquals(0, source.kernelDrops());
        }
    }

    @Test
    void putsTheVlanTagTheKernelTookOutBack() throws Exception {
        // Tagged frames written raw into the namespace's end: the host end's kernel takes the tag out
        // (skb_vlan_untag) before the filter and the ring see the frame; the source puts it back, so
        // the bytes seen are the bytes sent. (No 8021q module is needed, or loaded in containers.)
        final String mac = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/class/net", HOST_IF, "address")).trim();
        final int port = 3306;
        final List<byte[]> sent = List.of(
            tagged(FrameBuilder.tcp4("10.9.9.2", 40001, "10.9.9.1", port).flags(FrameBuilder.SYN).seq(1000), mac),
            tagged(FrameBuilder.tcp4("10.9.9.2", 40001, "10.9.9.1", port).flags(FrameBuilder.ACK | FrameBuilder.PSH)
                .seq(1001).payload("SELECT 2 /* over vlan 10 */"), mac),
            tagged(FrameBuilder.tcp6("fd00::2", 40002, "fd00::1", port).flags(FrameBuilder.ACK).seq(7).payload("v6"), mac),
            tagged(FrameBuilder.tcp4("10.9.9.2", 40001, "10.9.9.1", 3307).flags(FrameBuilder.ACK).payload("not me"), mac));
        try (AfPacketSource source = AfPacketSource.open(AfPacketOptions.of(HOST_IF, port))) {
            final StringBuilder script = new StringBuilder("import socket,sys\n"
                + "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\ns.bind((sys.argv[1],0))\n"
                + "for h in sys.argv[2:]: s.send(bytes.fromhex(h))\n");
            final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NS, "python3", "-c", script.toString(), NS_IF));
            for (final byte[] frame : sent) {
                command.add(java.util.HexFormat.of().formatHex(frame));
            }
            run(command.toArray(String[]::new));
            final List<byte[]> seen = new ArrayList<>();
            final long quiet = System.nanoTime();
            while (seen.size() < 3 && System.nanoTime() - quiet < 5_000_000_000L) {
                source.poll((buffer, offset, captured, original, ts, linkType) -> {
                    final byte[] bytes = new byte[captured];
                    buffer.getBytes(offset, bytes);
                    seen.add(bytes);
                    assertEquals(captured, original);
                }, 16);
            }
            new AfPacketFrames().drain(source, 200);
            assertEquals(3, seen.size(), "the three frames of port 3306, not the one of 3307");
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(sent.get(i), seen.get(i), "frame " + i + " as sent, its tag back in place");
            }
            assertEquals(3, source.vlanTagsRestored());
            final AfPacketFrames decoded = new AfPacketFrames();
            for (final byte[] frame : seen) {
                decoded.onFrame(new org.agrona.concurrent.UnsafeBuffer(frame), 0, frame.length, frame.length, 0, spyglass.packet.LinkType.ETHERNET);
            }
            assertEquals(VLAN, decoded.frames.get(1).vlanId());
            assertEquals("SELECT 2 /* over vlan 10 */", new String(decoded.frames.get(1).payload(), StandardCharsets.US_ASCII));
        }
    }

    private static byte[] tagged(final FrameBuilder builder, final String destinationMac) {
        final byte[] frame = builder.vlan(VLAN).ethernet();
        final byte[] mac = java.util.HexFormat.ofDelimiter(":").parseHex(destinationMac);
        System.arraycopy(mac, 0, frame, 0, 6);
        return frame;
    }

    private static ServerSocket listen(final String address) throws IOException {
        final ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        return server;
    }

    private static CompletableFuture<byte[]> receive(final ServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket accepted = server.accept()) {
                return accepted.getInputStream().readAllBytes();
            } catch (final IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A client inside the namespace: bash's /dev/tcp, no other tool needed. */
    private static void sendFromNamespace(final String address, final int port, final String message) throws Exception {
        run("ip", "netns", "exec", NS, "bash", "-c",
            "exec 3<>/dev/tcp/" + address + "/" + port + " && printf '%s' \"$1\" >&3 && exec 3>&-", "client", message);
    }

    private static void run(final String... command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }

    private static void runQuietly(final String... command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
