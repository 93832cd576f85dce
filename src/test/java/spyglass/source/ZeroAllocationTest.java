package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.packet.LinkType;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;
import spyglass.testing.FrameBuilder;
import spyglass.testing.PcapWriter;

/** After warm-up, reading a mapped file and decoding every frame allocates nothing per frame. */
class ZeroAllocationTest {
    private static final int FRAMES = 100_000;

    @TempDir
    Path dir;

    /** What a capture loop does per frame: decode, then look at the payload. */
    static final class DecodingHandler implements FrameHandler {
        final PacketDecoder decoder = new PacketDecoder();
        final TcpSegment segment = new TcpSegment();
        long payloadBytes;
        long checksum;

        @Override
        public void onFrame(final DirectBuffer frame, final int offset, final int capturedLength, final int originalLength,
                            final long timestampNanos, final int linkType) {
            if (decoder.decode(frame, offset, capturedLength, originalLength, timestampNanos, linkType, segment)
                == PacketDecoder.OK) {
                payloadBytes += segment.payloadLength;
                checksum += segment.srcPort + segment.payloadBuffer.getByte(segment.payloadOffset);
            }
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static long readAll(final Path file, final DecodingHandler handler) {
        long frames = 0;
        try (PcapFileSource source = new PcapFileSource(file)) {
            int n;
            while ((n = source.poll(handler, 256)) != -1) {
                frames += n;
            }
        }
        return frames;
    }

    private void assertNoAllocationPerFrame(final Path file, final long expectedPayload) {
        final DecodingHandler handler = new DecodingHandler();
        for (int i = 0; i < 4; i++) {
            assertEquals(FRAMES, readAll(file, handler));
        }
        try (PcapFileSource source = new PcapFileSource(file)) {
            final DecodingHandler measured = new DecodingHandler();
            long frames = 0;
            final long before = allocatedBytes();
            int n;
            while ((n = source.poll(measured, 256)) != -1) {
                frames += n;
            }
            final long allocated = allocatedBytes() - before;
            assertEquals(FRAMES, frames);
            System.out.println(file.getFileName() + ": " + allocated + " bytes allocated reading " + frames + " frames");
            assertEquals(FRAMES, measured.decoder.tcpSegments());
            assertEquals(expectedPayload, measured.payloadBytes);
            assertTrue(allocated < FRAMES, "allocated " + allocated + " bytes for " + FRAMES + " frames");
        }
    }

    @Test
    void classicPcap() throws Exception {
        final PcapWriter writer = PcapWriter.pcap(LinkType.ETHERNET, true, ByteOrder.LITTLE_ENDIAN);
        long payload = 0;
        for (int i = 0; i < FRAMES; i++) {
            final String sql = "select * from t where id = " + i;
            payload += sql.length();
            writer.frame(1_700_000_000_000_000_000L + i, FrameBuilder.tcp4("10.0.0.1", 1024 + i % 60000, "10.0.0.2", 3306)
                .seq(i).payload(sql).vlan(i % 4000).ethernet());
        }
        assertNoAllocationPerFrame(writer.writeTo(dir.resolve("many.pcap")), payload);
    }

    @Test
    void pcapng() throws Exception {
        final PcapWriter ng = PcapWriter.pcapng(ByteOrder.BIG_ENDIAN);
        final int eth = ng.interfaceBlock(LinkType.ETHERNET, 9, 0);
        final int sll2 = ng.interfaceBlock(LinkType.LINUX_SLL2, 0x80 | 24, 0);
        long payload = 0;
        for (int i = 0; i < FRAMES; i++) {
            final String sql = "update t set x = " + i;
            payload += sql.length();
            final FrameBuilder b = FrameBuilder.tcp6("2001:db8::1", 1024 + i % 60000, "2001:db8::2", 3306).seq(i).payload(sql);
            ng.enhancedPacket(i % 2 == 0 ? eth : sll2, 1_700_000_000_000_000_000L + i, i % 2 == 0 ? b.ethernet() : b.sll2());
        }
        final Path file = ng.writeTo(dir.resolve("many.pcapng"));
        assertTrue(Files.size(file) > FRAMES * 100L);
        assertNoAllocationPerFrame(file, payload);
    }
}
