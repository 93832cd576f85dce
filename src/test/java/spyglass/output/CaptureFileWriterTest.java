package spyglass.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.event.CaptureStats;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.output.CaptureRecordEncoderTest.TS;
import static spyglass.output.CaptureRecordEncoderTest.connection;
import static spyglass.output.CaptureRecordEncoderTest.query;

class CaptureFileWriterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    @TempDir
    Path dir;

    private static List<String> lines(final Path file) throws IOException {
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "only whole lines");
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
    }

    private static void writeSession(final CaptureFileWriter w) {
        final ConnectionInfo c = connection();
        final CaptureStats stats = new CaptureStats();
        stats.packets = 7;
        w.writeCaptureStart("0.1.0", "host", "eth0", "tcp port 3306", TS, "plain");
        w.onConnection(c, TS);
        w.onQuery(query(c));
        w.onQuery(query(c));
        w.writeStats(stats, TS);
        w.onConnectionClose(c, CloseReason.QUIT, TS);
        stats.packets = 9;
        w.writeCaptureEnd(stats, TS);
    }

    @Test
    void newFileIsOwnerOnlyFromTheStartAndHoldsEveryRecord() throws Exception {
        final Path file = dir.resolve("capture.jsonl");
        try (CaptureFileWriter w = CaptureFileWriter.create(file)) {
            assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(file));
            assertEquals(0, Files.size(file));
            writeSession(w);
            assertEquals(0, Files.size(file), "buffered until flush");
            assertEquals(7, w.records());
            assertEquals(1, w.connRecords());
            assertEquals(2, w.queryRecords());
            assertEquals(1, w.connCloseRecords());
            assertEquals(1, w.statsRecords());
            w.flush();
            assertEquals(w.bytesWritten(), Files.size(file));
        }
        assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(file));
        final List<String> lines = lines(file);
        assertEquals(7, lines.size());
        final String[] types = {"capture_start", "conn", "query", "query", "stats", "conn_close", "capture_end"};
        for (int i = 0; i < types.length; i++) {
            final JsonNode n = MAPPER.readTree(lines.get(i));
            assertEquals(types[i], n.get("type").textValue());
        }
        assertEquals(7, MAPPER.readTree(lines.get(4)).get("packets").longValue());
        assertEquals(9, MAPPER.readTree(lines.get(6)).get("packets").longValue());
        assertEquals("quit", MAPPER.readTree(lines.get(5)).get("reason").textValue());
    }

    @Test
    void existingWorldReadableFileIsMadeOwnerOnlyAndTruncated() throws Exception {
        final Path file = dir.resolve("old.jsonl");
        Files.writeString(file, "old content that must go\n".repeat(100));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (CaptureFileWriter w = CaptureFileWriter.create(file)) {
            assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(file));
            assertEquals(0, Files.size(file));
            writeSession(w);
        }
        assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(file));
        assertEquals(7, lines(file).size());
        assertEquals("capture_start", MAPPER.readTree(lines(file).get(0)).get("type").textValue());
    }

    @Test
    void aDeviceIsWrittenButNotChmodded() throws Exception {
        final Path devNull = Path.of("/dev/null");
        final Set<PosixFilePermission> before = Files.getPosixFilePermissions(devNull);
        try (CaptureFileWriter w = CaptureFileWriter.create(devNull)) {
            writeSession(w);
        }
        assertEquals(before, Files.getPosixFilePermissions(devNull));
    }

    /**
     * Run as root in a shared directory, a link planted under the capture file's name must not
     * turn into a truncated or chmodded victim: the writer refuses, and the victim is untouched.
     */
    @Test
    void aSymbolicLinkUnderTheFilesNameIsRefusedAndItsTargetUntouched() throws Exception {
        final Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        final Path link = Files.createSymbolicLink(dir.resolve("capture.jsonl"), victim);
        final UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> CaptureFileWriter.create(link));
        assertEquals("cannot create capture file " + link + ": it is a symbolic link, which spyglass does not write"
            + " through; remove it or choose another name (- writes to standard output)", e.getMessage());
        assertEquals("precious\n", Files.readString(victim));
        assertEquals(PosixFilePermissions.fromString("rw-r--r--"), Files.getPosixFilePermissions(victim));
        // A link to a device is refused the same way.
        final Path toDevice = Files.createSymbolicLink(dir.resolve("device.jsonl"), Path.of("/dev/null"));
        assertThrows(UncheckedIOException.class, () -> CaptureFileWriter.create(toDevice));
    }

    @Test
    void aDirectoryIsRefusedWithWhatItIs() {
        final UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> CaptureFileWriter.create(dir));
        assertTrue(e.getMessage().contains("not a regular file, a FIFO or a character device"), e.getMessage());
    }

    @Test
    void streamOutputGetsWholeLinesAndIsLeftOpen() throws Exception {
        final boolean[] closed = {false};
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        final CaptureFileWriter w = CaptureFileWriter.toStream(bytes);
        writeSession(w);
        assertEquals(0, bytes.size());
        w.flush();
        assertEquals(w.bytesWritten(), bytes.size());
        w.close();
        w.close();
        assertTrue(!closed[0], "stdout is not closed");
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(7, lines.length);
        for (final String line : lines) {
            MAPPER.readTree(line);
        }
        assertThrows(IllegalStateException.class, () -> w.onQuery(query(connection())));
    }

    @Test
    void bufferFillsAndDrainsOnLineBoundariesAndOversizeLinesGoAlone() throws Exception {
        final Path file = dir.resolve("big.jsonl");
        final ConnectionInfo c = connection();
        final QueryEvent small = query(c);
        final QueryEvent huge = new QueryEvent(600 * 1024);
        huge.connection = c;
        huge.command = "query";
        final byte[] big = "insert into t values (?)".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
        huge.sql.putBytes(0, big);
        huge.sqlLength = big.length;
        long expectedBytes = 0;
        try (CaptureFileWriter w = CaptureFileWriter.create(file)) {
            for (int i = 0; i < 3000; i++) {
                w.onQuery(small);
                if (i == 1500) {
                    w.onQuery(huge);
                }
                // whatever has reached the file so far is whole lines
                if (i % 500 == 0) {
                    final byte[] now = Files.readAllBytes(file);
                    assertTrue(now.length == 0 || now[now.length - 1] == '\n', "file ends on a line boundary at " + i);
                }
            }
            expectedBytes = w.bytesWritten();
            assertEquals(3001, w.queryRecords());
        }
        assertEquals(expectedBytes, Files.size(file));
        final List<String> lines = lines(file);
        assertEquals(3001, lines.size());
        assertEquals(big.length, MAPPER.readTree(lines.get(1501)).get("sql").textValue().length());
        for (final String line : lines) {
            assertEquals("query", MAPPER.readTree(line).get("type").textValue());
        }
    }

    @Test
    void preEncodedLinesFromArraysAndOffHeapBuffers() throws Exception {
        final CaptureRecordEncoder enc = new CaptureRecordEncoder();
        enc.encodeQuery(query(connection()));
        final byte[] line = java.util.Arrays.copyOf(enc.buffer(), enc.length());
        final ByteBuffer direct = ByteBuffer.allocateDirect(line.length + 10);
        direct.put(10, line);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (CaptureFileWriter w = CaptureFileWriter.toStream(bytes)) {
            w.writeEncodedLine(line, 0, line.length);
            w.writeEncodedLine(new UnsafeBuffer(direct), 10, line.length);
            w.writeEncodedLine(new UnsafeBuffer(line), 0, line.length);
            assertEquals(3, w.records());
        }
        final String expected = new String(line, StandardCharsets.UTF_8);
        assertEquals(expected + expected + expected, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void ioFailureNamesTheDestination() {
        final CaptureFileWriter full = CaptureFileWriter.create(Path.of("/dev/full"));
        full.onQuery(query(connection()));
        final UncheckedIOException e = assertThrows(UncheckedIOException.class, full::flush);
        assertTrue(e.getMessage().contains("/dev/full"), e.getMessage());
        full.close();

        final CaptureFileWriter broken = CaptureFileWriter.toStream(new OutputStream() {
            @Override
            public void write(final int b) throws IOException {
                throw new IOException("pipe closed");
            }
        }, "<stdout>");
        broken.onQuery(query(connection()));
        final UncheckedIOException s = assertThrows(UncheckedIOException.class, broken::close);
        assertTrue(s.getMessage().contains("<stdout>") && s.getMessage().contains("pipe closed"), s.getMessage());

        final UncheckedIOException missing = assertThrows(UncheckedIOException.class,
            () -> CaptureFileWriter.create(Path.of("/nonexistent-dir-for-spyglass/x.jsonl")));
        assertTrue(missing.getMessage().contains("/nonexistent-dir-for-spyglass/x.jsonl"), missing.getMessage());
    }

    @Test
    void noAllocationPerRecordAfterWarmUp() throws Exception {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final Path file = dir.resolve("alloc.jsonl");
        final ConnectionInfo c = connection();
        final QueryEvent q = query(c);
        q.errorCode = 1213;
        System.arraycopy("40001".getBytes(StandardCharsets.US_ASCII), 0, q.sqlState, 0, 5);
        q.sqlStateLength = 5;
        final CaptureStats stats = new CaptureStats();
        final int records = 100_000;
        try (CaptureFileWriter w = CaptureFileWriter.create(file)) {
            for (int i = 0; i < records; i++) {
                exercise(w, q, c, stats, i);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < records; i++) {
                exercise(w, q, c, stats, i);
            }
            w.flush();
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < records, "allocated " + allocated + " bytes for " + records + " records");
            assertEquals(2L * records, w.queryRecords());
        }
        // not deleted before the JVM exits otherwise: 2 x 100k lines
        Files.delete(file);
    }

    private static void exercise(final CaptureFileWriter w, final QueryEvent q, final ConnectionInfo c, final CaptureStats stats, final int i) {
        q.timestampNanos = TS + i * 1_000L;
        q.rows = i;
        q.latencyNanos = i * 7L;
        q.digest = i * 0x9E3779B97F4A7C15L;
        q.lossy = (i & 1) == 0;
        w.onQuery(q);
        if (i % 1000 == 0) {
            w.onConnection(c, q.timestampNanos);
            w.onConnectionClose(c, CloseReason.FIN, q.timestampNanos);
            stats.queries = i;
            w.writeStats(stats, q.timestampNanos);
        }
    }
}
