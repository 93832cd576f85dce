package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.source.Frames.assertFrame;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.packet.LinkType;
import spyglass.testing.FrameBuilder;
import spyglass.testing.PcapWriter;

class PcapFileSourceTest {
    static final long T0 = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    static byte[] frame(final int i) {
        return FrameBuilder.tcp4("10.0.0.1", 40000 + i, "10.0.0.2", 3306).seq(i).payload("query " + i).ethernet();
    }

    private Path write(final String name, final byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static long micros(final long nanos) {
        return nanos / 1000 * 1000;
    }

    @Test
    void classicPcapMicrosAndNanosInBothByteOrders() throws Exception {
        for (final boolean nanos : new boolean[] {false, true}) {
            for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                final PcapWriter writer = PcapWriter.pcap(LinkType.ETHERNET, nanos, order);
                for (int i = 0; i < 3; i++) {
                    writer.frame(T0 + i * 1_000_001L, frame(i));
                }
                writer.frame(T0, frame(9), 1514);
                final Path file = write("c-" + nanos + order + ".pcap", writer.toByteArray());
                try (PcapFileSource source = new PcapFileSource(file)) {
                    final Frames frames = Frames.drain(source, 100);
                    assertEquals(4, frames.size());
                    for (int i = 0; i < 3; i++) {
                        final long ts = T0 + i * 1_000_001L;
                        assertFrame(frames.get(i), frame(i), nanos ? ts : micros(ts), LinkType.ETHERNET);
                        assertEquals(frame(i).length, frames.get(i).originalLength());
                    }
                    assertEquals(1514, frames.get(3).originalLength());
                    assertEquals(-1, source.poll(frames, 10));
                    assertEquals(0, source.malformedFrames());
                    assertEquals(Files.size(file), source.position());
                    assertEquals("file:" + file, source.description());
                }
            }
        }
    }

    @Test
    void pollHonoursTheLimit() throws Exception {
        final PcapWriter writer = PcapWriter.pcap(LinkType.ETHERNET);
        for (int i = 0; i < 5; i++) {
            writer.frame(T0, frame(i));
        }
        try (PcapFileSource source = new PcapFileSource(write("limit.pcap", writer.toByteArray()))) {
            final Frames frames = new Frames();
            assertEquals(2, source.poll(frames, 2));
            assertEquals(2, source.poll(frames, 2));
            assertEquals(1, source.poll(frames, 2));
            assertEquals(-1, source.poll(frames, 2));
            assertEquals(-1, source.poll(frames, 2));
            assertEquals(5, frames.size());
        }
        final Path headerOnly = write("empty.pcap", PcapWriter.pcap(LinkType.RAW).toByteArray());
        try (PcapFileSource source = new PcapFileSource(headerOnly)) {
            assertEquals(-1, source.poll(new Frames(), 10));
        }
    }

    private static long binaryRoundTrip(final long nanos, final int shift) {
        final long seconds = nanos / 1_000_000_000L;
        final long fractionUnits = BigInteger.valueOf(nanos % 1_000_000_000L).shiftLeft(shift)
            .divide(BigInteger.valueOf(1_000_000_000L)).longValueExact();
        return seconds * 1_000_000_000L + BigInteger.valueOf(fractionUnits).multiply(BigInteger.valueOf(1_000_000_000L))
            .shiftRight(shift).longValueExact();
    }

    @Test
    void pcapngWithSeveralInterfacesSectionsAndBlockTypes() throws Exception {
        final byte[] eth = frame(1);
        final byte[] raw = FrameBuilder.tcp6("2001:db8::1", 1, "2001:db8::2", 3306).payload("x").ip();
        final byte[] sll2 = FrameBuilder.tcp4("10.0.0.3", 2, "10.0.0.4", 3306).payload("yz").sll2();
        final byte[] sll = FrameBuilder.tcp4("10.0.0.5", 3, "10.0.0.6", 3306).payload("abc").sll();
        final PcapWriter ng = PcapWriter.pcapng(ByteOrder.LITTLE_ENDIAN);
        final int ethId = ng.interfaceBlock(LinkType.ETHERNET);
        final int rawId = ng.interfaceBlock(LinkType.RAW, 9, 0);
        final int sll2Id = ng.interfaceBlock(LinkType.LINUX_SLL2, 0x80 | 20, 100);
        ng.enhancedPacket(ethId, T0, eth);
        ng.block(4, new byte[] {1, 0, 8, 0, 10, 0, 0, 1, 'h', 'o', 's', 't', 0, 0, 0, 0});
        ng.enhancedPacket(rawId, T0 + 1, raw);
        ng.block(0x0BAD, new byte[] {1, 2, 3});
        ng.enhancedPacket(sll2Id, T0 + 2, sll2);
        ng.block(5, new byte[20]);
        ng.simplePacket(eth);
        ng.obsoletePacket(rawId, T0 + 3, raw);
        // 10^-10 s units exceed Long.MAX_VALUE for today's dates: they must be read unsigned.
        final int tenthNanosId = ng.interfaceBlock(LinkType.IPV6, 10, 0);
        ng.enhancedPacket(tenthNanosId, T0 + 5, raw);
        // A second section in the other byte order forgets the first section's interfaces.
        ng.section(ByteOrder.BIG_ENDIAN);
        final int sllId = ng.interfaceBlock(LinkType.LINUX_SLL, 3, 0);
        ng.enhancedPacket(sllId, T0 + 4, sll);
        final Path file = write("multi.pcapng", ng.toByteArray());
        try (PcapFileSource source = new PcapFileSource(file)) {
            final Frames frames = Frames.drain(source, 3);
            assertEquals(7, frames.size());
            assertFrame(frames.get(0), eth, micros(T0), LinkType.ETHERNET);
            assertFrame(frames.get(1), raw, T0 + 1, LinkType.RAW);
            assertFrame(frames.get(2), sll2, binaryRoundTrip(T0 + 2 - 100_000_000_000L, 20) + 100_000_000_000L,
                LinkType.LINUX_SLL2);
            assertFrame(frames.get(3), eth, 0L, LinkType.ETHERNET);
            assertFrame(frames.get(4), raw, T0 + 3, LinkType.RAW);
            assertFrame(frames.get(5), raw, T0 + 5, LinkType.IPV6);
            assertFrame(frames.get(6), sll, (T0 + 4) / 1_000_000 * 1_000_000, LinkType.LINUX_SLL);
            assertEquals(0, source.malformedFrames());
        }
    }

    @Test
    void badFramesInsideSoundBlocksAreSkippedAndCounted() throws Exception {
        final PcapWriter ng = PcapWriter.pcapng(ByteOrder.LITTLE_ENDIAN);
        ng.simplePacket(frame(0));
        final int id = ng.interfaceBlock(LinkType.ETHERNET);
        ng.enhancedPacket(id + 3, T0, frame(1));
        ng.enhancedPacket(id, T0, frame(2), frame(2).length);
        final Path file = write("skip.pcapng", ng.toByteArray());
        // Claim a captured length larger than the block in a third EPB, by hand.
        final byte[] bytes = Files.readAllBytes(file);
        final PcapWriter extra = PcapWriter.pcapng(ByteOrder.LITTLE_ENDIAN);
        extra.interfaceBlock(LinkType.ETHERNET);
        final int before = extra.size();
        extra.enhancedPacket(0, T0, frame(3));
        final byte[] tail = Arrays.copyOfRange(extra.toByteArray(), before, extra.size());
        tail[20] = (byte) 0xF0;
        final byte[] all = Arrays.copyOf(bytes, bytes.length + tail.length);
        System.arraycopy(tail, 0, all, bytes.length, tail.length);
        try (PcapFileSource source = new PcapFileSource(write("skip2.pcapng", all))) {
            final Frames frames = Frames.drain(source, 10);
            assertEquals(1, frames.size());
            assertFrame(frames.get(0), frame(2), micros(T0), LinkType.ETHERNET);
            assertEquals(3, source.malformedFrames());
        }
    }

    @Test
    void truncatedPcapDeliversGoodFramesThenSaysWhere() throws Exception {
        final PcapWriter writer = PcapWriter.pcap(LinkType.ETHERNET);
        for (int i = 0; i < 4; i++) {
            writer.frame(T0, frame(i));
        }
        final byte[] whole = writer.toByteArray();
        final int recordLength = 16 + frame(0).length;
        final int fourthAt = 24 + 3 * recordLength;
        final Path cutInData = write("cut.pcap", Arrays.copyOf(whole, fourthAt + 16 + 10));
        try (PcapFileSource source = new PcapFileSource(cutInData)) {
            final Frames frames = new Frames();
            assertEquals(3, source.poll(frames, 100));
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(frames, 100));
            assertEquals(cutInData + ": record 4 at byte " + fourthAt + " is cut short: header says " + frame(3).length
                + " bytes, 10 remain (the file was probably still being written)", e.getMessage());
            assertThrows(CaptureFileException.class, () -> source.poll(frames, 100));
            assertEquals(3, frames.size());
        }
        final Path cutInHeader = write("cut2.pcap", Arrays.copyOf(whole, fourthAt + 5));
        try (PcapFileSource source = new PcapFileSource(cutInHeader)) {
            final Frames frames = new Frames();
            assertEquals(2, source.poll(frames, 2));
            assertEquals(1, source.poll(frames, 2));
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(frames, 2));
            assertTrue(e.getMessage().startsWith(cutInHeader + ": record 4 at byte " + fourthAt + " is cut short: 5 bytes"),
                e.getMessage());
        }
        final Path cutInFileHeader = write("cut3.pcap", Arrays.copyOf(whole, 10));
        try (PcapFileSource source = new PcapFileSource(cutInFileHeader)) {
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 2));
            assertTrue(e.getMessage().contains("file header is cut short"), e.getMessage());
        }
    }

    @Test
    void insaneRecordLengthIsDamage() throws Exception {
        final PcapWriter writer = PcapWriter.pcap(LinkType.ETHERNET).frame(T0, frame(0));
        writer.recordHeader(1, 2, 300_000, 300_000).raw(new byte[400_000]);
        final Path file = write("insane.pcap", writer.toByteArray());
        try (PcapFileSource source = new PcapFileSource(file)) {
            final Frames frames = new Frames();
            assertEquals(1, source.poll(frames, 10));
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(frames, 10));
            assertEquals(file + ": record 2 at byte " + (24 + 16 + frame(0).length)
                + " is damaged: header says 300000 bytes, more than any frame (262144)", e.getMessage());
        }
    }

    @Test
    void truncatedOrInconsistentPcapng() throws Exception {
        final PcapWriter ng = PcapWriter.pcapng(ByteOrder.BIG_ENDIAN);
        ng.interfaceBlock(LinkType.ETHERNET);
        final int firstPacketAt = ng.size();
        ng.enhancedPacket(0, T0, frame(0));
        final int secondPacketAt = ng.size();
        ng.enhancedPacket(0, T0, frame(1));
        final byte[] whole = ng.toByteArray();
        final Path cut = write("cut.pcapng", Arrays.copyOf(whole, whole.length - 3));
        try (PcapFileSource source = new PcapFileSource(cut)) {
            final Frames frames = new Frames();
            assertEquals(1, source.poll(frames, 10));
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(frames, 10));
            assertEquals(cut + ": block 4 at byte " + secondPacketAt + " (after frame 1) is cut short: header says "
                + (whole.length - secondPacketAt) + " bytes, " + (whole.length - 3 - secondPacketAt)
                + " remain (the file was probably still being written)", e.getMessage());
        }
        final byte[] mismatch = whole.clone();
        mismatch[secondPacketAt - 1] ^= 4;
        final Path bad = write("mismatch.pcapng", mismatch);
        try (PcapFileSource source = new PcapFileSource(bad)) {
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 10));
            assertTrue(e.getMessage().startsWith(bad + ": block 3 at byte " + firstPacketAt + " (after frame 0) is damaged"),
                e.getMessage());
        }
        final byte[] oddLength = whole.clone();
        oddLength[secondPacketAt + 7] = 0x31;
        final Path odd = write("odd.pcapng", oddLength);
        try (PcapFileSource source = new PcapFileSource(odd)) {
            final Frames frames = new Frames();
            assertEquals(1, source.poll(frames, 10));
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(frames, 10));
            assertTrue(e.getMessage().contains("which no block can be"), e.getMessage());
        }
    }

    @Test
    void notACaptureFileSaysWhatItLooksLike() throws Exception {
        final Path text = write("notes.txt", "Hello, world! This is text.".getBytes(StandardCharsets.US_ASCII));
        try (PcapFileSource source = new PcapFileSource(text)) {
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 1));
            assertEquals(text + " is not a pcap or pcapng file: it starts with "
                + "48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68 (\"Hello, world! Th\")", e.getMessage());
        }
        final Path gzip = write("x.pcap.gz", new byte[] {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0});
        try (PcapFileSource source = new PcapFileSource(gzip)) {
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 1));
            assertTrue(e.getMessage().endsWith("it looks gzip-compressed: gunzip it first"), e.getMessage());
        }
        final Path json = write("capture.jsonl", "{\"type\":\"capture_start\"}\n".getBytes(StandardCharsets.US_ASCII));
        try (PcapFileSource source = new PcapFileSource(json)) {
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 1));
            assertTrue(e.getMessage().contains("JSON Lines"), e.getMessage());
        }
        final Path tiny = write("tiny", new byte[] {1, 2});
        try (PcapFileSource source = new PcapFileSource(tiny)) {
            final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 1));
            assertEquals(tiny + " is not a pcap or pcapng file: it starts with 01 02 (\"..\")", e.getMessage());
        }
    }

    @Test
    void filesThatCannotBeOpened() throws Exception {
        final Path empty = write("empty", new byte[0]);
        assertEquals(empty + " is empty: not a pcap or pcapng file",
            assertThrows(CaptureFileException.class, () -> PacketSources.open(empty.toString())).getMessage());
        final Path missing = dir.resolve("missing.pcap");
        assertEquals(missing + ": no such file",
            assertThrows(CaptureFileException.class, () -> PacketSources.open(missing.toString())).getMessage());
        assertEquals(dir + " is a directory, not a capture file",
            assertThrows(CaptureFileException.class, () -> PacketSources.open(dir.toString())).getMessage());
        final Path good = write("good.pcap", PcapWriter.pcap(LinkType.ETHERNET).frame(T0, frame(0)).toByteArray());
        try (PacketSource source = PacketSources.open(good.toString())) {
            assertTrue(source instanceof PcapFileSource);
            assertEquals(1, Frames.drain(source, 10).size());
        }
        // Not closed: closing would close the test JVM's own standard input.
        final PacketSource stdin = PacketSources.open("-");
        assertTrue(stdin instanceof PcapStreamSource);
        assertEquals("stdin", stdin.description());
    }
}
