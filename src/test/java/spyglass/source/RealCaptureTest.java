package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.packet.AddressFormat;
import spyglass.packet.LinkType;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;

/** Captures recorded with tcpdump on loopback (see captures/basic/README.txt). */
class RealCaptureTest {
    private static final long LOCALHOST = AddressFormat.ipv4MappedLow(0x7F000001);

    private static Path resource(final String name) throws URISyntaxException {
        return Path.of(RealCaptureTest.class.getResource("/captures/basic/" + name).toURI());
    }

    private record Decoded(long ts, int srcPort, int dstPort, long seq, int flags, String payload) {
    }

    private static List<Decoded> decodeAll(final Path file, final int expectedLinkType) {
        final PacketDecoder decoder = new PacketDecoder();
        final TcpSegment s = new TcpSegment();
        final List<Decoded> out = new ArrayList<>();
        try (PcapFileSource source = new PcapFileSource(file)) {
            final Frames frames = Frames.drain(source, 4);
            for (final Frames.Frame f : frames.list) {
                assertEquals(expectedLinkType, f.linkType());
                assertEquals(PacketDecoder.OK, decoder.decode(new UnsafeBuffer(f.bytes()), 0, f.capturedLength(),
                    f.originalLength(), f.timestampNanos(), f.linkType(), s));
                assertEquals(4, s.ipVersion);
                assertEquals(LOCALHOST, s.srcAddressLow);
                assertEquals(LOCALHOST, s.dstAddressLow);
                final byte[] payload = new byte[s.payloadLength];
                s.payloadBuffer.getBytes(s.payloadOffset, payload);
                out.add(new Decoded(s.timestampNanos, s.srcPort, s.dstPort, s.sequence, s.flags,
                    new String(payload, StandardCharsets.US_ASCII)));
            }
        }
        return out;
    }

    private static void assertConversation(final List<Decoded> d, final long firstTimestamp) {
        assertEquals(firstTimestamp, d.get(0).ts());
        assertEquals(new Decoded(firstTimestamp, 48900, 5555, 1718216755L, TcpSegment.SYN, ""), d.get(0));
        assertEquals(5555, d.get(1).srcPort());
        assertEquals(825542829L, d.get(1).seq());
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, d.get(1).flags());
        assertEquals(48900, d.get(3).srcPort());
        assertEquals(5555, d.get(3).dstPort());
        assertEquals(1718216756L, d.get(3).seq());
        assertEquals("hello from client\n", d.get(3).payload());
        assertEquals(TcpSegment.PSH | TcpSegment.ACK, d.get(3).flags());
        assertEquals("hello from server\n", d.get(5).payload());
        assertEquals(5555, d.get(5).srcPort());
        assertEquals(825542830L, d.get(5).seq());
        assertEquals(TcpSegment.FIN | TcpSegment.ACK, d.get(7).flags());
        final long payloadFrames = d.stream().filter(x -> !x.payload().isEmpty()).count();
        assertEquals(2, payloadFrames);
    }

    @Test
    void loopbackEthernetMicroseconds() throws Exception {
        final List<Decoded> d = decodeAll(resource("lo-ethernet-micro.pcap"), LinkType.ETHERNET);
        assertEquals(10, d.size());
        assertConversation(d, 1_795_473_591_503_010_000L);
    }

    @Test
    void anyInterfaceSll2Nanoseconds() throws Exception {
        final List<Decoded> d = decodeAll(resource("any-sll2-nano.pcap"), LinkType.LINUX_SLL2);
        assertEquals(11, d.size());
        assertConversation(d, 1_795_473_591_503_009_595L);
    }
}
