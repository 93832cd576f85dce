package spyglass.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.packet.LinkType;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;

/**
 * {@link PacketDecoder} over arbitrary frames: no exception, a result code it documents, and an OK
 * segment's payload inside the frame.
 *
 * <p>Input: byte 0 picks the link type ({@link #LINK_TYPES}, or the raw byte value as a likely
 * unsupported one); byte 1 makes the original length exceed the captured one (0: equal, as in
 * {@code decode(buf, 0, n, n, ...)}); the rest is the frame. Each frame is decoded three ways whose
 * results must agree: in a buffer of exactly its size (any read past the frame throws), at an offset
 * inside a larger buffer filled with junk (a read outside the frame would change the answer), and
 * with the original length from byte 1.
 */
class PacketDecoderFuzzTest {
    static final int[] LINK_TYPES = {
        LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP,
        LinkType.RAW, LinkType.RAW_ALT_12, LinkType.RAW_ALT_14, LinkType.IPV4, LinkType.IPV6,
    };
    private static final int PAD = 5;

    @FuzzTest(maxDuration = "3m")
    void decode(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int selector = in.u8();
        final int linkType = selector % (LINK_TYPES.length + 1) < LINK_TYPES.length
            ? LINK_TYPES[selector % (LINK_TYPES.length + 1)] : selector;
        final int extra = in.u8() * 97;
        final byte[] frame = in.rest();
        final int n = frame.length;
        final long ts = 1_700_000_000_123_456_789L;

        final PacketDecoder decoder = new PacketDecoder();
        final UnsafeBuffer exact = new UnsafeBuffer(frame);
        final TcpSegment a = new TcpSegment();
        final int resultA = decoder.decode(exact, 0, n, n, ts, linkType, a);
        check(resultA, a, exact, 0, n, n, ts, linkType);

        final byte[] padded = new byte[n + 2 * PAD];
        Arrays.fill(padded, (byte) 0xAA);
        System.arraycopy(frame, 0, padded, PAD, n);
        final UnsafeBuffer inside = new UnsafeBuffer(padded);
        final TcpSegment b = new TcpSegment();
        final int resultB = decoder.decode(inside, PAD, n, n, ts, linkType, b);
        check(resultB, b, inside, PAD, n, n, ts, linkType);
        assertEquals(describe(resultA, a, 0), describe(resultB, b, PAD), "result depends on bytes outside the frame");

        final TcpSegment c = new TcpSegment();
        final int resultC = decoder.decode(exact, 0, n, n + extra, ts, linkType, c);
        check(resultC, c, exact, 0, n, n + extra, ts, linkType);
        if (resultA == PacketDecoder.OK && resultC == PacketDecoder.OK) {
            // A longer wire length may only mark the payload as cut off, never move or resize it.
            assertEquals(a.payloadOffset, c.payloadOffset);
            assertEquals(a.payloadLength, c.payloadLength);
        }

        assertEquals(3, decoder.frames());
        assertEquals(decoder.frames(), decoder.tcpSegments() + decoder.notIp() + decoder.notTcp()
            + decoder.fragments() + decoder.malformed() + decoder.unsupportedLinkType(), "every frame is counted once");
    }

    private static void check(final int result, final TcpSegment s, final UnsafeBuffer buffer, final int offset,
                              final int n, final int originalLength, final long ts, final int linkType) {
        assertTrue(result >= PacketDecoder.OK && result <= PacketDecoder.UNSUPPORTED_LINK_TYPE, "result " + result);
        if (result == PacketDecoder.UNSUPPORTED_LINK_TYPE) {
            assertTrue(!LinkType.isSupported(linkType), "supported link type " + linkType + " called unsupported");
        }
        if (result != PacketDecoder.OK) {
            return;
        }
        assertTrue(LinkType.isSupported(linkType));
        assertSame(buffer, s.payloadBuffer);
        assertTrue(s.payloadOffset >= offset && s.payloadLength >= 0
                && (long) s.payloadOffset + s.payloadLength <= offset + n,
            "payload [" + s.payloadOffset + ", +" + s.payloadLength + ") outside the frame [" + offset + ", +" + n + ")");
        assertTrue(s.ipVersion == 4 || s.ipVersion == 6, "ip version " + s.ipVersion);
        assertTrue(s.srcPort >= 0 && s.srcPort <= 0xFFFF && s.dstPort >= 0 && s.dstPort <= 0xFFFF);
        assertTrue(s.sequence >= 0 && s.sequence <= 0xFFFF_FFFFL && s.acknowledgement >= 0
            && s.acknowledgement <= 0xFFFF_FFFFL);
        assertTrue(s.flags >= 0 && s.flags <= 0xFF);
        assertTrue(s.vlanId >= -1 && s.vlanId <= 0xFFF, "vlan " + s.vlanId);
        assertEquals(ts, s.timestampNanos);
        assertEquals(originalLength, s.wireLength);
        if (s.payloadTruncated) {
            assertTrue(originalLength > n, "payload marked truncated although the whole frame was captured");
        }
    }

    private static String describe(final int result, final TcpSegment s, final int base) {
        if (result != PacketDecoder.OK) {
            return PacketDecoder.resultName(result);
        }
        return "OK ip" + s.ipVersion + " " + Long.toHexString(s.srcAddressHigh) + ":" + Long.toHexString(s.srcAddressLow)
            + "." + s.srcPort + " > " + Long.toHexString(s.dstAddressHigh) + ":" + Long.toHexString(s.dstAddressLow)
            + "." + s.dstPort + " seq " + s.sequence + " ack " + s.acknowledgement + " flags " + s.flags
            + " vlan " + s.vlanId + " payload " + (s.payloadOffset - base) + "+" + s.payloadLength
            + (s.payloadTruncated ? " truncated" : "");
    }
}
