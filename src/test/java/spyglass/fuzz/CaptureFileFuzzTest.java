package spyglass.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.DirectBuffer;
import spyglass.source.CaptureFileException;
import spyglass.source.PacketSource;
import spyglass.source.PcapFileSource;
import spyglass.source.PcapStreamSource;

/**
 * {@link PcapFileSource} and {@link PcapStreamSource} over arbitrary bytes: only
 * {@link CaptureFileException} may escape, every frame lies inside the input, and both sources
 * deliver the same frames.
 *
 * <p>Input: byte 0 picks a header put in front of the rest so the fuzzer starts past the magic
 * (0 none, 1 pcap little-endian microseconds, 2 pcap big-endian nanoseconds, 3 pcapng little-endian
 * SHB + IDB, 4 the same big-endian); byte 1 the link type of that header; byte 2 the poll limit
 * (1..8); the rest is the body.
 */
class CaptureFileFuzzTest {
    static final int STREAM_BUFFER = 4096;
    private static final int HEADER_KINDS = 5;
    private static final Path FILE;

    static {
        try {
            final Path dir = Files.createTempDirectory("spyglass-fuzz");
            dir.toFile().deleteOnExit();
            FILE = dir.resolve("input.pcap");
            FILE.toFile().deleteOnExit();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One delivered frame, as far as the caller can see it. */
    record Frame(int capturedLength, int originalLength, long timestampNanos, int linkType, byte[] bytes) {
        @Override
        public boolean equals(final Object o) {
            return o instanceof Frame f && f.capturedLength == capturedLength && f.originalLength == originalLength
                && f.timestampNanos == timestampNanos && f.linkType == linkType && Arrays.equals(f.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Frame[" + capturedLength + "/" + originalLength + " ts " + timestampNanos + " link " + linkType + "]";
        }
    }

    record Outcome(List<Frame> frames, CaptureFileException failure, long malformed) {
    }

    @FuzzTest(maxDuration = "3m")
    void read(final byte[] data) throws IOException {
        final FuzzInput in = new FuzzInput(data);
        final int kind = in.u8() % HEADER_KINDS;
        final int linkType = PacketDecoderFuzzTest.LINK_TYPES[in.u8() % PacketDecoderFuzzTest.LINK_TYPES.length];
        final int limit = 1 + in.u8() % 8;
        final byte[] file = concat(header(kind, linkType), in.rest());

        Files.write(FILE, file);
        final Outcome fromFile = readFile(file, limit);
        final Outcome fromStream = readStream(file, limit);

        final List<Frame> f = fromFile.frames;
        final List<Frame> s = fromStream.frames;
        assertTrue(s.size() <= f.size() && s.equals(f.subList(0, s.size())),
            "the stream's frames " + s + " are not the file's " + f + " (or their beginning)");
        if (fromStream.failure == null) {
            assertEquals(null, fromFile.failure, "the file failed where the stream did not");
            assertEquals(f, s);
            assertEquals(fromFile.malformed, fromStream.malformed);
        }
        if (fromFile.failure != null) {
            assertTrue(fromStream.failure != null, "the stream read to the end what the file failed on: "
                + fromFile.failure.getMessage());
        }
    }

    private static Outcome readFile(final byte[] file, final int limit) {
        final List<Frame> frames = new ArrayList<>();
        final PcapFileSource source;
        try {
            source = new PcapFileSource(FILE);
        } catch (final CaptureFileException e) {
            return new Outcome(frames, e, 0);
        }
        try (source) {
            final Outcome outcome = drain(source, limit, frames, (frame, offset, length) -> {
                // The file source hands out a view of the mapping from the current record to the end of the file.
                final long fileOffset = file.length - (long) frame.capacity() + offset;
                assertTrue(fileOffset >= 0 && fileOffset + length <= file.length,
                    "frame at file offset " + fileOffset + "+" + length + " outside the " + file.length + "-byte file");
                final byte[] got = new byte[length];
                frame.getBytes(offset, got);
                assertArrayEquals(Arrays.copyOfRange(file, (int) fileOffset, (int) fileOffset + length), got,
                    "frame bytes differ from the file's at offset " + fileOffset);
            });
            assertTrue(source.position() >= 0 && source.position() <= source.size());
            return outcome;
        }
    }

    private static Outcome readStream(final byte[] file, final int limit) {
        final List<Frame> frames = new ArrayList<>();
        try (PcapStreamSource source = new PcapStreamSource(Channels.newChannel(new ByteArrayInputStream(file)),
            "fuzz-stream", STREAM_BUFFER)) {
            final Outcome outcome = drain(source, limit, frames, (frame, offset, length) -> { });
            assertTrue(source.position() >= 0 && source.position() <= file.length);
            return outcome;
        }
    }

    private interface FrameCheck {
        void check(DirectBuffer frame, int offset, int capturedLength);
    }

    private static Outcome drain(final PacketSource source, final int limit, final List<Frame> frames,
                                 final FrameCheck check) {
        int idle = 0;
        try {
            while (true) {
                final int before = frames.size();
                final int n = source.poll((frame, offset, capturedLength, originalLength, ts, linkType) -> {
                    assertTrue(offset >= 0 && capturedLength >= 0 && (long) offset + capturedLength <= frame.capacity(),
                        "frame [" + offset + ", +" + capturedLength + ") outside its " + frame.capacity() + "-byte buffer");
                    assertTrue(originalLength >= capturedLength, "original length " + originalLength + " < captured "
                        + capturedLength);
                    check.check(frame, offset, capturedLength);
                    final byte[] bytes = new byte[capturedLength];
                    frame.getBytes(offset, bytes);
                    frames.add(new Frame(capturedLength, originalLength, ts, linkType, bytes));
                }, limit);
                if (n < 0) {
                    assertEquals(before, frames.size());
                    assertEquals(-1, source.poll((f, o, c, w, t, l) -> fail("frame after the end"), limit));
                    return new Outcome(frames, null, source.malformedFrames());
                }
                assertTrue(n <= limit, "poll delivered " + n + " frames, limit " + limit);
                assertEquals(n, frames.size() - before, "poll's count differs from the frames it delivered");
                idle = n == 0 ? idle + 1 : 0;
                assertTrue(idle < 1000, "no progress: poll keeps returning 0");
            }
        } catch (final CaptureFileException e) {
            // Damage is sticky: the source keeps saying so.
            assertThrows(CaptureFileException.class, () -> source.poll((f, o, c, w, t, l) -> fail("frame after damage"), 1));
            return new Outcome(frames, e, source.malformedFrames());
        }
    }

    // ------------------------------------------------------------------ headers

    static byte[] header(final int kind, final int linkType) {
        return switch (kind) {
            case 1 -> pcapHeader(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, linkType);
            case 2 -> pcapHeader(ByteOrder.BIG_ENDIAN, 0xA1B23C4D, linkType);
            case 3 -> concat(sectionHeader(ByteOrder.LITTLE_ENDIAN), interfaceBlock(ByteOrder.LITTLE_ENDIAN, linkType));
            case 4 -> concat(sectionHeader(ByteOrder.BIG_ENDIAN), interfaceBlock(ByteOrder.BIG_ENDIAN, linkType));
            default -> new byte[0];
        };
    }

    static byte[] pcapHeader(final ByteOrder order, final int magic, final int linkType) {
        return ByteBuffer.allocate(24).order(order).putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0)
            .putInt(0).putInt(262_144).putInt(linkType).array();
    }

    static byte[] sectionHeader(final ByteOrder order) {
        return ByteBuffer.allocate(28).order(order).putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D)
            .putShort((short) 1).putShort((short) 0).putLong(-1L).putInt(28).array();
    }

    static byte[] interfaceBlock(final ByteOrder order, final int linkType) {
        // if_tsresol = 9 (nanoseconds), then opt_endofopt.
        return ByteBuffer.allocate(32).order(order).putInt(1).putInt(32).putShort((short) linkType).putShort((short) 0)
            .putInt(262_144).putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putInt(0)
            .putInt(32).array();
    }

    static byte[] concat(final byte[]... parts) {
        int n = 0;
        for (final byte[] p : parts) {
            n += p.length;
        }
        final byte[] out = new byte[n];
        int at = 0;
        for (final byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
