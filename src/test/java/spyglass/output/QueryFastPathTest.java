package spyglass.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.event.CaptureStats;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;
import spyglass.event.ServerStatus;
import spyglass.event.TextField;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast paths of the encoders against slow, obviously-correct references: the query record
 * against the same record written field by field with {@link JsonLineEncoder}'s public methods (what
 * {@code encodeQuery} did before it had a raw path), strings against the byte-at-a-time escaping
 * loop, numbers against {@link Long#toString}, digests against {@link HexFormat}, timestamps
 * (with their per-second cache) against java.time.
 */
class QueryFastPathTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter RFC3339_MICROS =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String[] COMMANDS = {"query", "execute", "prepare", "init_db", "ping", "quit", null,
        "caf\u00e9\"\\\n", "x".repeat(40), "\ud83d\ude00"};

    // ------------------------------------------------------------------------ the query record

    /** The query record written field by field, as encodeQuery did before its raw path. */
    private static void referenceQuery(final JsonLineEncoder j, final QueryEvent q) {
        final ConnectionInfo c = q.connection;
        j.beginLine();
        j.name("type").string("query");
        j.name("ts").timestamp(q.timestampNanos);
        if (c != null) {
            text(j.name("conn"), c.id);
            j.name("thread_id").numberOrNull(c.threadId);
            text(j.name("user"), c.user);
            text(j.name("db"), c.db);
        } else {
            j.name("conn").nullValue();
            j.name("thread_id").nullValue();
            j.name("user").nullValue();
            j.name("db").nullValue();
        }
        j.name("cmd").string(q.command);
        j.name("sql");
        if (q.sqlLength < 0) {
            j.nullValue();
        } else {
            j.string(q.sql, 0, Math.min(q.sqlLength, q.sql.capacity()));
        }
        j.name("digest");
        if (q.hasDigest) {
            j.hex16(q.digest);
        } else {
            j.nullValue();
        }
        j.name("latency_us").microsOrNull(q.latencyNanos);
        j.name("ttfb_us").microsOrNull(q.ttfbNanos);
        j.name("transfer_us").microsOrNull(q.transferNanos);
        j.name("think_us").microsOrNull(q.thinkNanos);
        j.name("rows").numberOrNull(q.rows);
        j.name("results").numberOrNull(q.results);
        j.name("affected").numberOrNull(q.affectedRows);
        j.name("bytes_in").number(q.bytesIn);
        j.name("bytes_out").number(q.bytesOut);
        j.name("error");
        if (q.errorCode == 0) {
            j.nullValue();
        } else {
            j.beginObject();
            j.name("code").number(q.errorCode);
            j.name("sql_state");
            if (q.sqlStateLength > 0) {
                j.string(q.sqlState, 0, Math.min(q.sqlStateLength, q.sqlState.length));
            } else {
                j.nullValue();
            }
            j.endObject();
        }
        j.name("warnings").number(q.warnings);
        j.name("flags").beginArray();
        if (q.serverStatusKnown) {
            final int s = q.serverStatus;
            flag(j, s, ServerStatus.IN_TRANS, "in_trans");
            flag(j, s, ServerStatus.NO_GOOD_INDEX_USED, "no_good_index_used");
            flag(j, s, ServerStatus.NO_INDEX_USED, "no_index_used");
            flag(j, s, ServerStatus.QUERY_WAS_SLOW, "slow");
            flag(j, s, ServerStatus.CURSOR_EXISTS, "cursor_exists");
            flag(j, s, ServerStatus.DB_DROPPED, "db_dropped");
        }
        flag(j, q.spyglassFlags, QueryEvent.FLAG_NO_RESPONSE, "no_response");
        flag(j, q.spyglassFlags, QueryEvent.FLAG_RESYNC, "resync");
        flag(j, q.spyglassFlags, QueryEvent.FLAG_UNKNOWN_STATEMENT, "unknown_statement");
        flag(j, q.spyglassFlags, QueryEvent.FLAG_REPLICATION, "replication");
        j.endArray();
        j.name("params").numberOrNull(q.params);
        j.name("truncated").bool(q.truncated);
        j.name("lossy").bool(q.lossy);
        j.endLine();
    }

    private static void text(final JsonLineEncoder j, final TextField field) {
        if (field.isKnown()) {
            j.string(field.bytes(), 0, field.length());
        } else {
            j.nullValue();
        }
    }

    private static void flag(final JsonLineEncoder j, final int bits, final int bit, final String name) {
        if ((bits & bit) != 0) {
            j.string(name);
        }
    }

    private static final int[] INTERESTING = {0x00, 0x01, 0x09, 0x0A, 0x1F, 0x20, 0x22, 0x5C, 0x7E, 0x7F, 0x80, 0xA8,
        0xBF, 0xC2, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xF0, 0x9F, 0x98, 0x80, 0xF4, 0xFF, '/', 'u'};

    /** Mostly plain ASCII, sometimes with bytes that need care, lengths around multiples of 8. */
    private static byte[] randomText(final Random r, final int maxLength) {
        final byte[] b = new byte[r.nextInt(maxLength + 1)];
        final int mode = r.nextInt(4);
        for (int i = 0; i < b.length; i++) {
            if (mode == 0 || r.nextInt(8) != 0) {
                b[i] = (byte) (0x21 + r.nextInt(0x5E));
                if (b[i] == '"' || b[i] == '\\') {
                    b[i] = 'q';
                }
            } else {
                b[i] = (byte) (mode == 1 ? INTERESTING[r.nextInt(INTERESTING.length)] : r.nextInt(256));
            }
        }
        return b;
    }

    private static void setText(final Random r, final TextField f, final int maxLength) {
        switch (r.nextInt(6)) {
            case 0 -> f.clear();
            case 1 -> f.setEmpty();
            default -> {
                final byte[] t = randomText(r, Math.min(maxLength, f.capacity()));
                f.set(t, 0, t.length);
            }
        }
    }

    private static long randomNumber(final Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> -1;
            case 1 -> r.nextInt(10);
            case 2 -> r.nextInt(100_000);
            case 3 -> r.nextLong() >>> r.nextInt(64);
            case 4 -> r.nextLong();
            case 5 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            default -> (long) Math.pow(10, r.nextInt(19)) - r.nextInt(2);
        };
    }

    private static void randomise(final Random r, final QueryEvent q, final ConnectionInfo c, final long ts) {
        q.reset();
        q.timestampNanos = ts;
        if (r.nextInt(10) != 0) {
            setText(r, c.id, 70);
            setText(r, c.user, 20);
            setText(r, c.db, 20);
            c.threadId = randomNumber(r);
            q.connection = c;
        }
        q.command = COMMANDS[r.nextInt(COMMANDS.length)];
        if (r.nextInt(8) != 0) {
            final byte[] sql = randomText(r, r.nextBoolean() ? Math.min(40, q.sql.capacity()) : q.sql.capacity());
            q.sql.putBytes(0, sql);
            q.sqlLength = sql.length;
            if (r.nextInt(20) == 0) {
                q.sqlLength = q.sql.capacity() + 5; // cut at the buffer's capacity
            }
        }
        q.hasDigest = r.nextBoolean();
        q.digest = r.nextLong();
        q.latencyNanos = randomNumber(r);
        q.ttfbNanos = randomNumber(r);
        q.transferNanos = randomNumber(r);
        q.thinkNanos = randomNumber(r);
        q.rows = randomNumber(r);
        q.results = r.nextInt(4) == 0 ? -1 : r.nextInt(4) == 0 ? Integer.MAX_VALUE : 1 + r.nextInt(3);
        q.affectedRows = randomNumber(r);
        q.bytesIn = randomNumber(r);
        q.bytesOut = randomNumber(r);
        if (r.nextInt(4) == 0) {
            q.errorCode = r.nextBoolean() ? 1000 + r.nextInt(3000) : r.nextInt();
            q.sqlStateLength = r.nextInt(7) - 1;
            for (int i = 0; i < q.sqlState.length; i++) {
                q.sqlState[i] = r.nextInt(10) == 0 ? (byte) r.nextInt(256) : (byte) ('0' + r.nextInt(10));
            }
        }
        q.warnings = r.nextBoolean() ? 0 : r.nextInt();
        q.serverStatusKnown = r.nextBoolean();
        q.serverStatus = r.nextBoolean() ? ServerStatus.AUTOCOMMIT : r.nextInt(0x10000);
        q.spyglassFlags = r.nextInt(4) == 0 ? r.nextInt(16) : 0;
        q.params = (int) randomNumber(r);
        q.truncated = r.nextBoolean();
        q.lossy = r.nextBoolean();
    }

    private static void assertSameLine(final JsonLineEncoder expected, final CaptureRecordEncoder actual, final String what) {
        final String want = new String(expected.buffer(), 0, expected.length(), StandardCharsets.UTF_8);
        final String got = new String(actual.buffer(), 0, actual.length(), StandardCharsets.UTF_8);
        assertEquals(want, got, what);
        assertArrayEquals(Arrays.copyOf(expected.buffer(), expected.length()), Arrays.copyOf(actual.buffer(), actual.length()), what);
    }

    @Test
    void randomQueriesEncodeExactlyAsFieldByField() throws Exception {
        final Random r = new Random(3306);
        final JsonLineEncoder reference = new JsonLineEncoder(64);
        final CaptureRecordEncoder enc = new CaptureRecordEncoder(new JsonLineEncoder(64));
        final ConnectionInfo c = new ConnectionInfo();
        final QueryEvent small = new QueryEvent(48);
        final QueryEvent exact = new QueryEvent(13); // SQL up to the very end of its array
        long ts = Instant.parse("2026-11-23T22:26:45Z").getEpochSecond() * 1_000_000_000L;
        for (int i = 0; i < 200_000; i++) {
            ts += r.nextInt(50) == 0 ? r.nextLong(1L << 40) - (1L << 39) : r.nextInt(50_000);
            if (r.nextInt(500) == 0) {
                ts = r.nextLong();
            }
            final QueryEvent q = (i & 1) == 0 ? small : exact;
            randomise(r, q, c, ts);
            referenceQuery(reference, q);
            enc.encodeQuery(q);
            assertSameLine(reference, enc, "record " + i);
            if (i % 1000 == 0) {
                MAPPER.readTree(enc.buffer(), 0, enc.length());
            }
        }
    }

    @Test
    void sqlInOffHeapAndOffsetBuffers() {
        final Random r = new Random(1);
        final JsonLineEncoder reference = new JsonLineEncoder();
        final CaptureRecordEncoder enc = new CaptureRecordEncoder();
        final ConnectionInfo c = new ConnectionInfo();
        final QueryEvent q = new QueryEvent(64);
        for (int i = 0; i < 2_000; i++) {
            randomise(r, q, c, 1_700_000_000_123_456_789L + i);
            final byte[] sql = randomText(r, 60);
            final ByteBuffer direct = ByteBuffer.allocateDirect(80);
            direct.put(7, sql);
            final byte[] array = new byte[100];
            System.arraycopy(sql, 0, array, 11, sql.length);
            q.sql.wrap(i % 2 == 0 ? new UnsafeBuffer(direct, 7, 70) : new UnsafeBuffer(array, 11, 70));
            q.sqlLength = sql.length;
            referenceQuery(reference, q);
            enc.encodeQuery(q);
            assertSameLine(reference, enc, "record " + i);
        }
    }

    @Test
    void otherRecordsInterleavedWithQueries() {
        final Random r = new Random(2);
        final JsonLineEncoder reference = new JsonLineEncoder();
        final CaptureRecordEncoder enc = new CaptureRecordEncoder();
        final CaptureRecordEncoder fresh = new CaptureRecordEncoder();
        final ConnectionInfo c = CaptureRecordEncoderTest.connection();
        final QueryEvent q = new QueryEvent(64);
        final CaptureStats stats = new CaptureStats();
        for (int i = 0; i < 1_000; i++) {
            final long ts = 1_700_000_000_000_000_000L + i * 333_333_333L;
            randomise(r, q, c, ts);
            referenceQuery(reference, q);
            enc.encodeQuery(q);
            assertSameLine(reference, enc, "query " + i);
            enc.encodeConnection(c, ts);
            fresh.encodeConnection(c, ts);
            assertArrayEquals(Arrays.copyOf(fresh.buffer(), fresh.length()), Arrays.copyOf(enc.buffer(), enc.length()));
            enc.encodeConnectionClose(c, CloseReason.FIN, ts);
            fresh.encodeConnectionClose(c, CloseReason.FIN, ts);
            assertArrayEquals(Arrays.copyOf(fresh.buffer(), fresh.length()), Arrays.copyOf(enc.buffer(), enc.length()));
            stats.queries = i;
            enc.encodeStats(stats, ts);
            fresh.encodeStats(stats, ts);
            assertArrayEquals(Arrays.copyOf(fresh.buffer(), fresh.length()), Arrays.copyOf(enc.buffer(), enc.length()));
        }
    }

    @Test
    void fixedPartOfTheLongestQueryLineFits() {
        final ConnectionInfo c = new ConnectionInfo();
        c.id.setEmpty();
        c.user.setEmpty();
        c.db.setEmpty();
        c.threadId = Long.MAX_VALUE;
        final QueryEvent q = new QueryEvent(8);
        q.connection = c;
        q.command = "";
        q.sqlLength = 0;
        q.hasDigest = true;
        q.latencyNanos = q.ttfbNanos = q.transferNanos = q.thinkNanos = Long.MAX_VALUE;
        q.rows = q.affectedRows = Long.MAX_VALUE;
        q.results = Integer.MIN_VALUE;
        q.bytesIn = q.bytesOut = Long.MIN_VALUE;
        q.errorCode = Integer.MIN_VALUE;
        q.warnings = Integer.MIN_VALUE;
        q.serverStatusKnown = true;
        q.serverStatus = -1;
        q.spyglassFlags = -1;
        q.params = Integer.MAX_VALUE;
        q.truncated = true;
        q.lossy = true;
        final CaptureRecordEncoder enc = new CaptureRecordEncoder();
        enc.encodeQuery(q);
        final JsonLineEncoder reference = new JsonLineEncoder();
        referenceQuery(reference, q);
        assertSameLine(reference, enc, "longest");
        assertTrue(enc.length() < 700, "fixed part " + enc.length());
        assertTrue(enc.length() + JsonLineEncoder.SLACK <= CaptureRecordEncoder.QUERY_FIXED_MAX);
    }

    // -------------------------------------------------------------------------------- strings

    /** The byte-at-a-time escaping loop, unchanged from before the 8-bytes-at-a-time path. */
    private static String referenceString(final byte[] src, final int offset, final int length) {
        final StringBuilder out = new StringBuilder("\"");
        int i = offset;
        final int end = offset + length;
        while (i < end) {
            final int b0 = src[i] & 0xFF;
            if (b0 < 0x80) {
                switch (b0) {
                    case '\b' -> out.append("\\b");
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\f' -> out.append("\\f");
                    case '\r' -> out.append("\\r");
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> out.append(b0 < 0x20 || b0 == 0x7F ? String.format("\\u%04x", b0) : String.valueOf((char) b0));
                }
                i++;
                continue;
            }
            final int trailing;
            int low = 0x80;
            int high = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                trailing = 1;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                trailing = 2;
                low = b0 == 0xE0 ? 0xA0 : low;
                high = b0 == 0xED ? 0x9F : high;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                trailing = 3;
                low = b0 == 0xF0 ? 0x90 : low;
                high = b0 == 0xF4 ? 0x8F : high;
            } else {
                out.append("\\ufffd");
                i++;
                continue;
            }
            int valid = 1;
            while (valid <= trailing && i + valid < end) {
                final int next = src[i + valid] & 0xFF;
                if (valid == 1 ? next < low || next > high : (next & 0xC0) != 0x80) {
                    break;
                }
                valid++;
            }
            if (valid <= trailing) {
                out.append("\\ufffd");
                i += valid;
                continue;
            }
            final String s = new String(src, i, valid, StandardCharsets.UTF_8);
            out.append(s.equals("\u2028") ? "\\u2028" : s.equals("\u2029") ? "\\u2029" : s);
            i += valid;
        }
        return out.append('"').toString();
    }

    private static String encoded(final JsonLineEncoder e, final byte[] src, final int offset, final int length) {
        e.beginLine().string(src, offset, length).endLine();
        return new String(e.buffer(), 1, e.length() - 3, StandardCharsets.UTF_8);
    }

    @Test
    void everyByteAtEveryPositionOfALongString() {
        final JsonLineEncoder e = new JsonLineEncoder(64);
        for (final int room : new int[] {0, 3, 16}) {
            for (int length = 1; length <= 24; length++) {
                for (int at = 0; at < length; at++) {
                    for (int v = 0; v < 256; v++) {
                        final byte[] src = new byte[5 + length + room];
                        Arrays.fill(src, (byte) 'a');
                        Arrays.fill(src, 5 + length, src.length, (byte) 0); // what follows needs care
                        src[5 + at] = (byte) v;
                        assertEquals(referenceString(src, 5, length), encoded(e, src, 5, length),
                            "length " + length + " byte " + v + " at " + at + " room " + room);
                    }
                }
            }
        }
    }

    @Test
    void randomStringsOfEveryLengthAndOffset() {
        final Random r = new Random(8);
        final JsonLineEncoder e = new JsonLineEncoder(64);
        for (int i = 0; i < 100_000; i++) {
            final byte[] text = randomText(r, 70);
            final int offset = r.nextInt(9);
            final byte[] src = new byte[offset + text.length + r.nextInt(10)];
            r.nextBytes(src);
            System.arraycopy(text, 0, src, offset, text.length);
            assertEquals(referenceString(src, offset, text.length), encoded(e, src, offset, text.length),
                () -> HexFormat.of().formatHex(text));
        }
    }

    // -------------------------------------------------------------------- numbers and digests

    @Test
    void everyNumberUpToAMillionAndAroundEveryPowerOfTen() {
        final JsonLineEncoder e = new JsonLineEncoder(64);
        for (long v = -1000; v <= 1_000_000; v++) {
            assertNumber(e, v);
        }
        for (long power = 1; power > 0 && power <= Long.MAX_VALUE / 10 * 10; power *= 10) {
            for (long d = -3; d <= 3; d++) {
                assertNumber(e, power + d);
                assertNumber(e, -(power + d));
                assertNumber(e, power * 9 + d);
            }
        }
        for (final long v : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 99_999_999, 100_000_000}) {
            assertNumber(e, v);
        }
    }

    private static void assertNumber(final JsonLineEncoder e, final long v) {
        e.beginLine().number(v).endLine();
        assertEquals("{" + v + "}\n", new String(e.buffer(), 0, e.length(), StandardCharsets.US_ASCII));
        e.beginLine().microsOrNull(v).numberOrNull(v).endLine();
        assertEquals("{" + (v < 0 ? "null" : Long.toString(v / 1000)) + "," + (v < 0 ? "null" : Long.toString(v)) + "}\n",
            new String(e.buffer(), 0, e.length(), StandardCharsets.US_ASCII));
    }

    @Test
    void digestsMatchHexFormat() {
        final Random r = new Random(16);
        final JsonLineEncoder e = new JsonLineEncoder(64);
        for (int i = 0; i < 100_000; i++) {
            final long v = i < 16 ? 0xFL << (4 * i) : r.nextLong();
            e.beginLine().hex16(v).endLine();
            assertEquals("{\"" + HexFormat.of().toHexDigits(v) + "\"}\n", new String(e.buffer(), 0, e.length(), StandardCharsets.US_ASCII));
        }
    }

    // ---------------------------------------------------------------------------- timestamps

    @Test
    void timestampsStepByStepThroughSecondsUseTheCacheRightly() {
        final JsonLineEncoder e = new JsonLineEncoder(64);
        final Random r = new Random(29);
        for (final long start : new long[] {-3_000_000_000L, 1_795_472_805_999_000_000L, Long.MIN_VALUE, Long.MAX_VALUE - 3_000_000_000L}) {
            long nanos = start;
            for (int i = 0; i < 20_000; i++) {
                assertTimestamp(e, nanos);
                final long step = r.nextInt(4) == 0 ? -r.nextInt(1_000_000) : r.nextInt(400_000);
                if (nanos + step < start || nanos + step > start + 2_900_000_000L) {
                    continue;
                }
                nanos += step;
            }
        }
    }

    private static void assertTimestamp(final JsonLineEncoder e, final long nanos) {
        e.beginLine().timestamp(nanos).endLine();
        final Instant instant = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        assertEquals("{\"" + RFC3339_MICROS.format(instant.truncatedTo(ChronoUnit.MICROS)) + "\"}\n",
            new String(e.buffer(), 0, e.length(), StandardCharsets.US_ASCII), "nanos " + nanos);
    }
}
