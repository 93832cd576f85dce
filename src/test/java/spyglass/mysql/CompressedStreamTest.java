package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.testing.MysqlWire.command;
import static spyglass.testing.MysqlWire.concat;
import static spyglass.testing.MysqlWire.packet;
import static spyglass.testing.MysqlWire.query;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.mysql.CompressedStream.Algorithm;
import spyglass.mysql.CompressedStream.State;

class CompressedStreamTest {
    /** Records the ordinary stream handed down, and each call's timestamps. */
    static final class Collector implements CompressedStream.PlainListener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final StringBuilder times = new StringBuilder();
        int calls;

        @Override
        public void onPlain(final DirectBuffer buffer, final int offset, final int length, final long first, final long last) {
            final byte[] b = new byte[length];
            buffer.getBytes(offset, b);
            bytes.writeBytes(b);
            times.append(first).append('-').append(last).append(' ');
            calls++;
        }

        byte[] take() {
            final byte[] b = bytes.toByteArray();
            bytes.reset();
            return b;
        }
    }

    // ---- builders of compressed packets, from the documented header layout ----

    static byte[] header(final int wireLength, final int sequence, final int plainLength) {
        return new byte[] {(byte) wireLength, (byte) (wireLength >> 8), (byte) (wireLength >> 16), (byte) sequence,
            (byte) plainLength, (byte) (plainLength >> 8), (byte) (plainLength >> 16)};
    }

    static byte[] raw(final int sequence, final byte[] plain) {
        return concat(header(plain.length, sequence, 0), plain);
    }

    static byte[] deflate(final byte[] plain) {
        final Deflater d = new Deflater(Deflater.BEST_SPEED);
        d.setInput(plain);
        d.finish();
        final byte[] out = new byte[plain.length + plain.length / 100 + 64];
        int n = 0;
        while (!d.finished()) {
            n += d.deflate(out, n, out.length - n);
        }
        d.end();
        return Arrays.copyOf(out, n);
    }

    static byte[] zstd(final byte[] plain) {
        final ZstdCompressor c = new ZstdCompressor();
        final byte[] out = new byte[c.maxCompressedLength(plain.length)];
        final int n = c.compress(plain, 0, plain.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }

    static byte[] zlibPacket(final int sequence, final byte[] plain) {
        final byte[] z = deflate(plain);
        return concat(header(z.length, sequence, plain.length), z);
    }

    static byte[] zstdPacket(final int sequence, final byte[] plain) {
        final byte[] z = zstd(plain);
        return concat(header(z.length, sequence, plain.length), z);
    }

    static byte[] compressedPacket(final Algorithm algorithm, final int sequence, final byte[] plain) {
        return algorithm == Algorithm.ZSTD ? zstdPacket(sequence, plain) : zlibPacket(sequence, plain);
    }

    static byte[] hex(final String s) {
        final String t = s.replaceAll("\\s+", "");
        final byte[] b = new byte[t.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(t.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] repeat(final int n, final int seed) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ("SELECT abc FROM t WHERE x = ".charAt((i + seed) % 28));
        }
        return b;
    }

    static UnsafeBuffer offHeap(final byte[] b) {
        final ByteBuffer d = ByteBuffer.allocateDirect(b.length);
        d.put(b).flip();
        return new UnsafeBuffer(d);
    }

    static void feedInChunks(final CompressedStream s, final DirectBuffer wire, final int length, final int[] sizes) {
        int off = 0;
        int i = 0;
        while (off < length) {
            final int n = Math.min(sizes[i++ % sizes.length], length - off);
            s.feed(wire, off, n, 1000 + off);
            off += n;
        }
    }

    // ---- the documentation's own examples (MySQL internals, "Compressed Packet") ----

    @Test
    void selectOneSentUncompressedBuiltByHandFromTheDocumentation() {
        final byte[] wire = {
            0x0d, 0x00, 0x00, // length of compressed payload: 13 = 20 - 7
            0x00, // compressed sequence id
            0x00, 0x00, 0x00, // length of payload before compression: 0 = sent as is
            0x09, 0x00, 0x00, // the ordinary packet: payload length 9
            0x00, // its sequence id
            0x03, // COM_QUERY
            'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'};
        assertArrayEquals(hex("0d 00 00 00 00 00 00 09 00 00 00 03 53 45 4c 45 43 54 20 31"), wire);
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
        s.feed(new UnsafeBuffer(wire), 0, wire.length, 42);
        assertArrayEquals(Arrays.copyOfRange(wire, 7, 20), c.take());
        assertEquals("42-42 ", c.times.toString());
        assertEquals(0, s.lastSequence());
        assertEquals(1, s.packets());
        assertTrue(s.atPacketBoundary());
        assertTrue(s.looksCompressed(new UnsafeBuffer(wire), 0, wire.length));
    }

    static final byte[] DOC_ONE_PACKET_ZLIB = hex("""
        22 00 00 00 32 00 00 78 9c d3 63 60 60 60 2e 4e
        cd 49 4d 2e 51 50 32 30 34 32 36 31 35 33 b7 b0
        c4 cd 52 02 00 0c d1 0a 6c""");

    static final byte[] DOC_FIVE_PACKETS_ZLIB = hex("""
        4a 00 00 01 77 00 00 78 9c 63 64 60 60 64 54 65
        60 60 62 4e 49 4d 63 60 60 e0 2f 4a 2d 48 4d 2c
        d1 50 4a 54 d2 51 30 35 d0 64 e0 e1 60 30 02 8a
        ff 65 64 90 67 60 60 65 60 60 fe 07 54 cc 60 cc
        c0 c0 62 94 48 32 00 ea 67 05 eb 07 00 8d f9 1c
        64""");

    @Test
    void inflatesTheDocumentedZlibExampleOfOneQuery() {
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
        s.feed(new UnsafeBuffer(DOC_ONE_PACKET_ZLIB), 0, DOC_ONE_PACKET_ZLIB.length, 1);
        final byte[] expected = concat(hex("2e 00 00 00 03"),
            "select \"012345678901234567890123456789012345\"".getBytes(StandardCharsets.US_ASCII));
        assertEquals(50, expected.length);
        assertArrayEquals(expected, c.take());
        assertEquals(0, s.malformed());
    }

    @Test
    void inflatesTheDocumentedZlibExampleOfAResultSetInFivePackets() {
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
        s.feed(new UnsafeBuffer(DOC_FIVE_PACKETS_ZLIB), 0, DOC_FIVE_PACKETS_ZLIB.length, 1);
        final byte[] a50 = new byte[50];
        Arrays.fill(a50, (byte) 'a');
        final byte[] expected = concat(
            hex("01 00 00 01 01"),
            hex("25 00 00 02 03 64 65 66 00 00 00 0f 72 65 70 65 61 74 28 22 61 22 2c 20 35 30 29 00 0c 08 00 32"
                + " 00 00 00 fd 01 00 1f 00 00"),
            hex("05 00 00 03 fe 00 00 02 00"),
            hex("33 00 00 04 32"), a50,
            hex("05 00 00 05 fe 00 00 02 00"));
        assertEquals(0x77, expected.length);
        assertArrayEquals(expected, c.take());
        assertEquals(1, s.lastSequence());
        // a server's response in five packets, sequence 1: not a client command
        assertFalse(s.looksCompressed(new UnsafeBuffer(DOC_FIVE_PACKETS_ZLIB), 0, DOC_FIVE_PACKETS_ZLIB.length));
    }

    // ---- a conversation, split every way ----

    /** The ordinary stream of a conversation, and its compressed packets cut at awkward places. */
    static final class Talk {
        final byte[] plain;
        final byte[] wire;

        Talk(final Algorithm algorithm) {
            final byte[] q1 = packet(0, query("SELECT a, b, c FROM orders WHERE id = 1 AND status = 'open'"));
            final byte[] big = packet(0, query("INSERT INTO t VALUES " + new String(repeat(3000, 3), StandardCharsets.US_ASCII)));
            final byte[] ping = packet(0, command(0x0e, ""));
            final byte[] q2 = packet(0, query("SELECT 1"));
            final byte[] q3 = packet(0, query("SELECT " + new String(repeat(200, 5), StandardCharsets.US_ASCII)));
            plain = concat(q1, big, ping, q2, q3);
            final int cut = q1.length + 1000; // inside the INSERT
            wire = concat(
                compressedPacket(algorithm, 0, Arrays.copyOfRange(plain, 0, cut)), // q1 whole, INSERT's head
                compressedPacket(algorithm, 1, Arrays.copyOfRange(plain, cut, q1.length + big.length)), // its tail
                raw(0, ping), // short: sent as is
                compressedPacket(algorithm, 0, concat(q2, q3)), // two packets in one
                raw(0, new byte[0])); // an empty compressed packet, as is
        }
    }

    @Test
    void everySplitGivesTheSameStreamWithZlib() {
        everySplitGivesTheSameStream(Algorithm.ZLIB);
    }

    @Test
    void everySplitGivesTheSameStreamWithZstd() {
        everySplitGivesTheSameStream(Algorithm.ZSTD);
    }

    private void everySplitGivesTheSameStream(final Algorithm algorithm) {
        final Talk talk = new Talk(algorithm);
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(algorithm, c);
        final UnsafeBuffer heap = new UnsafeBuffer(talk.wire);
        final UnsafeBuffer direct = offHeap(talk.wire);
        final int[][] splits = {{talk.wire.length}, {1}, {2}, {3}, {7}, {6, 1}, {8, 5, 13}};
        for (final UnsafeBuffer wire : new UnsafeBuffer[] {heap, direct}) {
            for (final int[] sizes : splits) {
                feedInChunks(s, wire, talk.wire.length, sizes);
                assertArrayEquals(talk.plain, c.take(), "chunks " + Arrays.toString(sizes));
                assertTrue(s.atPacketBoundary());
            }
            final Random random = new Random(5);
            for (int round = 0; round < 50; round++) {
                final int[] sizes = new int[64];
                for (int i = 0; i < sizes.length; i++) {
                    sizes[i] = 1 + random.nextInt(round % 2 == 0 ? 16 : 700);
                }
                feedInChunks(s, wire, talk.wire.length, sizes);
                assertArrayEquals(talk.plain, c.take(), "random chunks, round " + round);
            }
        }
        assertEquals(0, s.malformed());
        assertEquals((2 * 7 + 2 * 50) * 5L, s.packets());
        assertEquals(0, s.lastSequence());
    }

    @Test
    void theFramerDownstreamSeesWholePacketsAcrossAndWithinCompressedPackets() {
        final Talk talk = new Talk(Algorithm.ZLIB);
        final PacketFramer framer = new PacketFramer(64 * 1024);
        final StringBuilder seen = new StringBuilder();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, (buf, offset, length, first, last) -> {
            int p = offset;
            while (p < offset + length) {
                p += framer.feed(buf, p, offset + length - p, last);
                if (framer.complete()) {
                    seen.append(framer.firstSequence()).append(':').append(framer.firstByte()).append(':')
                        .append(framer.payloadLength()).append(' ');
                    framer.next();
                }
            }
        });
        feedInChunks(s, new UnsafeBuffer(talk.wire), talk.wire.length, new int[] {100});
        // q1, the INSERT spanning two compressed packets, ping (as is), then q2 and q3 from one packet
        final int q1 = query("SELECT a, b, c FROM orders WHERE id = 1 AND status = 'open'").length;
        final int insert = 1 + "INSERT INTO t VALUES ".length() + 3000;
        assertEquals("0:3:" + q1 + " 0:3:" + insert + " 0:14:1 0:3:9 0:3:208 ", seen.toString());
    }

    @Test
    void oneOrdinaryPacketSpanningTwoCompressedPacketsComesOutWhole() {
        final byte[] ordinary = packet(0, query("SELECT 'a long enough statement' FROM dual"));
        final int cut = 11;
        for (final Algorithm algorithm : Algorithm.values()) {
            final byte[] wire = concat(compressedPacket(algorithm, 0, Arrays.copyOf(ordinary, cut)),
                compressedPacket(algorithm, 1, Arrays.copyOfRange(ordinary, cut, ordinary.length)));
            final Collector c = new Collector();
            final CompressedStream s = new CompressedStream(algorithm, c);
            s.feed(new UnsafeBuffer(wire), 0, wire.length, 7);
            assertArrayEquals(ordinary, c.take());
            assertEquals(2, c.calls); // one per compressed packet
            assertEquals(1, s.lastSequence());
        }
    }

    @Test
    void severalOrdinaryPacketsInOneCompressedPacketComeOutInOneCall() {
        final byte[] plain = concat(packet(1, new byte[] {1}), packet(2, "abcdef".getBytes(StandardCharsets.US_ASCII)),
            packet(3, new byte[] {(byte) 0xfe, 0, 0, 2, 0}));
        for (final Algorithm algorithm : Algorithm.values()) {
            final byte[] wire = compressedPacket(algorithm, 3, plain);
            final Collector c = new Collector();
            final CompressedStream s = new CompressedStream(algorithm, c);
            s.feed(new UnsafeBuffer(wire), 0, wire.length, 7);
            assertArrayEquals(plain, c.take());
            assertEquals(1, c.calls);
            assertEquals(3, s.lastSequence());
        }
    }

    @Test
    void timestampsSpanTheChunksOfACompressedPacketWhateverTheirOrder() {
        final byte[] wire = zlibPacket(0, packet(0, query("SELECT x FROM y WHERE z = 1")));
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
        final UnsafeBuffer b = new UnsafeBuffer(wire);
        s.feed(b, 0, 3, 30); // header split
        s.feed(b, 3, 10, 10); // held back by reassembly: earlier
        s.feed(b, 13, wire.length - 13, 20);
        assertEquals("10-30 ", c.times.toString());
        // as is: each piece goes down with its own chunk's time
        final byte[] rawWire = raw(0, packet(0, query("SELECT 1")));
        final UnsafeBuffer r = new UnsafeBuffer(rawWire);
        c.times.setLength(0);
        s.feed(r, 0, 10, 40);
        s.feed(r, 10, rawWire.length - 10, 50);
        assertEquals("40-40 50-50 ", c.times.toString());
    }

    @Test
    void sequenceIdsAreReportedNotChecked() {
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
        assertEquals(-1, s.lastSequence());
        final byte[] wire = concat(raw(0, packet(0, query("SELECT 1"))), raw(5, packet(0, query("SELECT 2"))),
            raw(200, packet(0, query("SELECT 3"))));
        s.feed(new UnsafeBuffer(wire), 0, wire.length, 1);
        assertEquals(200, s.lastSequence());
        assertEquals(3, s.packets());
        assertEquals(0, s.malformed());
        assertFalse(s.outOfStep());
    }

    // ---- malformed input ----

    @Test
    void aCorruptZlibPayloadIsCountedAndDropsUntilReset() {
        final byte[] good = zlibPacket(0, packet(0, query("SELECT a FROM b WHERE c = 'd' AND e = 'f'")));
        final byte[] bad = good.clone();
        bad[bad.length - 1] ^= 0x55; // the Adler-32 trailer no longer matches
        final byte[] notZlib = concat(header(4, 0, 20), new byte[] {0, 1, 2, 3});
        for (final byte[] broken : new byte[][] {bad, notZlib}) {
            final Collector c = new Collector();
            final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
            final byte[] wire = concat(broken, good);
            s.feed(new UnsafeBuffer(wire), 0, wire.length, 1);
            assertEquals(1, s.malformed());
            assertTrue(s.outOfStep());
            assertEquals(State.OUT_OF_STEP, s.state());
            assertEquals(0, c.take().length);
            assertEquals(good.length, s.droppedBytes());
            s.reset();
            assertEquals(State.HEADER, s.state());
            s.feed(new UnsafeBuffer(good), 0, good.length, 2);
            assertArrayEquals(packet(0, query("SELECT a FROM b WHERE c = 'd' AND e = 'f'")), c.take());
            assertFalse(s.outOfStep());
            assertEquals(1, s.malformed());
        }
    }

    @Test
    void aCorruptZstdPayloadIsCounted() {
        final byte[] plain = packet(0, query("SELECT a FROM b WHERE c = 'd' AND e = 'f'"));
        final byte[] bad = zstdPacket(0, plain);
        for (int i = 7 + 4; i < bad.length; i++) {
            bad[i] = (byte) 0xff; // the frame header and blocks: garbage
        }
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZSTD, c);
        s.feed(new UnsafeBuffer(bad), 0, bad.length, 1);
        assertEquals(1, s.malformed());
        assertTrue(s.outOfStep());
        s.reset();
        final byte[] good = zstdPacket(1, plain);
        s.feed(new UnsafeBuffer(good), 0, good.length, 2);
        assertArrayEquals(plain, c.take());
    }

    @Test
    void anUncompressedLengthOtherThanTheHeaderSaysIsCounted() {
        final byte[] plain = packet(0, query("SELECT a FROM b WHERE c = 'd' AND e = 'f'"));
        for (final Algorithm algorithm : Algorithm.values()) {
            final byte[] z = algorithm == Algorithm.ZSTD ? zstd(plain) : deflate(plain);
            for (final int claimed : new int[] {plain.length - 1, plain.length + 1, plain.length + 1000}) {
                final Collector c = new Collector();
                final CompressedStream s = new CompressedStream(algorithm, c);
                final byte[] wire = concat(header(z.length, 0, claimed), z);
                // split too, so the gathered path is checked as well as the in-place one
                s.feed(new UnsafeBuffer(wire), 0, 9, 1);
                s.feed(new UnsafeBuffer(wire), 9, wire.length - 9, 1);
                assertEquals(1, s.malformed(), algorithm + " claimed " + claimed);
                assertTrue(s.outOfStep());
                assertEquals(0, c.take().length);
                s.reset();
                final byte[] right = concat(header(z.length, 0, plain.length), z);
                s.feed(new UnsafeBuffer(right), 0, right.length, 1);
                assertArrayEquals(plain, c.take());
            }
        }
    }

    @Test
    void compressedPayloadOfZeroBytesThatClaimsContentIsMalformed() {
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
        final byte[] wire = header(0, 0, 10);
        s.feed(new UnsafeBuffer(wire), 0, wire.length, 1);
        assertTrue(s.outOfStep());
        assertEquals(1, s.malformed());
    }

    @Test
    void lengthsOverTheCapAreMalformed() {
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c, 1000);
        s.feed(new UnsafeBuffer(header(1001, 0, 0)), 0, 7, 1);
        assertTrue(s.outOfStep());
        s.reset();
        s.feed(new UnsafeBuffer(header(10, 0, 1001)), 0, 7, 1);
        assertTrue(s.outOfStep());
        assertEquals(2, s.malformed());
        s.reset();
        final byte[] plain = repeat(1000, 1);
        final byte[] ok = concat(zlibPacket(0, plain), raw(1, plain));
        s.feed(new UnsafeBuffer(ok), 0, ok.length, 1);
        assertArrayEquals(concat(plain, plain), c.take());
        assertEquals(2, s.malformed());
        assertTrue(s.bufferBytes() <= 2 * 1001, "buffers " + s.bufferBytes());
    }

    @Test
    void sixteenMegabytePayloadsEitherWayPassAndBuffersStayWithinTheCap() {
        final byte[] plain = repeat(CompressedStream.MAX_PAYLOAD, 7);
        for (int i = 0; i < plain.length; i += 4099) {
            plain[i] = (byte) i;
        }
        final long[] total = new long[1];
        final long[] checksum = new long[1];
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, (buf, off, len, first, last) -> {
            for (int i = 0; i < len; i++) {
                checksum[0] = checksum[0] * 31 + buf.getByte(off + i);
            }
            total[0] += len;
        });
        long expected = 0;
        for (final byte b : plain) {
            expected = expected * 31 + b;
        }
        final byte[] z = zlibPacket(0, plain);
        final byte[] r = raw(1, plain);
        assertEquals(CompressedStream.MAX_PAYLOAD + 7, r.length);
        feedInChunks(s, new UnsafeBuffer(z), z.length, new int[] {65536});
        assertEquals(CompressedStream.MAX_PAYLOAD, total[0]);
        assertEquals(expected, checksum[0]);
        checksum[0] = 0;
        feedInChunks(s, new UnsafeBuffer(r), r.length, new int[] {65536});
        assertEquals(2L * CompressedStream.MAX_PAYLOAD, total[0]);
        assertEquals(expected, checksum[0]);
        assertEquals(0, s.malformed());
        assertTrue(s.bufferBytes() <= 2L * (CompressedStream.MAX_PAYLOAD + 1), "buffers " + s.bufferBytes());
    }

    // ---- looksCompressed: the mid-stream check ----

    @Test
    void looksCompressedAcceptsOneWholeCompressedClientCommand() {
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, new Collector());
        final byte[] select1 = hex("0d 00 00 00 00 00 00 09 00 00 00 03 53 45 4c 45 43 54 20 31");
        assertTrue(s.looksCompressed(new UnsafeBuffer(select1), 0, select1.length));
        assertTrue(s.looksCompressed(offHeap(select1), 0, select1.length));
        assertTrue(s.looksCompressed(new UnsafeBuffer(DOC_ONE_PACKET_ZLIB), 0, DOC_ONE_PACKET_ZLIB.length));
        assertTrue(s.looksCompressed(offHeap(DOC_ONE_PACKET_ZLIB), 0, DOC_ONE_PACKET_ZLIB.length));
        // zstd is told by its magic whatever the layer is set to
        final byte[] ping = zstdPacket(0, packet(0, new byte[] {0x0e}));
        assertTrue(s.looksCompressed(new UnsafeBuffer(ping), 0, ping.length));
        final byte[] execute = zlibPacket(0, packet(0, concat(new byte[] {0x17, 1, 0, 0, 0, 0, 1, 0, 0, 0}, repeat(60, 0))));
        assertTrue(s.looksCompressed(new UnsafeBuffer(execute), 0, execute.length));
        final byte[] bulk = raw(0, packet(0, new byte[] {(byte) 0xfa, 1, 0, 0, 0}));
        assertTrue(s.looksCompressed(new UnsafeBuffer(bulk), 0, bulk.length));
        // at an offset inside a larger buffer
        final byte[] padded = concat(new byte[] {9, 9, 9}, select1, new byte[] {9});
        assertTrue(s.looksCompressed(new UnsafeBuffer(padded), 3, select1.length));
        assertEquals(0, s.malformed());
        assertEquals(0, s.packets());
    }

    @Test
    void looksCompressedRejectsEverythingElse() {
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, new Collector());
        final byte[] select1 = hex("0d 00 00 00 00 00 00 09 00 00 00 03 53 45 4c 45 43 54 20 31");
        final byte[] ordinary = packet(0, query("SELECT 1"));
        final byte[][] no = {
            ordinary, // an uncompressed command: its length is 4 + header length, never 7 +
            packet(0, query("SELECT 1 FROM a_table_name_long_enough")),
            concat(select1, new byte[] {0}), // a byte too many
            Arrays.copyOf(select1, select1.length - 1), // a byte short
            concat(select1, select1), // two packets
            raw(0, packet(1, query("SELECT 1"))), // ordinary sequence 1
            raw(0, packet(0, new byte[] {0x00})), // COM_SLEEP: never sent by clients
            raw(0, packet(0, new byte[] {0x20, 1, 2})), // past the command range
            raw(0, packet(0, new byte[] {(byte) 0xff, 1, 2})),
            raw(0, concat(packet(0, query("SELECT 1")), packet(0, query("SELECT 2")))), // two commands
            raw(0, Arrays.copyOf(packet(0, query("SELECT 1")), 10)), // a cut command
            raw(0, new byte[] {1, 0, 0}), // too short for a packet
            zlibPacket(0, packet(0, new byte[] {0x0e, 0})).clone(), // see below: made wrong
            concat(header(7, 0, 60), Arrays.copyOfRange(DOC_ONE_PACKET_ZLIB, 7, 14)), // cut zlib
            concat(header(34, 0, 49), Arrays.copyOfRange(DOC_ONE_PACKET_ZLIB, 7, 41)), // length off by one
            DOC_FIVE_PACKETS_ZLIB, // a server response
            new byte[0],
            new byte[] {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e}};
        final byte[] wrongCommand = no[12];
        wrongCommand[wrongCommand.length - 1] ^= 0x11; // corrupt trailer
        for (int i = 0; i < no.length; i++) {
            assertFalse(s.looksCompressed(new UnsafeBuffer(no[i]), 0, no[i].length), "case " + i);
        }
        assertFalse(s.looksCompressed(new UnsafeBuffer(select1), 0, 12)); // the chunk cut short
        assertEquals(0, s.malformed());
    }

    @Test
    void looksCompressedLeavesAPayloadBeingGatheredAlone() {
        final byte[] plain = packet(0, query("SELECT " + new String(repeat(500, 2), StandardCharsets.US_ASCII)));
        final byte[] wire = zlibPacket(0, plain);
        final Collector c = new Collector();
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, c);
        final UnsafeBuffer direct = offHeap(wire);
        s.feed(direct, 0, 20, 1);
        assertEquals(State.COMPRESSED_PAYLOAD, s.state());
        assertTrue(s.looksCompressed(new UnsafeBuffer(DOC_ONE_PACKET_ZLIB), 0, DOC_ONE_PACKET_ZLIB.length));
        assertFalse(s.looksCompressed(offHeap(DOC_ONE_PACKET_ZLIB), 0, DOC_ONE_PACKET_ZLIB.length)); // would clobber it
        s.feed(direct, 20, wire.length - 20, 2);
        assertArrayEquals(plain, c.take());
    }

    // ---- no allocation once warm ----

    @Test
    void zlibAndUncompressedPayloadsDoNotAllocateOnceWarm() {
        final UnsafeBuffer zlib = new UnsafeBuffer(zlibPacket(0, ALLOCATION_PLAIN));
        final UnsafeBuffer zlibDirect = offHeap(zlibPacket(1, ALLOCATION_PLAIN));
        final UnsafeBuffer raw = new UnsafeBuffer(raw(0, ALLOCATION_PLAIN));
        final CompressedStream s = new CompressedStream(Algorithm.ZLIB, SINK);
        final long[] ts = {0};
        final Runnable round = () -> {
            s.feed(zlib, 0, zlib.capacity(), ts[0]++); // inflated in place
            s.feed(zlibDirect, 0, 5, ts[0]++); // off heap and split inside the header: gathered
            s.feed(zlibDirect, 5, zlibDirect.capacity() - 5, ts[0]++);
            s.feed(raw, 0, 30, ts[0]++); // as is, in two pieces
            s.feed(raw, 30, raw.capacity() - 30, ts[0]++);
        };
        final long packets = 3L * MEASURED;
        final long allocated = allocatedAfterWarmUp(round);
        assertTrue(allocated < packets, "allocated " + allocated + " bytes for " + packets + " compressed packets");
        assertEquals(0, s.malformed());
        assertEquals(3L * (WARM_UP + MEASURED), s.packets());
    }

    /**
     * aircompressor's zstd frame decoder makes a few short-lived objects per frame and block
     * (FrameHeader, BitInputStream.Loader: about 48 bytes, seen with JFR) that C2 does not scalar
     * replace. This layer adds none: its own buffers are 1 KiB at least, so growing one per packet
     * would break this bound many times over.
     */
    @Test
    void zstdPayloadsAllocateOnlyWhatTheDecoderItselfMakes() {
        final UnsafeBuffer zstd = new UnsafeBuffer(zstdPacket(0, ALLOCATION_PLAIN));
        final CompressedStream s = new CompressedStream(Algorithm.ZSTD, SINK);
        final long[] ts = {0};
        final Runnable round = () -> {
            s.feed(zstd, 0, zstd.capacity(), ts[0]++); // in place
            s.feed(zstd, 0, 20, ts[0]++); // gathered
            s.feed(zstd, 20, zstd.capacity() - 20, ts[0]++);
        };
        final long packets = 2L * MEASURED;
        final long allocated = allocatedAfterWarmUp(round);
        assertTrue(allocated < 256 * packets, "allocated " + allocated + " bytes for " + packets + " zstd packets");
        assertEquals(0, s.malformed());
    }

    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 5_000;
    private static final byte[] ALLOCATION_PLAIN = concat(
        packet(0, query("SELECT a, b, c FROM orders WHERE id = 42 AND s = 'x' LIMIT 10")),
        packet(0, query("UPDATE t SET a = a + 1 WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)")));
    private static final long[] SUM = new long[1];
    private static final CompressedStream.PlainListener SINK = (buf, off, len, first, last) -> SUM[0] += len + buf.getByte(off);

    private static long allocatedAfterWarmUp(final Runnable round) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < WARM_UP; i++) {
            round.run();
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            round.run();
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
