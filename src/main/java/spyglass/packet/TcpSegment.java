package spyglass.packet;

import org.agrona.DirectBuffer;

/**
 * One decoded TCP segment: the unit the capture side hands to a worker.
 *
 * <p>A mutable, reused holder filled in place by {@link PacketDecoder}; nothing here is valid after
 * the next decode. Addresses are kept as 128 bits (IPv4 as IPv4-mapped IPv6, {@code ::ffff:a.b.c.d})
 * so flow keys, hashing and formatting have one shape for both families. The payload is a view into
 * the frame's memory: no copy is made here.
 */
public final class TcpSegment {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    /** Capture timestamp, nanoseconds since the Unix epoch. */
    public long timestampNanos;
    /** 4 or 6. */
    public int ipVersion;
    public long srcAddressHigh;
    public long srcAddressLow;
    public long dstAddressHigh;
    public long dstAddressLow;
    public int srcPort;
    public int dstPort;
    /** Sequence and acknowledgement numbers, unsigned 32-bit values held in a long. */
    public long sequence;
    public long acknowledgement;
    /** TCP flag bits, see the constants above. */
    public int flags;
    /** 802.1Q VLAN id of the outermost tag, or -1 when untagged. */
    public int vlanId = -1;
    /** Bytes of the frame as it was on the wire (the original length), for byte counters. */
    public int wireLength;
    /** The TCP payload, trimmed to the IP total length (Ethernet padding is not payload). */
    public DirectBuffer payloadBuffer;
    public int payloadOffset;
    public int payloadLength;
    /**
     * True when the capture's snap length cut the TCP payload short: only {@code payloadLength}
     * bytes were captured, the IP header says more were on the wire. Reassembly should treat the
     * missing bytes as a gap.
     */
    public boolean payloadTruncated;

    public boolean hasFlag(final int flag) {
        return (flags & flag) != 0;
    }

    public void reset() {
        timestampNanos = 0;
        ipVersion = 0;
        srcAddressHigh = srcAddressLow = dstAddressHigh = dstAddressLow = 0;
        srcPort = dstPort = 0;
        sequence = acknowledgement = 0;
        flags = 0;
        vlanId = -1;
        wireLength = 0;
        payloadBuffer = null;
        payloadOffset = payloadLength = 0;
        payloadTruncated = false;
    }
}
