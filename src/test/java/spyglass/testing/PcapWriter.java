package spyglass.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes capture files for tests, classic pcap or pcapng, into memory; {@link #toByteArray()} or
 * {@link #writeTo(Path)} at the end.
 *
 * <pre>{@code
 * // classic pcap, microseconds, little-endian, Ethernet
 * byte[] pcap = PcapWriter.pcap(LinkType.ETHERNET).frame(tsNanos, frame).frame(tsNanos2, frame2).toByteArray();
 * // nanoseconds, big-endian
 * PcapWriter.pcap(LinkType.ETHERNET, true, ByteOrder.BIG_ENDIAN)
 *
 * // pcapng with two interfaces of different link types and timestamp resolutions
 * PcapWriter ng = PcapWriter.pcapng(ByteOrder.LITTLE_ENDIAN);
 * int eth = ng.interfaceBlock(LinkType.ETHERNET);                 // default 10^-6
 * int raw = ng.interfaceBlock(LinkType.RAW, 9, 0);                 // if_tsresol 9 (ns), if_tsoffset 0
 * ng.enhancedPacket(eth, tsNanos, frame).enhancedPacket(raw, tsNanos, ipPacket);
 * ng.section(ByteOrder.BIG_ENDIAN);                                // a new section forgets interfaces
 * }</pre>
 *
 * Timestamps are given in nanoseconds since the epoch and converted to the file's resolution
 * (truncating). For pcapng, {@code tsresol} is the raw option byte: 6 = microseconds, 9 =
 * nanoseconds, {@code 0x80 | n} = 2^-n seconds; -1 omits the option (default 10^-6).
 */
public final class PcapWriter {
    private final boolean ng;
    private final boolean nanos;
    private ByteOrder order;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    /** pcapng: tsresol byte and tsoffset (seconds) per interface of the current section. */
    private final List<int[]> interfaces = new ArrayList<>();
    private final List<Long> offsets = new ArrayList<>();

    private PcapWriter(final boolean ng, final boolean nanos, final ByteOrder order) {
        this.ng = ng;
        this.nanos = nanos;
        this.order = order;
    }

    /** Classic pcap, microseconds, little-endian, snap length 262144. */
    public static PcapWriter pcap(final int linkType) {
        return pcap(linkType, false, ByteOrder.LITTLE_ENDIAN);
    }

    public static PcapWriter pcap(final int linkType, final boolean nanos, final ByteOrder order) {
        final PcapWriter w = new PcapWriter(false, nanos, order);
        w.u32(nanos ? 0xA1B23C4D : 0xA1B2C3D4);
        w.u16(2);
        w.u16(4);
        w.u32(0);
        w.u32(0);
        w.u32(262144);
        w.u32(linkType);
        return w;
    }

    /** pcapng with a first section header in the given byte order; add interfaces next. */
    public static PcapWriter pcapng(final ByteOrder order) {
        final PcapWriter w = new PcapWriter(true, false, order);
        w.section(order);
        return w;
    }

    /** Classic pcap: one record; original length = frame length. */
    public PcapWriter frame(final long timestampNanos, final byte[] frame) {
        return frame(timestampNanos, frame, frame.length);
    }

    public PcapWriter frame(final long timestampNanos, final byte[] frame, final int originalLength) {
        requireClassic();
        u32((int) (timestampNanos / 1_000_000_000L));
        u32((int) (nanos ? timestampNanos % 1_000_000_000L : timestampNanos % 1_000_000_000L / 1000));
        u32(frame.length);
        u32(originalLength);
        out.writeBytes(frame);
        return this;
    }

    /** Classic pcap: a raw record header with any lengths (for damaged files), no data. */
    public PcapWriter recordHeader(final int seconds, final int fraction, final int capturedLength, final int originalLength) {
        requireClassic();
        u32(seconds);
        u32(fraction);
        u32(capturedLength);
        u32(originalLength);
        return this;
    }

    /** pcapng: starts a new section (Section Header Block) in the given byte order. */
    public PcapWriter section(final ByteOrder sectionOrder) {
        requireNg();
        order = sectionOrder;
        interfaces.clear();
        offsets.clear();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes(4, b -> b.putInt(0x1A2B3C4D)));
        body.writeBytes(bytes(4, b -> b.putShort((short) 1).putShort((short) 0)));
        body.writeBytes(bytes(8, b -> b.putLong(-1L)));
        block(0x0A0D0D0A, body.toByteArray());
        return this;
    }

    /** pcapng: an interface with the default resolution (microseconds); returns its id. */
    public int interfaceBlock(final int linkType) {
        return interfaceBlock(linkType, -1, 0);
    }

    /** pcapng: an interface with if_tsresol (-1: none) and if_tsoffset (seconds, 0: none); returns its id. */
    public int interfaceBlock(final int linkType, final int tsresol, final long tsoffsetSeconds) {
        requireNg();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes(8, b -> b.putShort((short) linkType).putShort((short) 0).putInt(262144)));
        if (tsresol >= 0) {
            body.writeBytes(bytes(8, b -> b.putShort((short) 9).putShort((short) 1).put((byte) tsresol)));
        }
        if (tsoffsetSeconds != 0) {
            body.writeBytes(bytes(12, b -> b.putShort((short) 14).putShort((short) 8).putLong(tsoffsetSeconds)));
        }
        body.writeBytes(bytes(4, b -> b.putInt(0)));
        block(1, body.toByteArray());
        interfaces.add(new int[] {tsresol < 0 ? 6 : tsresol});
        offsets.add(tsoffsetSeconds);
        return interfaces.size() - 1;
    }

    /** pcapng: an Enhanced Packet Block; original length = frame length. */
    public PcapWriter enhancedPacket(final int interfaceId, final long timestampNanos, final byte[] frame) {
        return enhancedPacket(interfaceId, timestampNanos, frame, frame.length);
    }

    public PcapWriter enhancedPacket(final int interfaceId, final long timestampNanos, final byte[] frame,
                                     final int originalLength) {
        requireNg();
        final long units = interfaceId < interfaces.size() ? units(interfaceId, timestampNanos) : timestampNanos / 1000;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes(20, b -> b.putInt(interfaceId).putInt((int) (units >>> 32)).putInt((int) units)
            .putInt(frame.length).putInt(originalLength)));
        body.writeBytes(padded(frame));
        block(6, body.toByteArray());
        return this;
    }

    /** pcapng: a Simple Packet Block (interface 0, no timestamp). */
    public PcapWriter simplePacket(final byte[] frame) {
        requireNg();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes(4, b -> b.putInt(frame.length)));
        body.writeBytes(padded(frame));
        block(3, body.toByteArray());
        return this;
    }

    /** pcapng: the obsolete Packet Block (type 2, 16-bit interface id). */
    public PcapWriter obsoletePacket(final int interfaceId, final long timestampNanos, final byte[] frame) {
        requireNg();
        final long units = units(interfaceId, timestampNanos);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes(20, b -> b.putShort((short) interfaceId).putShort((short) 0)
            .putInt((int) (units >>> 32)).putInt((int) units).putInt(frame.length).putInt(frame.length)));
        body.writeBytes(padded(frame));
        block(2, body.toByteArray());
        return this;
    }

    /** pcapng: any block with a raw body (padded to 4 bytes), e.g. a name-resolution or custom block. */
    public PcapWriter block(final int type, final byte[] body) {
        requireNg();
        final byte[] padded = padded(body);
        final int length = 12 + padded.length;
        u32(type);
        u32(length);
        out.writeBytes(padded);
        u32(length);
        return this;
    }

    /** Appends raw bytes (for damaged files). */
    public PcapWriter raw(final byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    public Path writeTo(final Path file) {
        try {
            Files.write(file, out.toByteArray());
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long units(final int interfaceId, final long timestampNanos) {
        final int resolution = interfaces.get(interfaceId)[0];
        final long nanos = timestampNanos - offsets.get(interfaceId) * 1_000_000_000L;
        if ((resolution & 0x80) != 0) {
            final int shift = resolution & 0x7F;
            final long seconds = nanos / 1_000_000_000L;
            final long fraction = nanos % 1_000_000_000L;
            return (seconds << shift) + java.math.BigInteger.valueOf(fraction).shiftLeft(shift)
                .divide(java.math.BigInteger.valueOf(1_000_000_000L)).longValueExact();
        }
        if (resolution <= 9) {
            long divisor = 1;
            for (int i = resolution; i < 9; i++) {
                divisor *= 10;
            }
            return nanos / divisor;
        }
        long multiplier = 1;
        for (int i = 9; i < resolution; i++) {
            multiplier *= 10;
        }
        return nanos * multiplier;
    }

    private static byte[] padded(final byte[] data) {
        final byte[] result = new byte[(data.length + 3) & ~3];
        System.arraycopy(data, 0, result, 0, data.length);
        return result;
    }

    private interface Filler {
        void fill(ByteBuffer buffer);
    }

    private byte[] bytes(final int length, final Filler filler) {
        final ByteBuffer b = ByteBuffer.allocate(length).order(order);
        filler.fill(b);
        return b.array();
    }

    private void u16(final int value) {
        out.writeBytes(bytes(2, b -> b.putShort((short) value)));
    }

    private void u32(final int value) {
        out.writeBytes(bytes(4, b -> b.putInt(value)));
    }

    private void requireNg() {
        if (!ng) {
            throw new IllegalStateException("not a pcapng writer");
        }
    }

    private void requireClassic() {
        if (ng) {
            throw new IllegalStateException("not a classic pcap writer");
        }
    }
}
