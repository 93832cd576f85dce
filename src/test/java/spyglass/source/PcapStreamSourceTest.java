package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.source.PcapFileSourceTest.T0;
import static spyglass.source.PcapFileSourceTest.frame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.packet.LinkType;
import spyglass.testing.FrameBuilder;
import spyglass.testing.PcapWriter;

class PcapStreamSourceTest {
    @TempDir
    Path dir;

    /** A channel that hands out at most {@code chunk} bytes per read, and 0 every other call if asked. */
    static final class TrickleChannel implements ReadableByteChannel {
        private final byte[] data;
        private final int chunk;
        private final boolean stutter;
        private int position;
        private boolean skip;
        private boolean open = true;

        TrickleChannel(final byte[] data, final int chunk, final boolean stutter) {
            this.data = data;
            this.chunk = chunk;
            this.stutter = stutter;
        }

        @Override
        public int read(final ByteBuffer dst) {
            if (stutter && (skip = !skip)) {
                return 0;
            }
            if (position == data.length) {
                return -1;
            }
            final int n = Math.min(Math.min(chunk, dst.remaining()), data.length - position);
            dst.put(data, position, n);
            position += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    private static byte[] mixedPcapng() {
        final PcapWriter ng = PcapWriter.pcapng(ByteOrder.BIG_ENDIAN);
        final int eth = ng.interfaceBlock(LinkType.ETHERNET, 9, 0);
        final int raw = ng.interfaceBlock(LinkType.RAW);
        for (int i = 0; i < 50; i++) {
            ng.enhancedPacket(i % 2 == 0 ? eth : raw, T0 + i * 1000L,
                i % 2 == 0 ? frame(i) : FrameBuilder.tcp4("10.0.0.9", i, "10.0.0.8", 3306).payload("p" + i).ip());
            if (i % 7 == 0) {
                ng.block(0x40000BAD, new byte[i]);
            }
        }
        return ng.toByteArray();
    }

    private static byte[] pcap(final int frames) {
        final PcapWriter writer = PcapWriter.pcap(LinkType.ETHERNET, true, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < frames; i++) {
            writer.frame(T0 + i, frame(i));
        }
        return writer.toByteArray();
    }

    private Frames fromFile(final byte[] bytes) throws IOException {
        final Path file = Files.write(dir.resolve("f" + System.nanoTime()), bytes);
        try (PcapFileSource source = new PcapFileSource(file)) {
            return Frames.drain(source, 1000);
        }
    }

    private static void assertSameFrames(final Frames expected, final Frames actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).bytes(), actual.get(i).bytes(), "frame " + i);
            assertEquals(expected.get(i).timestampNanos(), actual.get(i).timestampNanos(), "frame " + i);
            assertEquals(expected.get(i).linkType(), actual.get(i).linkType(), "frame " + i);
        }
    }

    @Test
    void smallReadsGiveTheSameFramesAsTheFile() throws IOException {
        for (final byte[] capture : new byte[][] {pcap(40), mixedPcapng()}) {
            final Frames expected = fromFile(capture);
            assertTrue(expected.size() >= 40);
            for (final int chunk : new int[] {1, 3, 64, 1000, 1 << 20}) {
                for (final int bufferSize : new int[] {256, 4096, PcapStreamSource.DEFAULT_BUFFER_SIZE}) {
                    final PcapStreamSource source = new PcapStreamSource(new TrickleChannel(capture, chunk, chunk == 3),
                        "test", bufferSize);
                    final Frames actual = Frames.drain(source, 7);
                    assertSameFrames(expected, actual);
                    assertEquals(capture.length, source.position());
                    source.close();
                }
            }
        }
    }

    @Test
    void nothingAvailableReturnsZero() {
        final PcapStreamSource source = new PcapStreamSource(new TrickleChannel(pcap(2), 1000, true), "stutter", 4096);
        assertEquals(0, source.poll(new Frames(), 10));
        final Frames frames = new Frames();
        assertEquals(2, source.poll(frames, 10));
        assertEquals(0, source.poll(frames, 10));
        assertEquals(-1, source.poll(frames, 10));
    }

    @Test
    void readsFromAPipeWrittenByAnotherThread() throws Exception {
        final byte[] capture = mixedPcapng();
        final Pipe pipe = Pipe.open();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread writer = new Thread(() -> {
            try (Pipe.SinkChannel sink = pipe.sink()) {
                for (int at = 0; at < capture.length; at += 333) {
                    sink.write(ByteBuffer.wrap(capture, at, Math.min(333, capture.length - at)));
                    Thread.sleep(0, 1000);
                }
            } catch (final Exception e) {
                failure.set(e);
            }
        });
        writer.start();
        final PcapStreamSource source = new PcapStreamSource(pipe.source(), "pipe");
        final Frames frames = Frames.drain(source, 5);
        writer.join();
        source.close();
        assertEquals(null, failure.get());
        assertSameFrames(fromFile(capture), frames);
    }

    @Test
    void byteArrayInputStreamChannel() throws IOException {
        final byte[] capture = pcap(10);
        final PcapStreamSource source = new PcapStreamSource(Channels.newChannel(new ByteArrayInputStream(capture)), "bytes");
        assertSameFrames(fromFile(capture), Frames.drain(source, 3));
        assertEquals("bytes", source.description());
    }

    @Test
    void recordLargerThanTheBufferIsDamage() {
        final byte[] capture = pcap(3);
        final PcapStreamSource source = new PcapStreamSource(new TrickleChannel(capture, 50, false), "stdin", 64);
        final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 10));
        assertEquals("stdin: record 1 at byte 24 needs " + (16 + frame(0).length)
            + " bytes, more than the 64-byte read buffer holds", e.getMessage());
    }

    @Test
    void truncatedStreamDeliversGoodFramesThenSaysWhere() {
        final byte[] whole = pcap(5);
        final byte[] cut = Arrays.copyOf(whole, whole.length - 7);
        final PcapStreamSource source = new PcapStreamSource(new TrickleChannel(cut, 17, false), "stdin", 256);
        final Frames frames = new Frames();
        int delivered = 0;
        CaptureFileException failure = null;
        try {
            int n;
            while ((n = source.poll(frames, 2)) >= 0) {
                delivered += n;
            }
        } catch (final CaptureFileException e) {
            failure = e;
        }
        assertEquals(4, delivered);
        assertEquals(4, frames.size());
        final int recordLength = 16 + frame(0).length;
        assertEquals("stdin: record 5 at byte " + (24 + 4 * recordLength) + " is cut short: header says " + frame(4).length
            + " bytes, " + (frame(4).length - 7) + " remain (the file was probably still being written)",
            failure == null ? null : failure.getMessage());
    }

    @Test
    void notACaptureStream() {
        final PcapStreamSource source = new PcapStreamSource(
            Channels.newChannel(new ByteArrayInputStream("GET / HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))),
            "stdin");
        final CaptureFileException e = assertThrows(CaptureFileException.class, () -> source.poll(new Frames(), 1));
        assertTrue(e.getMessage().startsWith("stdin is not a pcap or pcapng file: it starts with 47 45 54 20"), e.getMessage());
        final PcapStreamSource empty = new PcapStreamSource(Channels.newChannel(new ByteArrayInputStream(new byte[0])), "stdin");
        assertEquals("stdin is empty: not a pcap or pcapng file",
            assertThrows(CaptureFileException.class, () -> empty.poll(new Frames(), 1)).getMessage());
    }
}
