package spyglass.pipeline;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import spyglass.packet.TcpSegment;

/**
 * The layout of one TCP segment in a worker's ring: the decoded header fields at fixed offsets,
 * then the payload. The capture thread writes it straight into the claimed slot; the worker reads
 * it back into a {@link TcpSegment} whose payload points into the ring, so the payload is copied
 * once, from the source's memory into the ring, and never again.
 *
 * <p>Native byte order: the record never leaves the process.
 */
final class SegmentRecord {
    /** A TCP segment: {@link #HEADER_LENGTH} bytes of fields, then the payload. */
    static final int MSG_SEGMENT = 1;
    /** Capture time moved on (8 bytes: nanoseconds): look for idle flows. */
    static final int MSG_TICK = 2;
    /** End of input (8 bytes: the last capture time): close every flow, then stop. */
    static final int MSG_END = 3;

    static final int TIME_LENGTH = Long.BYTES;

    private static final int TIMESTAMP = 0;
    private static final int SRC_HIGH = 8;
    private static final int SRC_LOW = 16;
    private static final int DST_HIGH = 24;
    private static final int DST_LOW = 32;
    private static final int SEQUENCE = 40;
    private static final int ACKNOWLEDGEMENT = 44;
    private static final int SRC_PORT = 48;
    private static final int DST_PORT = 50;
    private static final int FLAGS = 52;
    private static final int IP_VERSION = 54;
    private static final int TRUNCATED = 55;
    private static final int VLAN = 56;
    private static final int WIRE_LENGTH = 60;
    static final int HEADER_LENGTH = 64;

    private SegmentRecord() {
    }

    static int length(final TcpSegment s) {
        return HEADER_LENGTH + s.payloadLength;
    }

    /** Writes {@code s}, payload included, at {@code index}; the slot holds {@link #length} bytes. */
    static void write(final MutableDirectBuffer b, final int index, final TcpSegment s) {
        b.putLong(index + TIMESTAMP, s.timestampNanos);
        b.putLong(index + SRC_HIGH, s.srcAddressHigh);
        b.putLong(index + SRC_LOW, s.srcAddressLow);
        b.putLong(index + DST_HIGH, s.dstAddressHigh);
        b.putLong(index + DST_LOW, s.dstAddressLow);
        b.putInt(index + SEQUENCE, (int) s.sequence);
        b.putInt(index + ACKNOWLEDGEMENT, (int) s.acknowledgement);
        b.putShort(index + SRC_PORT, (short) s.srcPort);
        b.putShort(index + DST_PORT, (short) s.dstPort);
        b.putShort(index + FLAGS, (short) s.flags);
        b.putByte(index + IP_VERSION, (byte) s.ipVersion);
        b.putByte(index + TRUNCATED, (byte) (s.payloadTruncated ? 1 : 0));
        b.putInt(index + VLAN, s.vlanId);
        b.putInt(index + WIRE_LENGTH, s.wireLength);
        if (s.payloadLength > 0) {
            b.putBytes(index + HEADER_LENGTH, s.payloadBuffer, s.payloadOffset, s.payloadLength);
        }
    }

    /** Fills {@code s} from the record at {@code index}; its payload is a view of {@code b}. */
    static void read(final DirectBuffer b, final int index, final int length, final TcpSegment s) {
        s.timestampNanos = b.getLong(index + TIMESTAMP);
        s.srcAddressHigh = b.getLong(index + SRC_HIGH);
        s.srcAddressLow = b.getLong(index + SRC_LOW);
        s.dstAddressHigh = b.getLong(index + DST_HIGH);
        s.dstAddressLow = b.getLong(index + DST_LOW);
        s.sequence = b.getInt(index + SEQUENCE) & 0xFFFF_FFFFL;
        s.acknowledgement = b.getInt(index + ACKNOWLEDGEMENT) & 0xFFFF_FFFFL;
        s.srcPort = b.getShort(index + SRC_PORT) & 0xFFFF;
        s.dstPort = b.getShort(index + DST_PORT) & 0xFFFF;
        s.flags = b.getShort(index + FLAGS) & 0xFFFF;
        s.ipVersion = b.getByte(index + IP_VERSION);
        s.payloadTruncated = b.getByte(index + TRUNCATED) != 0;
        s.vlanId = b.getInt(index + VLAN);
        s.wireLength = b.getInt(index + WIRE_LENGTH);
        s.payloadBuffer = b;
        s.payloadOffset = index + HEADER_LENGTH;
        s.payloadLength = length - HEADER_LENGTH;
    }
}
