package spyglass.packet;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * Decodes one captured frame, link layer to TCP, in place: the result is written into a reused
 * {@link TcpSegment} whose payload is a view into the frame's own memory.
 *
 * <p>One decoder per thread (the counters are plain fields). Nothing is allocated per call and no
 * input, however damaged, makes it throw: damage is answered with {@link #MALFORMED} and counted.
 * When the result is not {@link #OK} the segment's contents are unspecified.
 *
 * <p>Link layers: Ethernet II with any stack of 802.1Q / 802.1ad / 0x9100 tags (the segment's
 * {@code vlanId} is the outermost tag's), Linux SLL and SLL2, BSD NULL (family in either byte
 * order) and LOOP, raw IP (101, 12, 14) and the IPv4 / IPv6 link types.
 * IPv4 and IPv6 (hop-by-hop, routing, destination options and AH headers walked; fragments
 * skipped) carrying TCP.
 */
public final class PacketDecoder {
    public static final int OK = 0;
    /** The link layer carries something other than IPv4 or IPv6 (ARP, LLDP, ...). */
    public static final int NOT_IP = 1;
    /** IP carrying something other than TCP (UDP, ICMP, ...). */
    public static final int NOT_TCP = 2;
    /** A TCP fragment: spyglass does not reassemble IP fragments, so this is skipped. */
    public static final int IP_FRAGMENT = 3;
    /** Headers cut short by the capture or inconsistent with each other. */
    public static final int MALFORMED = 4;
    public static final int UNSUPPORTED_LINK_TYPE = 5;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_VLAN_9100 = 0x9100;
    /** Marks "no usable network protocol" when mapping BSD families and IP versions to ethertypes. */
    private static final int ETHERTYPE_NONE = -1;

    private static final int ETHERNET_HEADER = 14;
    private static final int SLL_HEADER = 16;
    private static final int SLL2_HEADER = 20;
    private static final int BSD_NULL_HEADER = 4;
    private static final int VLAN_TAG = 4;
    private static final int IPV4_MIN_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int TCP_MIN_HEADER = 20;

    private static final int IP_PROTO_TCP = 6;
    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_ROUTING = 43;
    private static final int IPV6_FRAGMENT = 44;
    private static final int IPV6_AUTH = 51;
    private static final int IPV6_DEST_OPTS = 60;
    /** More extension headers than this is not a packet any stack sends; it is treated as damage. */
    private static final int MAX_IPV6_EXTENSIONS = 16;

    private long frames;
    private long tcpSegments;
    private long notIp;
    private long notTcp;
    private long fragments;
    private long malformed;
    private long unsupportedLinkType;

    /**
     * Decodes the frame at {@code frame[offset, offset + capturedLength)}.
     *
     * @return {@link #OK} when {@code out} holds a TCP segment, otherwise the reason it does not
     */
    public int decode(final DirectBuffer frame, final int offset, final int capturedLength, final int originalLength,
                      final long timestampNanos, final int linkType, final TcpSegment out) {
        frames++;
        if (offset < 0 || capturedLength < 0 || (long) offset + capturedLength > frame.capacity()) {
            return damaged();
        }
        final int end = offset + capturedLength;
        // The wire end lets a snap-length-cut frame pass with a truncated payload, while an IP length
        // running past what was on the wire is damage.
        final long wireEnd = offset + (long) Math.max(originalLength, capturedLength);

        int etherType;
        int position;
        boolean mayCarryVlan = false;
        switch (linkType) {
            case LinkType.ETHERNET -> {
                if (capturedLength < ETHERNET_HEADER) {
                    return damaged();
                }
                etherType = u16(frame, offset + 12);
                position = offset + ETHERNET_HEADER;
                mayCarryVlan = true;
            }
            case LinkType.LINUX_SLL -> {
                if (capturedLength < SLL_HEADER) {
                    return damaged();
                }
                etherType = u16(frame, offset + 14);
                position = offset + SLL_HEADER;
                mayCarryVlan = true;
            }
            case LinkType.LINUX_SLL2 -> {
                if (capturedLength < SLL2_HEADER) {
                    return damaged();
                }
                etherType = u16(frame, offset);
                position = offset + SLL2_HEADER;
                mayCarryVlan = true;
            }
            case LinkType.NULL -> {
                if (capturedLength < BSD_NULL_HEADER) {
                    return damaged();
                }
                // The family is in the writer's byte order, which the file does not record: try both.
                final int family = frame.getInt(offset, LE);
                etherType = bsdFamily(family);
                if (etherType == ETHERTYPE_NONE) {
                    etherType = bsdFamily(Integer.reverseBytes(family));
                }
                position = offset + BSD_NULL_HEADER;
            }
            case LinkType.LOOP -> {
                if (capturedLength < BSD_NULL_HEADER) {
                    return damaged();
                }
                etherType = bsdFamily(frame.getInt(offset, BE));
                position = offset + BSD_NULL_HEADER;
            }
            case LinkType.RAW, LinkType.RAW_ALT_12, LinkType.RAW_ALT_14 -> {
                if (capturedLength < 1) {
                    return damaged();
                }
                final int version = (frame.getByte(offset) >> 4) & 0xF;
                if (version == 4) {
                    etherType = ETHERTYPE_IPV4;
                } else if (version == 6) {
                    etherType = ETHERTYPE_IPV6;
                } else {
                    return damaged();
                }
                position = offset;
            }
            case LinkType.IPV4 -> {
                etherType = ETHERTYPE_IPV4;
                position = offset;
            }
            case LinkType.IPV6 -> {
                etherType = ETHERTYPE_IPV6;
                position = offset;
            }
            default -> {
                unsupportedLinkType++;
                return UNSUPPORTED_LINK_TYPE;
            }
        }

        int vlanId = -1;
        if (mayCarryVlan) {
            while (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_VLAN_9100) {
                if (position + VLAN_TAG > end) {
                    return damaged();
                }
                if (vlanId < 0) {
                    vlanId = u16(frame, position) & 0x0FFF;
                }
                etherType = u16(frame, position + 2);
                position += VLAN_TAG;
            }
        }

        out.timestampNanos = timestampNanos;
        out.wireLength = originalLength;
        out.vlanId = vlanId;
        if (etherType == ETHERTYPE_IPV4) {
            return ipv4(frame, position, end, wireEnd, out);
        }
        if (etherType == ETHERTYPE_IPV6) {
            return ipv6(frame, position, end, wireEnd, out);
        }
        notIp++;
        return NOT_IP;
    }

    private int ipv4(final DirectBuffer frame, final int start, final int end, final long wireEnd, final TcpSegment out) {
        if (start + IPV4_MIN_HEADER > end) {
            return damaged();
        }
        final int versionAndLength = u8(frame, start);
        final int headerLength = (versionAndLength & 0xF) * 4;
        if ((versionAndLength >> 4) != 4 || headerLength < IPV4_MIN_HEADER || start + headerLength > end) {
            return damaged();
        }
        final int totalLength = u16(frame, start + 2);
        final long ipEnd;
        if (totalLength == 0) {
            // Captured on the sending host with segmentation offload: the NIC fills the length in.
            ipEnd = wireEnd;
        } else {
            if (totalLength < headerLength || start + (long) totalLength > wireEnd) {
                return damaged();
            }
            ipEnd = start + totalLength;
        }
        if (u8(frame, start + 9) != IP_PROTO_TCP) {
            notTcp++;
            return NOT_TCP;
        }
        // More-fragments set or a non-zero offset: a piece of a datagram we do not reassemble.
        if ((u16(frame, start + 6) & 0x3FFF) != 0) {
            fragments++;
            return IP_FRAGMENT;
        }
        out.ipVersion = 4;
        out.srcAddressHigh = 0;
        out.srcAddressLow = AddressFormat.ipv4MappedLow(frame.getInt(start + 12, BE));
        out.dstAddressHigh = 0;
        out.dstAddressLow = AddressFormat.ipv4MappedLow(frame.getInt(start + 16, BE));
        return tcp(frame, start + headerLength, ipEnd, end, out);
    }

    private int ipv6(final DirectBuffer frame, final int start, final int end, final long wireEnd, final TcpSegment out) {
        if (start + IPV6_HEADER > end || (u8(frame, start) >> 4) != 6) {
            return damaged();
        }
        final int payloadLength = u16(frame, start + 4);
        final long ipEnd;
        if (payloadLength == 0) {
            // A jumbogram or an offloaded segment: the frame's end is the packet's end.
            ipEnd = wireEnd;
        } else {
            ipEnd = start + IPV6_HEADER + (long) payloadLength;
            if (ipEnd > wireEnd) {
                return damaged();
            }
        }
        // Extension headers must lie inside both the capture and the IP payload.
        final long headerLimit = Math.min(ipEnd, end);
        int next = u8(frame, start + 6);
        int position = start + IPV6_HEADER;
        for (int i = 0; i <= MAX_IPV6_EXTENSIONS; i++) {
            switch (next) {
                case IP_PROTO_TCP -> {
                    out.ipVersion = 6;
                    out.srcAddressHigh = frame.getLong(start + 8, BE);
                    out.srcAddressLow = frame.getLong(start + 16, BE);
                    out.dstAddressHigh = frame.getLong(start + 24, BE);
                    out.dstAddressLow = frame.getLong(start + 32, BE);
                    return tcp(frame, position, ipEnd, end, out);
                }
                case IPV6_HOP_BY_HOP, IPV6_ROUTING, IPV6_DEST_OPTS, IPV6_AUTH -> {
                    if (position + 8 > headerLimit) {
                        return damaged();
                    }
                    final int lengthField = u8(frame, position + 1);
                    final int length = next == IPV6_AUTH ? (lengthField + 2) * 4 : (lengthField + 1) * 8;
                    if (position + (long) length > headerLimit) {
                        return damaged();
                    }
                    next = u8(frame, position);
                    position += length;
                }
                case IPV6_FRAGMENT -> {
                    if (position + 8 > headerLimit) {
                        return damaged();
                    }
                    final int offsetAndFlags = u16(frame, position + 2);
                    final int fragmentNext = u8(frame, position);
                    if ((offsetAndFlags & 0xFFF9) == 0) {
                        // An atomic fragment (offset 0, no more fragments, RFC 6946) is a whole packet.
                        next = fragmentNext;
                        position += 8;
                    } else if (fragmentNext == IP_PROTO_TCP) {
                        fragments++;
                        return IP_FRAGMENT;
                    } else {
                        notTcp++;
                        return NOT_TCP;
                    }
                }
                default -> {
                    notTcp++;
                    return NOT_TCP;
                }
            }
        }
        return damaged();
    }

    private int tcp(final DirectBuffer frame, final int start, final long ipEnd, final int end, final TcpSegment out) {
        if (ipEnd - start < TCP_MIN_HEADER || start + TCP_MIN_HEADER > end) {
            return damaged();
        }
        final int headerLength = ((u8(frame, start + 12) >> 4) & 0xF) * 4;
        if (headerLength < TCP_MIN_HEADER || start + headerLength > ipEnd || start + headerLength > end) {
            return damaged();
        }
        out.srcPort = u16(frame, start);
        out.dstPort = u16(frame, start + 2);
        out.sequence = frame.getInt(start + 4, BE) & 0xFFFF_FFFFL;
        out.acknowledgement = frame.getInt(start + 8, BE) & 0xFFFF_FFFFL;
        out.flags = u8(frame, start + 13);
        final int payloadStart = start + headerLength;
        final int payloadEnd = (int) Math.min(ipEnd, end);
        out.payloadBuffer = frame;
        out.payloadOffset = payloadStart;
        out.payloadLength = payloadEnd - payloadStart;
        out.payloadTruncated = ipEnd > end;
        tcpSegments++;
        return OK;
    }

    private static int bsdFamily(final int family) {
        // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS).
        return switch (family) {
            case 2 -> ETHERTYPE_IPV4;
            case 24, 28, 30 -> ETHERTYPE_IPV6;
            default -> ETHERTYPE_NONE;
        };
    }

    private int damaged() {
        malformed++;
        return MALFORMED;
    }

    private static int u8(final DirectBuffer buffer, final int index) {
        return buffer.getByte(index) & 0xFF;
    }

    private static int u16(final DirectBuffer buffer, final int index) {
        return buffer.getShort(index, BE) & 0xFFFF;
    }

    /** A short name of a result code, for diagnostics. */
    public static String resultName(final int result) {
        return switch (result) {
            case OK -> "OK";
            case NOT_IP -> "NOT_IP";
            case NOT_TCP -> "NOT_TCP";
            case IP_FRAGMENT -> "IP_FRAGMENT";
            case MALFORMED -> "MALFORMED";
            case UNSUPPORTED_LINK_TYPE -> "UNSUPPORTED_LINK_TYPE";
            default -> "RESULT_" + result;
        };
    }

    /** Every frame passed to {@link #decode}. */
    public long frames() {
        return frames;
    }

    public long tcpSegments() {
        return tcpSegments;
    }

    public long notIp() {
        return notIp;
    }

    public long notTcp() {
        return notTcp;
    }

    public long fragments() {
        return fragments;
    }

    public long malformed() {
        return malformed;
    }

    public long unsupportedLinkType() {
        return unsupportedLinkType;
    }
}
