package spyglass.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.event.CaptureStats;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.output.CaptureRecordEncoderTest.TS;
import static spyglass.output.CaptureRecordEncoderTest.connection;
import static spyglass.output.CaptureRecordEncoderTest.query;

class CaptureFileRotationTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final String[] START = {"0.1.0", "db1", "eth0", "tcp port 3306"};

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------ helpers

    private static byte[] startLine() {
        final CaptureRecordEncoder enc = new CaptureRecordEncoder();
        enc.encodeCaptureStart(START[0], START[1], START[2], START[3], TS, "plain");
        return Arrays.copyOf(enc.buffer(), enc.length());
    }

    private static byte[] queryLine(final QueryEvent q) {
        final CaptureRecordEncoder enc = new CaptureRecordEncoder();
        enc.encodeQuery(q);
        return Arrays.copyOf(enc.buffer(), enc.length());
    }

    private static QueryEvent numbered(final ConnectionInfo c, final int i) {
        final QueryEvent q = query(c);
        // Same width for every i below 10: every line has the same length.
        q.rows = 1_000_000 + i;
        return q;
    }

    /** Lines of a file, each with its '\n', asserting the file ends on a line boundary. */
    private static List<byte[]> lines(final Path file) throws IOException {
        final byte[] all = Files.readAllBytes(file);
        assertTrue(all.length == 0 || all[all.length - 1] == '\n', file + " ends with a whole line");
        final List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                lines.add(Arrays.copyOfRange(all, start, i + 1));
                start = i + 1;
            }
        }
        return lines;
    }

    private static JsonNode json(final byte[] line) throws IOException {
        return MAPPER.readTree(line);
    }

    private List<Path> filesInDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    // -------------------------------------------------------------------------------- names

    @Test
    void partNamesKeepTheExtensionLastAndSortLexically() {
        final Path first = Path.of("/var/tmp/db1.jsonl");
        assertEquals(first, CaptureFileParts.partPath(first, 0));
        assertEquals(Path.of("/var/tmp/db1.000001.jsonl"), CaptureFileParts.partPath(first, 1));
        assertEquals(Path.of("/var/tmp/db1.000042.jsonl"), CaptureFileParts.partPath(first, 42));
        assertEquals(Path.of("/var/tmp/db1.999999.jsonl"), CaptureFileParts.partPath(first, 999_999));
        assertEquals(Path.of("/var/tmp/db1.1000000.jsonl"), CaptureFileParts.partPath(first, 1_000_000));
        assertEquals(Path.of("a.b.000003.jsonl"), CaptureFileParts.partPath(Path.of("a.b.jsonl"), 3));
        assertEquals(Path.of("capture.000002"), CaptureFileParts.partPath(Path.of("capture"), 2));
        assertEquals(Path.of("/x/.hidden.000001"), CaptureFileParts.partPath(Path.of("/x/.hidden"), 1));
        assertThrows(IllegalArgumentException.class, () -> CaptureFileParts.partPath(first, -1));
        final List<String> names = new ArrayList<>();
        for (final int p : new int[] {10, 2, 100, 1, 9}) {
            names.add(CaptureFileParts.partPath(first, p).getFileName().toString());
        }
        names.sort(null);
        assertEquals(List.of("db1.000001.jsonl", "db1.000002.jsonl", "db1.000009.jsonl", "db1.000010.jsonl", "db1.000100.jsonl"), names);
    }

    @Test
    void partFieldIsInsertedAfterTheTypeAndNothingElseChanges() {
        final byte[] start = startLine();
        final String text = new String(start, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"type\":\"capture_start\",\"version\":"), text);
        final byte[] marked = CaptureFileParts.withPart(start, start.length, 12);
        assertEquals(text.replace("{\"type\":\"capture_start\",", "{\"type\":\"capture_start\",\"part\":12,"),
            new String(marked, StandardCharsets.UTF_8));
        final byte[] other = "{\"type\":\"query\"}\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(other, CaptureFileParts.withPart(other, other.length, 3));
    }

    // ------------------------------------------------------------------------------ rotation

    @Test
    void rotatesBetweenWholeLinesAndEveryPartStandsAlone() throws Exception {
        final ConnectionInfo c = connection();
        final byte[] start = startLine();
        final int h = start.length;
        final int q = queryLine(numbered(c, 0)).length;
        final int field = "\"part\":1,".length();
        // Part 0 holds its capture_start and 3 queries; later parts their marked start and 3 queries.
        final long max = h + field + 3L * q;
        assertTrue(q > field, "a fourth query must not fit in part 0");
        final Path first = dir.resolve("db1.jsonl");
        final List<byte[]> expectedQueries = new ArrayList<>();
        try (CaptureFileWriter w = CaptureFileWriter.create(first, max)) {
            assertEquals(max, w.maxPartBytes());
            w.writeCaptureStart(START[0], START[1], START[2], START[3], TS, "plain");
            for (int i = 0; i < 10; i++) {
                final QueryEvent e = numbered(c, i);
                expectedQueries.add(queryLine(e));
                w.onQuery(e);
            }
            assertEquals(3, w.rotations());
            assertEquals(3, w.part());
            assertEquals(dir.resolve("db1.000003.jsonl"), w.currentPath());
            assertEquals(11, w.records());
            assertEquals(10, w.queryRecords());
            assertEquals(h + 3L * (h + field) + 10L * q, w.bytesWritten());
            w.flush();
            assertEquals(Files.size(w.currentPath()), w.currentSize());
            assertEquals(h + field + q, w.currentSize());
        }
        assertEquals(List.of(first.resolveSibling("db1.000001.jsonl"), first.resolveSibling("db1.000002.jsonl"),
            first.resolveSibling("db1.000003.jsonl"), first), filesInDir());

        final int[] queriesPerPart = {3, 3, 3, 1};
        long total = 0;
        int next = 0;
        for (int part = 0; part < 4; part++) {
            final Path p = CaptureFileParts.partPath(first, part);
            assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(p), p.toString());
            assertTrue(Files.size(p) <= max, p + " within the limit");
            total += Files.size(p);
            final List<byte[]> lines = lines(p);
            assertEquals(1 + queriesPerPart[part], lines.size(), p.toString());
            final JsonNode head = json(lines.get(0));
            assertEquals("capture_start", head.get("type").textValue());
            if (part == 0) {
                assertArrayEquals(start, lines.get(0));
                assertFalse(head.has("part"));
            } else {
                assertArrayEquals(CaptureFileParts.withPart(start, h, part), lines.get(0));
                assertEquals(part, head.get("part").intValue());
                assertEquals("db1", head.get("host").textValue());
            }
            for (int i = 1; i < lines.size(); i++) {
                assertArrayEquals(expectedQueries.get(next), lines.get(i), "query " + next + " whole, in order");
                assertEquals(1_000_000 + next, json(lines.get(i)).get("rows").longValue());
                next++;
            }
        }
        assertEquals(10, next);
        assertEquals(h + 3L * (h + field) + 10L * q, total, "bytesWritten is the sum of the part sizes");
    }

    @Test
    void aLineBiggerThanTheLimitGetsAPartOfItsOwnWhole() throws Exception {
        final ConnectionInfo c = connection();
        final QueryEvent small = numbered(c, 0);
        final QueryEvent huge = new QueryEvent(600 * 1024);
        huge.connection = c;
        huge.command = "query";
        final byte[] big = "select x from t where y = ? ".repeat(15_000).getBytes(StandardCharsets.US_ASCII);
        huge.sql.putBytes(0, big);
        huge.sqlLength = big.length;
        final byte[] hugeLine = queryLine(huge);
        assertTrue(hugeLine.length > CaptureFileWriter.OUTPUT_BUFFER_SIZE, "bigger than the output buffer too");
        final Path first = dir.resolve("big.jsonl");
        final long max = 1024;
        try (CaptureFileWriter w = CaptureFileWriter.create(first, max)) {
            w.writeCaptureStart(START[0], START[1], START[2], START[3], TS, "plain");
            w.onQuery(small); // part 0
            w.onQuery(huge);  // part 1, alone and over the limit
            w.onQuery(small); // part 2
            w.onQuery(huge);  // part 3
            w.onQuery(huge);  // part 4
            assertEquals(4, w.rotations());
        }
        final int[] sizes = {2, 2, 2, 2, 2};
        for (int part = 0; part < sizes.length; part++) {
            final List<byte[]> lines = lines(CaptureFileParts.partPath(first, part));
            assertEquals(sizes[part], lines.size(), "part " + part);
            assertEquals("capture_start", json(lines.get(0)).get("type").textValue());
            final boolean isHuge = part == 1 || part == 3 || part == 4;
            assertArrayEquals(isHuge ? hugeLine : queryLine(small), lines.get(1), "part " + part);
        }
        assertFalse(Files.exists(CaptureFileParts.partPath(first, 5)));
    }

    @Test
    void withoutACaptureStartPartsHoldOnlyTheirLines() throws Exception {
        final ConnectionInfo c = connection();
        final int q = queryLine(numbered(c, 0)).length;
        final Path first = dir.resolve("plain");
        try (CaptureFileWriter w = CaptureFileWriter.create(first, 2L * q)) {
            for (int i = 0; i < 5; i++) {
                w.onQuery(numbered(c, i));
            }
            assertEquals(2, w.rotations());
            assertEquals(5L * q, w.bytesWritten());
        }
        assertEquals(List.of(first, dir.resolve("plain.000001"), dir.resolve("plain.000002")), filesInDir());
        assertEquals(2, lines(first).size());
        assertEquals(2, lines(dir.resolve("plain.000001")).size());
        assertEquals(1, lines(dir.resolve("plain.000002")).size());
        assertEquals(1_000_004, json(lines(dir.resolve("plain.000002")).get(0)).get("rows").longValue());
    }

    @Test
    void preEncodedStartFromAnOffHeapRingIsRepeated() throws Exception {
        final ConnectionInfo c = connection();
        final byte[] start = startLine();
        final byte[] ql = queryLine(numbered(c, 0));
        final ByteBuffer ring = ByteBuffer.allocateDirect(start.length + ql.length);
        ring.put(0, start).put(start.length, ql);
        final UnsafeBuffer buffer = new UnsafeBuffer(ring);
        final Path first = dir.resolve("ring.jsonl");
        try (CaptureFileWriter w = CaptureFileWriter.create(first, start.length + 20L + ql.length)) {
            w.writeEncodedLine(buffer, 0, start.length);
            for (int i = 0; i < 3; i++) {
                w.writeEncodedLine(buffer, start.length, ql.length);
            }
            assertEquals(2, w.rotations());
            assertEquals(4, w.records());
        }
        for (int part = 0; part < 3; part++) {
            final List<byte[]> lines = lines(CaptureFileParts.partPath(first, part));
            assertEquals(2, lines.size());
            assertArrayEquals(part == 0 ? start : CaptureFileParts.withPart(start, start.length, part), lines.get(0));
            assertArrayEquals(ql, lines.get(1));
        }
    }

    @Test
    void staleWorldReadablePartIsMadeOwnerOnlyAndTruncated() throws Exception {
        final Path first = dir.resolve("old.jsonl");
        final Path stale = dir.resolve("old.000001.jsonl");
        Files.writeString(stale, "stale content\n".repeat(1000));
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-r--r--"));
        final ConnectionInfo c = connection();
        final int q = queryLine(numbered(c, 0)).length;
        try (CaptureFileWriter w = CaptureFileWriter.create(first, q)) {
            w.onQuery(numbered(c, 0));
            w.onQuery(numbered(c, 1));
            assertEquals(stale, w.currentPath());
            assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(stale));
        }
        assertEquals(q, Files.size(stale));
        assertEquals(1_000_001, json(lines(stale).get(0)).get("rows").longValue());
    }

    @Test
    void devicesAndStreamsAreNeverRotated() {
        try (CaptureFileWriter w = CaptureFileWriter.create(Path.of("/dev/null"), 10)) {
            assertEquals(0, w.maxPartBytes());
            for (int i = 0; i < 5; i++) {
                w.onQuery(query(connection()));
            }
            assertEquals(0, w.rotations());
            assertEquals(Path.of("/dev/null"), w.currentPath());
        }
        try (CaptureFileWriter w = CaptureFileWriter.toStream(new java.io.ByteArrayOutputStream())) {
            assertNull(w.currentPath());
            w.onQuery(query(connection()));
            assertEquals(w.bytesWritten(), w.currentSize());
        }
        assertThrows(IllegalArgumentException.class, () -> CaptureFileWriter.create(dir.resolve("x"), -1));
    }

    @Test
    void anUnopenablePartFailsNamingItAndClosesTheWriter() throws Exception {
        final Path first = dir.resolve("f.jsonl");
        Files.createDirectory(dir.resolve("f.000001.jsonl")); // a directory where the part must go
        final CaptureFileWriter w = CaptureFileWriter.create(first, 10);
        w.onQuery(query(connection()));
        final var e = assertThrows(java.io.UncheckedIOException.class, () -> w.onQuery(query(connection())));
        assertTrue(e.getMessage().contains("f.000001.jsonl"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> w.onQuery(query(connection())));
        w.close();
        assertEquals(1, lines(first).size(), "what came before the failure is in the first part");
    }

    @Test
    void noAllocationPerRecordAfterWarmUpBetweenRotations() throws Exception {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final ConnectionInfo c = connection();
        final QueryEvent q = query(c);
        final int records = 100_000;
        final int q0 = queryLine(q).length;
        // About five rotations while measuring: opening a part may allocate, a record may not.
        final long max = (long) q0 * records / 5;
        final CaptureStats stats = new CaptureStats();
        try (CaptureFileWriter w = CaptureFileWriter.create(dir.resolve("alloc.jsonl"), max)) {
            w.writeCaptureStart(START[0], START[1], START[2], START[3], TS, "plain");
            for (int i = 0; i < records; i++) {
                q.timestampNanos = TS + i;
                w.onQuery(q);
            }
            final long rotationsBefore = w.rotations();
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < records; i++) {
                q.timestampNanos = TS + i;
                w.onQuery(q);
                if (i % 10_000 == 0) {
                    w.writeStats(stats, q.timestampNanos);
                }
            }
            w.flush();
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(w.rotations() - rotationsBefore >= 4, "rotated while measuring: " + w.rotations());
            assertTrue(allocated < records, "allocated " + allocated + " bytes for " + records + " records");
        }
    }
}
