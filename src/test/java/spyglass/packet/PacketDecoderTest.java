package spyglass.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.testing.FrameBuilder;

class PacketDecoderTest {
    private static final long TS = 1_700_000_000_123_456_789L;
    private static final byte[] SQL = "select 1".getBytes(StandardCharsets.US_ASCII);

    private final PacketDecoder decoder = new PacketDecoder();
    private final TcpSegment segment = new TcpSegment();

    private static FrameBuilder v4() {
        return FrameBuilder.tcp4("10.0.0.1", 50000, "10.0.0.2", 3306)
            .seq(0xFFFF_FFF0L).ack(7).flags(FrameBuilder.PSH | FrameBuilder.ACK).payload(SQL);
    }

    private static FrameBuilder v6() {
        return FrameBuilder.tcp6("2001:db8::1", 50001, "2001:db8::2", 3306)
            .seq(1000).ack(2000).flags(FrameBuilder.PSH | FrameBuilder.ACK).payload(SQL);
    }

    private int decode(final byte[] frame, final int linkType) {
        return decodeAt(frame, 0, frame.length, frame.length, linkType);
    }

    /** Decodes from a buffer where the frame sits at a non-zero offset, as in a mapped file. */
    private int decodeAt(final byte[] frame, final int cut, final int captured, final int original, final int linkType) {
        final byte[] memory = new byte[frame.length + 13];
        System.arraycopy(frame, 0, memory, 7, frame.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(memory);
        segment.reset();
        return decoder.decode(buffer, 7 + cut, captured, original, TS, linkType, segment);
    }

    private byte[] payload() {
        final byte[] bytes = new byte[segment.payloadLength];
        segment.payloadBuffer.getBytes(segment.payloadOffset, bytes);
        return bytes;
    }

    private void assertV4Segment() {
        assertEquals(4, segment.ipVersion);
        assertEquals(0L, segment.srcAddressHigh);
        assertEquals(0x0000_FFFF_0A00_0001L, segment.srcAddressLow);
        assertEquals(0L, segment.dstAddressHigh);
        assertEquals(0x0000_FFFF_0A00_0002L, segment.dstAddressLow);
        assertEquals(50000, segment.srcPort);
        assertEquals(3306, segment.dstPort);
        assertEquals(0xFFFF_FFF0L, segment.sequence);
        assertEquals(7L, segment.acknowledgement);
        assertEquals(TcpSegment.PSH | TcpSegment.ACK, segment.flags);
        assertEquals(TS, segment.timestampNanos);
        assertEquals("select 1", new String(payload(), StandardCharsets.US_ASCII));
        assertFalse(segment.payloadTruncated);
    }

    private void assertV6Segment() {
        assertEquals(6, segment.ipVersion);
        assertEquals(0x2001_0db8_0000_0000L, segment.srcAddressHigh);
        assertEquals(1L, segment.srcAddressLow);
        assertEquals(0x2001_0db8_0000_0000L, segment.dstAddressHigh);
        assertEquals(2L, segment.dstAddressLow);
        assertEquals(50001, segment.srcPort);
        assertEquals(3306, segment.dstPort);
        assertEquals(1000L, segment.sequence);
        assertEquals(2000L, segment.acknowledgement);
        assertEquals("select 1", new String(payload(), StandardCharsets.US_ASCII));
    }

    @Test
    void ethernetIpv4() {
        final byte[] frame = v4().ethernet();
        assertEquals(PacketDecoder.OK, decode(frame, LinkType.ETHERNET));
        assertV4Segment();
        assertEquals(-1, segment.vlanId);
        assertEquals(frame.length, segment.wireLength);
        assertEquals(7 + 14 + 20 + 20, segment.payloadOffset);
        assertEquals(1, decoder.frames());
        assertEquals(1, decoder.tcpSegments());
    }

    @Test
    void ethernetIpv6() {
        assertEquals(PacketDecoder.OK, decode(v6().ethernet(), LinkType.ETHERNET));
        assertV6Segment();
    }

    @Test
    void singleVlanTag() {
        assertEquals(PacketDecoder.OK, decode(v4().vlan(100).ethernet(), LinkType.ETHERNET));
        assertV4Segment();
        assertEquals(100, segment.vlanId);
    }

    @Test
    void qinqReportsTheOuterTag() {
        assertEquals(PacketDecoder.OK, decode(v4().vlan(10, 4000).ethernet(), LinkType.ETHERNET));
        assertV4Segment();
        assertEquals(10, segment.vlanId);
        assertEquals(PacketDecoder.OK, decode(v6().vlan(4095, 1, 2).outerTagType(0x9100).ethernet(), LinkType.ETHERNET));
        assertV6Segment();
        assertEquals(4095, segment.vlanId);
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        final byte[] frame = FrameBuilder.tcp4("10.0.0.1", 1, "10.0.0.2", 2).payload(new byte[] {42}).padTo(60).ethernet();
        assertEquals(60, frame.length);
        assertEquals(PacketDecoder.OK, decode(frame, LinkType.ETHERNET));
        assertEquals(1, segment.payloadLength);
        assertEquals(42, segment.payloadBuffer.getByte(segment.payloadOffset));
        final byte[] pureAck = FrameBuilder.tcp4("10.0.0.1", 1, "10.0.0.2", 2).padTo(60).ethernet();
        assertEquals(PacketDecoder.OK, decode(pureAck, LinkType.ETHERNET));
        assertEquals(0, segment.payloadLength);
        assertEquals(60, segment.wireLength);
        final byte[] padded6 = v6().padTo(200).ethernet();
        assertEquals(PacketDecoder.OK, decode(padded6, LinkType.ETHERNET));
        assertV6Segment();
    }

    @Test
    void optionsAreSkipped() {
        assertEquals(PacketDecoder.OK, decode(v4().ipv4Options(12).tcpOptions(12).ethernet(), LinkType.ETHERNET));
        assertV4Segment();
        assertEquals(7 + 14 + 32 + 32, segment.payloadOffset);
    }

    @Test
    void linuxCookedV1AndV2() {
        assertEquals(PacketDecoder.OK, decode(v4().sll(), LinkType.LINUX_SLL));
        assertV4Segment();
        assertEquals(PacketDecoder.OK, decode(v6().sll(), LinkType.LINUX_SLL));
        assertV6Segment();
        assertEquals(PacketDecoder.OK, decode(v4().sll2(), LinkType.LINUX_SLL2));
        assertV4Segment();
        assertEquals(PacketDecoder.OK, decode(v6().sll2(), LinkType.LINUX_SLL2));
        assertV6Segment();
    }

    @Test
    void bsdNullInEitherByteOrderAndEveryIpv6Family() {
        assertEquals(PacketDecoder.OK, decode(v4().bsdNull(2, false), LinkType.NULL));
        assertV4Segment();
        assertEquals(PacketDecoder.OK, decode(v4().bsdNull(2, true), LinkType.NULL));
        assertV4Segment();
        for (final int family : new int[] {24, 28, 30}) {
            assertEquals(PacketDecoder.OK, decode(v6().bsdNull(family, false), LinkType.NULL));
            assertV6Segment();
            assertEquals(PacketDecoder.OK, decode(v6().bsdNull(family, true), LinkType.NULL));
            assertV6Segment();
        }
        assertEquals(PacketDecoder.NOT_IP, decode(v4().bsdNull(7, false), LinkType.NULL));
    }

    @Test
    void openBsdLoopIsBigEndian() {
        assertEquals(PacketDecoder.OK, decode(v4().loop(), LinkType.LOOP));
        assertV4Segment();
        assertEquals(PacketDecoder.OK, decode(v6().loop(), LinkType.LOOP));
        assertV6Segment();
        assertEquals(PacketDecoder.NOT_IP, decode(v4().bsdNull(2, false), LinkType.LOOP));
    }

    @Test
    void rawIpLinkTypes() {
        for (final int linkType : new int[] {LinkType.RAW, LinkType.RAW_ALT_12, LinkType.RAW_ALT_14}) {
            assertEquals(PacketDecoder.OK, decode(v4().ip(), linkType));
            assertV4Segment();
            assertEquals(PacketDecoder.OK, decode(v6().ip(), linkType));
            assertV6Segment();
        }
        assertEquals(PacketDecoder.OK, decode(v4().ip(), LinkType.IPV4));
        assertV4Segment();
        assertEquals(PacketDecoder.OK, decode(v6().ip(), LinkType.IPV6));
        assertV6Segment();
        assertEquals(PacketDecoder.MALFORMED, decode(v6().ip(), LinkType.IPV4));
        assertEquals(PacketDecoder.MALFORMED, decode(v4().ip(), LinkType.IPV6));
    }

    @Test
    void ipv6ExtensionHeadersAreWalked() {
        final FrameBuilder builder = v6().ipv6Extensions(0, 43, 60);
        final byte[] frame = builder.ethernet();
        assertEquals(PacketDecoder.OK, decode(frame, LinkType.ETHERNET));
        assertV6Segment();
        assertEquals(7 + 14 + builder.ipPayloadOffset(), segment.payloadOffset);
        // An atomic fragment (offset 0, no more fragments) is a whole packet.
        assertEquals(PacketDecoder.OK, decode(v6().ipv6Extensions(0).ipv6Fragment(0, false).ethernet(), LinkType.ETHERNET));
        assertV6Segment();
    }

    @Test
    void fragmentsAreCountedAndSkipped() {
        assertEquals(PacketDecoder.IP_FRAGMENT, decode(v4().ipv4Fragment(0, true).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.IP_FRAGMENT, decode(v4().ipv4Fragment(185, false).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.IP_FRAGMENT, decode(v6().ipv6Fragment(0, true).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.IP_FRAGMENT, decode(v6().ipv6Extensions(60).ipv6Fragment(100, false).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.NOT_TCP, decode(v6().ipv6Fragment(5, true).ipProtocol(17).ethernet(), LinkType.ETHERNET));
        assertEquals(4, decoder.fragments());
        assertEquals(1, decoder.notTcp());
        assertEquals(0, decoder.tcpSegments());
    }

    @Test
    void notIpNotTcpAndUnsupportedLinkType() {
        final byte[] arp = v4().ethernet();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertEquals(PacketDecoder.NOT_IP, decode(arp, LinkType.ETHERNET));
        assertEquals(PacketDecoder.NOT_TCP, decode(v4().ipProtocol(17).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.NOT_TCP, decode(v6().ipProtocol(58).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.NOT_TCP, decode(v6().ipv6Extensions(0).ipProtocol(59).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.UNSUPPORTED_LINK_TYPE, decode(v4().ethernet(), 105));
        assertEquals(1, decoder.notIp());
        assertEquals(3, decoder.notTcp());
        assertEquals(1, decoder.unsupportedLinkType());
        assertEquals(5, decoder.frames());
        assertEquals(0, decoder.malformed());
    }

    @Test
    void inconsistentHeadersAreMalformed() {
        // IPv4 total length shorter than the headers, longer than the frame.
        assertEquals(PacketDecoder.MALFORMED, decode(v4().ipTotalLength(19).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.MALFORMED, decode(v4().ipTotalLength(30).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.MALFORMED, decode(v4().ipTotalLength(500).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.MALFORMED, decode(v6().ipTotalLength(10).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.MALFORMED, decode(v6().ipTotalLength(500).ethernet(), LinkType.ETHERNET));
        assertEquals(PacketDecoder.MALFORMED, decode(v6().ipv6Extensions(0, 60).ipTotalLength(12).ethernet(), LinkType.ETHERNET));
        final byte[] badIhl = v4().ethernet();
        badIhl[14] = 0x44;
        assertEquals(PacketDecoder.MALFORMED, decode(badIhl, LinkType.ETHERNET));
        final byte[] badVersion = v4().ethernet();
        badVersion[14] = 0x55;
        assertEquals(PacketDecoder.MALFORMED, decode(badVersion, LinkType.ETHERNET));
        final byte[] badDataOffset = v4().ethernet();
        badDataOffset[14 + 20 + 12] = 0x40;
        assertEquals(PacketDecoder.MALFORMED, decode(badDataOffset, LinkType.ETHERNET));
        final byte[] dataOffsetPastPacket = v4().payload(new byte[0]).ethernet();
        dataOffsetPastPacket[14 + 20 + 12] = (byte) 0xF0;
        assertEquals(PacketDecoder.MALFORMED, decode(dataOffsetPastPacket, LinkType.ETHERNET));
        final byte[] rawVersion5 = v4().ip();
        rawVersion5[0] = 0x55;
        assertEquals(PacketDecoder.MALFORMED, decode(rawVersion5, LinkType.RAW));
        assertEquals(11, decoder.malformed());
        assertEquals(0, decoder.tcpSegments());
    }

    @Test
    void offloadedSegmentsWithZeroLengthTakeTheFrame() {
        assertEquals(PacketDecoder.OK, decode(v4().ipTotalLength(0).ip(), LinkType.RAW));
        assertV4Segment();
        assertEquals(PacketDecoder.OK, decode(v6().ipTotalLength(0).ip(), LinkType.RAW));
        assertV6Segment();
    }

    /** Every cut point of every kind of frame: never an exception, MALFORMED where headers are cut. */
    @Test
    void truncatedAtEveryByte() {
        final Object[][] cases = {
            {v4().vlan(5, 6).ethernet(), LinkType.ETHERNET, 14 + 8 + 40},
            {v6().vlan(5).ipv6Extensions(0, 43, 60).ethernet(), LinkType.ETHERNET, 14 + 4 + 40 + 24 + 20},
            {v4().ipv4Options(8).tcpOptions(12).sll(), LinkType.LINUX_SLL, 16 + 28 + 32},
            {v6().sll2(), LinkType.LINUX_SLL2, 20 + 60},
            {v4().bsdNull(), LinkType.NULL, 4 + 40},
            {v6().loop(), LinkType.LOOP, 4 + 60},
            {v4().ip(), LinkType.RAW, 40},
            {v6().ipv6Fragment(0, false).ip(), LinkType.IPV6, 68},
        };
        for (final Object[] c : cases) {
            final byte[] frame = (byte[]) c[0];
            final int linkType = (Integer) c[1];
            final int headers = (Integer) c[2];
            assertEquals(PacketDecoder.OK, decode(frame, linkType));
            assertEquals(headers, segment.payloadOffset - 7, "header length for link type " + linkType);
            for (int cut = 0; cut < frame.length; cut++) {
                // Cut and the wire length agrees: the IP length now overruns the frame, which is damage.
                final long before = decoder.malformed();
                assertEquals(PacketDecoder.MALFORMED, decodeAt(frame, 0, cut, cut, linkType),
                    "link type " + linkType + " cut at " + cut);
                assertEquals(before + 1, decoder.malformed());
                // Cut by the snap length: damage inside the headers, a truncated payload after them.
                final int snapped = decodeAt(frame, 0, cut, frame.length, linkType);
                if (cut < headers) {
                    assertEquals(PacketDecoder.MALFORMED, snapped, "link type " + linkType + " snapped at " + cut);
                } else {
                    assertEquals(PacketDecoder.OK, snapped, "link type " + linkType + " snapped at " + cut);
                    assertEquals(cut - headers, segment.payloadLength);
                    assertTrue(segment.payloadTruncated);
                }
            }
        }
    }

    @Test
    void outOfBoundsArgumentsAreMalformed() {
        final byte[] frame = v4().ethernet();
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        assertEquals(PacketDecoder.MALFORMED, decoder.decode(buffer, 0, frame.length + 1, frame.length, TS, LinkType.ETHERNET, segment));
        assertEquals(PacketDecoder.MALFORMED, decoder.decode(buffer, -1, 10, 10, TS, LinkType.ETHERNET, segment));
        assertEquals(PacketDecoder.MALFORMED, decoder.decode(buffer, 0, -5, 10, TS, LinkType.ETHERNET, segment));
    }

    @Test
    void randomBytesNeverThrow() {
        final Random random = new Random(42);
        final int[] linkTypes = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL,
            LinkType.LOOP, LinkType.RAW, LinkType.IPV4, LinkType.IPV6};
        final byte[][] seeds = {v4().vlan(1, 2).ethernet(), v6().ipv6Extensions(0, 60).ethernet(), v4().sll(), v6().sll2(),
            v4().bsdNull(), v6().loop(), v4().ip(), v6().ip()};
        int ok = 0;
        for (int i = 0; i < 200_000; i++) {
            final int kind = random.nextInt(linkTypes.length);
            final byte[] frame = seeds[kind].clone();
            final int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
            }
            final int length = random.nextInt(frame.length + 1);
            final int result = decoder.decode(new UnsafeBuffer(frame), 0, length, random.nextBoolean() ? length : frame.length,
                TS, linkTypes[kind], segment);
            if (result == PacketDecoder.OK) {
                ok++;
                assertTrue(segment.payloadOffset + segment.payloadLength <= length);
                assertTrue(segment.payloadLength >= 0);
            }
        }
        assertEquals(200_000, decoder.frames());
        assertEquals(200_000, decoder.tcpSegments() + decoder.notIp() + decoder.notTcp() + decoder.fragments()
            + decoder.malformed() + decoder.unsupportedLinkType());
        assertEquals(ok, decoder.tcpSegments());
        assertTrue(ok > 1000, "some mutated frames should still decode: " + ok);
    }
}
