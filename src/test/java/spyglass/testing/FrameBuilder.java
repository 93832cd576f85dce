package spyglass.testing;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Builds one TCP frame byte by byte, for tests that hand-craft captures.
 *
 * <pre>{@code
 * byte[] frame = FrameBuilder.tcp4("10.0.0.1", 50000, "10.0.0.2", 3306)
 *     .seq(1000).ack(1).flags(FrameBuilder.PSH | FrameBuilder.ACK)
 *     .payload("select 1")
 *     .vlan(100)            // optional: one tag; vlan(100, 200) for QinQ (outer 100)
 *     .padTo(60)            // optional: Ethernet padding after the IP packet
 *     .ethernet();          // or sll(), sll2(), bsdNull(), loop(), ip() (raw IP)
 * }</pre>
 *
 * <p>IPv6: {@code tcp6("2001:db8::1", 50000, "2001:db8::2", 3306)}, optionally with
 * {@code .ipv6Extensions(0, 60)} (hop-by-hop, destination options, routing 43: 8-byte headers
 * inserted in order) or {@code .ipv6Fragment(offset, more)}. IPv4 extras: {@code .ipv4Fragment},
 * {@code .ipv4Options(n)}, {@code .ipTotalLength(n)} to lie about the length. TCP extras:
 * {@code .tcpOptions(n)} (NOP padding). The builder is reusable: each terminal call builds afresh.
 * Checksums are left zero: spyglass never checks them.
 */
public final class FrameBuilder {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public static final byte[] SRC_MAC = {0x02, 0, 0, 0, 0, 0x01};
    public static final byte[] DST_MAC = {0x02, 0, 0, 0, 0, 0x02};

    private final boolean ipv6;
    private final byte[] srcAddress;
    private final byte[] dstAddress;
    private final int srcPort;
    private final int dstPort;
    private long seq;
    private long ack;
    private int flags = ACK;
    private byte[] payload = new byte[0];
    private int[] vlans = new int[0];
    private int outerTagType = 0x88A8;
    private int padTo;
    private int[] ipv6Extensions = new int[0];
    private int fragmentOffset;
    private boolean moreFragments;
    private boolean fragmentHeader;
    private int ipv4OptionBytes;
    private int tcpOptionBytes;
    private int ipTotalLength = -1;
    private int ipProtocol = 6;

    private FrameBuilder(final boolean ipv6, final String src, final int srcPort, final String dst, final int dstPort) {
        this.ipv6 = ipv6;
        this.srcAddress = address(src, ipv6 ? 16 : 4);
        this.dstAddress = address(dst, ipv6 ? 16 : 4);
        this.srcPort = srcPort;
        this.dstPort = dstPort;
    }

    public static FrameBuilder tcp4(final String src, final int srcPort, final String dst, final int dstPort) {
        return new FrameBuilder(false, src, srcPort, dst, dstPort);
    }

    public static FrameBuilder tcp6(final String src, final int srcPort, final String dst, final int dstPort) {
        return new FrameBuilder(true, src, srcPort, dst, dstPort);
    }

    public FrameBuilder seq(final long value) {
        seq = value;
        return this;
    }

    public FrameBuilder ack(final long value) {
        ack = value;
        return this;
    }

    /** TCP flag bits; the default is ACK alone. */
    public FrameBuilder flags(final int value) {
        flags = value;
        return this;
    }

    public FrameBuilder payload(final byte[] value) {
        payload = value.clone();
        return this;
    }

    public FrameBuilder payload(final String ascii) {
        return payload(ascii.getBytes(StandardCharsets.UTF_8));
    }

    /** VLAN ids, outermost first; more than one makes QinQ (outer tags 0x88A8, inner 0x8100). */
    public FrameBuilder vlan(final int... ids) {
        vlans = ids.clone();
        return this;
    }

    /** The ethertype of the outer tags when there is more than one (default 0x88A8; 0x9100 is the other). */
    public FrameBuilder outerTagType(final int etherType) {
        outerTagType = etherType;
        return this;
    }

    /** Pads the Ethernet frame with zeros to at least this many bytes (60 is the Ethernet minimum). */
    public FrameBuilder padTo(final int length) {
        padTo = length;
        return this;
    }

    /** IPv6 extension headers (0, 43, 60) inserted before TCP, 8 bytes each. */
    public FrameBuilder ipv6Extensions(final int... types) {
        ipv6Extensions = types.clone();
        return this;
    }

    /** An IPv6 fragment header after the extension headers. */
    public FrameBuilder ipv6Fragment(final int offsetUnits, final boolean more) {
        fragmentHeader = true;
        fragmentOffset = offsetUnits;
        moreFragments = more;
        return this;
    }

    public FrameBuilder ipv4Fragment(final int offsetUnits, final boolean more) {
        fragmentOffset = offsetUnits;
        moreFragments = more;
        return this;
    }

    /** IPv4 options (NOPs), a multiple of 4 bytes. */
    public FrameBuilder ipv4Options(final int bytes) {
        ipv4OptionBytes = bytes;
        return this;
    }

    /** TCP options (NOPs), a multiple of 4 bytes. */
    public FrameBuilder tcpOptions(final int bytes) {
        tcpOptionBytes = bytes;
        return this;
    }

    /** Overrides the IPv4 total length or the IPv6 payload length (for damaged frames). */
    public FrameBuilder ipTotalLength(final int value) {
        ipTotalLength = value;
        return this;
    }

    /** Overrides the IP protocol / next header (17 makes a "UDP" packet with a TCP-shaped body). */
    public FrameBuilder ipProtocol(final int value) {
        ipProtocol = value;
        return this;
    }

    /** The IP packet alone: for the RAW, IPV4 and IPV6 link types. */
    public byte[] ip() {
        final byte[] tcp = tcpSegment();
        return ipv6 ? ipv6Packet(tcp) : ipv4Packet(tcp);
    }

    /** The offset of the TCP payload inside {@link #ip()}. */
    public int ipPayloadOffset() {
        final int ipHeader = ipv6 ? 40 + 8 * ipv6Extensions.length + (fragmentHeader ? 8 : 0) : 20 + ipv4OptionBytes;
        return ipHeader + 20 + tcpOptionBytes;
    }

    public byte[] ethernet() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(DST_MAC);
        out.writeBytes(SRC_MAC);
        for (int i = 0; i < vlans.length; i++) {
            final int tpid = i < vlans.length - 1 ? outerTagType : 0x8100;
            u16(out, tpid);
            u16(out, vlans[i] & 0x0FFF);
        }
        u16(out, etherType());
        out.writeBytes(ip());
        while (out.size() < padTo) {
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Linux cooked capture v1: packet type 0 (to us), ARPHRD_ETHER, 6-byte address. */
    public byte[] sll() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, 0);
        u16(out, 1);
        u16(out, 6);
        out.writeBytes(SRC_MAC);
        out.writeBytes(new byte[2]);
        u16(out, etherType());
        out.writeBytes(ip());
        return out.toByteArray();
    }

    /** Linux cooked capture v2: protocol first, interface index 1, ARPHRD_ETHER. */
    public byte[] sll2() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, etherType());
        u16(out, 0);
        u32(out, 1);
        u16(out, 1);
        out.write(0);
        out.write(6);
        out.writeBytes(SRC_MAC);
        out.writeBytes(new byte[2]);
        out.writeBytes(ip());
        return out.toByteArray();
    }

    /** BSD NULL in little-endian (the usual writer), with AF_INET 2 or AF_INET6 30 (macOS). */
    public byte[] bsdNull() {
        return bsdNull(ipv6 ? 30 : 2, false);
    }

    /** BSD NULL / LOOP with an explicit family and byte order. */
    public byte[] bsdNull(final int family, final boolean bigEndian) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bigEndian) {
            u32(out, family);
        } else {
            out.write(family & 0xFF);
            out.write((family >> 8) & 0xFF);
            out.write((family >> 16) & 0xFF);
            out.write((family >>> 24) & 0xFF);
        }
        out.writeBytes(ip());
        return out.toByteArray();
    }

    /** OpenBSD LOOP: big-endian family. */
    public byte[] loop() {
        return bsdNull(ipv6 ? 24 : 2, true);
    }

    private int etherType() {
        return ipv6 ? 0x86DD : 0x0800;
    }

    private byte[] tcpSegment() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, srcPort);
        u16(out, dstPort);
        u32(out, (int) seq);
        u32(out, (int) ack);
        out.write(((20 + tcpOptionBytes) / 4) << 4);
        out.write(flags);
        u16(out, 65535);
        u16(out, 0);
        u16(out, 0);
        for (int i = 0; i < tcpOptionBytes; i++) {
            out.write(1);
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private byte[] ipv4Packet(final byte[] tcp) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int headerLength = 20 + ipv4OptionBytes;
        out.write(0x40 | headerLength / 4);
        out.write(0);
        u16(out, ipTotalLength >= 0 ? ipTotalLength : headerLength + tcp.length);
        u16(out, 0x1234);
        u16(out, (moreFragments ? 0x2000 : 0) | 0x4000 * (fragmentOffset == 0 && !moreFragments ? 1 : 0) | fragmentOffset);
        out.write(64);
        out.write(ipProtocol);
        u16(out, 0);
        out.writeBytes(srcAddress);
        out.writeBytes(dstAddress);
        for (int i = 0; i < ipv4OptionBytes; i++) {
            out.write(1);
        }
        out.writeBytes(tcp);
        return out.toByteArray();
    }

    private byte[] ipv6Packet(final byte[] tcp) {
        final ByteArrayOutputStream headers = new ByteArrayOutputStream();
        final int count = ipv6Extensions.length + (fragmentHeader ? 1 : 0);
        final int[] chain = new int[count + 1];
        for (int i = 0; i < ipv6Extensions.length; i++) {
            chain[i] = ipv6Extensions[i];
        }
        if (fragmentHeader) {
            chain[ipv6Extensions.length] = 44;
        }
        chain[count] = ipProtocol;
        for (int i = 0; i < count; i++) {
            headers.write(chain[i + 1]);
            if (chain[i] == 44) {
                headers.write(0);
                u16(headers, (fragmentOffset << 3) | (moreFragments ? 1 : 0));
                u32(headers, 0xCAFE);
            } else {
                headers.write(0);
                // PadN option filling the remaining 6 bytes.
                headers.write(1);
                headers.write(4);
                u32(headers, 0);
            }
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        u32(out, 0x6000_0000);
        u16(out, ipTotalLength >= 0 ? ipTotalLength : headers.size() + tcp.length);
        out.write(count > 0 ? chain[0] : ipProtocol);
        out.write(64);
        out.writeBytes(srcAddress);
        out.writeBytes(dstAddress);
        out.writeBytes(headers.toByteArray());
        out.writeBytes(tcp);
        return out.toByteArray();
    }

    private static byte[] address(final String literal, final int length) {
        try {
            final byte[] raw = InetAddress.getByName(literal).getAddress();
            if (raw.length != length) {
                throw new IllegalArgumentException(literal + " is not an IPv" + (length == 4 ? 4 : 6) + " address");
            }
            return raw;
        } catch (final UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static void u16(final ByteArrayOutputStream out, final int value) {
        out.write((value >> 8) & 0xFF);
        out.write(value & 0xFF);
    }

    private static void u32(final ByteArrayOutputStream out, final int value) {
        u16(out, value >>> 16);
        u16(out, value & 0xFFFF);
    }
}
