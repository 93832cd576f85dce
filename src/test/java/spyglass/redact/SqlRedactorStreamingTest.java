package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The streaming form on what only it meets: statements far larger than its window, fed in
 * segment-sized chunks, tokens longer than the window, and misuse. (That any split of an ordinary
 * statement gives what the whole gives is {@link SqlRedactorPropertyTest}'s.)
 */
class SqlRedactorStreamingTest {
    /** A TCP segment's payload on Ethernet with timestamps. */
    private static final int MSS = 1448;

    private final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 21]);
    private final UnsafeBuffer fingerprint = new UnsafeBuffer(new byte[1 << 16]);

    @Test
    void aOneMegabyteInsertStreamsThroughASmallWindowAndMatchesTheWhole() {
        final StringBuilder sql = new StringBuilder("INSERT INTO `orders` (id, customer, note, total) VALUES ");
        int row = 0;
        while (sql.length() < (1 << 20)) {
            sql.append(row == 0 ? "" : ",\n  ").append("(").append(1_000_000 + row).append(", 'cust-secret-").append(row)
                .append("', 'it''s \\\"quoted\\\" \\\\ note ").append(row).append("', ").append(row).append(".25e-1)");
            row++;
        }
        final byte[] bytes = sql.toString().getBytes(StandardCharsets.UTF_8);

        final SqlRedactor whole = new SqlRedactor();
        final int n = whole.redact(new UnsafeBuffer(bytes), 0, bytes.length, out, 0, out.capacity());
        final String expected = out.getStringWithoutLengthUtf8(0, n);

        final SqlRedactor streaming = new SqlRedactor();
        final String text = stream(streaming, bytes, MSS, out.capacity());
        assertEquals(expected, text);
        assertTrue(text.startsWith("INSERT INTO `orders` (id, customer, note, total) VALUES (?, ?, ?, ?),\n  (?, ?, ?, ?)"),
            text.substring(0, 100));
        assertFalse(text.contains("secret") || text.contains("note ") || text.contains("1000000"));
        assertEquals("insert into orders(id, customer, note, total) values(?+)", fingerprintOf(streaming));
        assertEquals(whole.digest(), streaming.digest());
        assertTrue(streaming.windowCapacity() <= 4096, "window grew to " + streaming.windowCapacity());
    }

    @Test
    void aOneMegabyteStringIsOneQuestionMarkAndNeverHeld() {
        final byte[] prefix = "INSERT INTO blobs VALUES (_binary'".getBytes(StandardCharsets.UTF_8);
        final byte[] bytes = new byte[prefix.length + (1 << 20) + 2];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        for (int i = prefix.length; i < bytes.length - 2; i++) {
            bytes[i] = (byte) ('a' + i % 26); // no quote, no backslash
        }
        bytes[bytes.length - 2] = '\'';
        bytes[bytes.length - 1] = ')';
        final SqlRedactor redactor = new SqlRedactor();
        assertEquals("INSERT INTO blobs VALUES (?)", stream(redactor, bytes, 65_000, 4096));
        assertEquals("insert into blobs values(?+)", fingerprintOf(redactor));
        assertFalse(redactor.truncated());
        assertFalse(redactor.unclosed());
        assertTrue(redactor.windowCapacity() <= SqlRedactor.WINDOW_MAX);
    }

    /**
     * A string, comment or hidden rest longer than the window, after whitespace, streamed: the
     * whitespace waiting to go out must not pin the window, and a full window must never turn the
     * rest of a string into SQL (a reviewer found both: "hunter2" came out).
     */
    @Test
    void longStringsCommentsAndHiddenRestsAfterWhitespaceStreamAsTheWholeDoes() {
        final String fill = "a".repeat(SqlRedactor.WINDOW_MAX + 100);
        final Object[][] cases = {
            {SqlRedactor.BACKSLASH_ESCAPES, "INSERT INTO t VALUES (1, '" + fill + " hunter2 pw4secret 1234 ') , (2)"},
            {SqlRedactor.BACKSLASH_ESCAPES, "INSERT INTO t VALUES (1,  \n '" + fill + " hunter2 ' ) , (2)"},
            {SqlRedactor.BACKSLASH_ESCAPES, "SELECT /*" + fill + " hunter2 pw4secret */ 1"},
            {SqlRedactor.BACKSLASH_ESCAPES, "SELECT 1 -- " + fill + " hunter2\n, 2"},
            {SqlRedactor.BACKSLASH_MODE_UNKNOWN, "SELECT 'a\\' , 'b' " + fill + " hunter2 'x'"},
            {SqlRedactor.BACKSLASH_ESCAPES, "SELECT a, " + " ".repeat(SqlRedactor.WINDOW_MAX + 5) + "'" + fill + " hunter2' FROM t"},
        };
        for (final Object[] c : cases) {
            final int mode = (int) c[0];
            final byte[] bytes = ((String) c[1]).getBytes(StandardCharsets.UTF_8);
            final SqlRedactor whole = new SqlRedactor();
            whole.backslashMode(mode);
            final int n = whole.redact(new UnsafeBuffer(bytes), 0, bytes.length, out, 0, out.capacity());
            final String expected = out.getStringWithoutLengthUtf8(0, n);
            for (final int piece : new int[] {1, 1448, 65_000}) {
                final SqlRedactor streamed = new SqlRedactor();
                streamed.backslashMode(mode);
                final String text = stream(streamed, bytes, piece, out.capacity());
                assertFalse(text.contains("hunter2") || text.contains("aaaa"), piece + ": " + text.substring(0, Math.min(80, text.length())));
                assertFalse(fingerprintOf(streamed).contains("hunter2"), fingerprintOf(streamed));
                if (!((String) c[1]).startsWith("SELECT a, ")) { // there the 16 KiB of spaces shrink, as documented
                    assertEquals(expected, text, "pieces of " + piece);
                    assertEquals(whole.digest(), streamed.digest(), "pieces of " + piece);
                }
                assertEquals(whole.unclosed(), streamed.unclosed());
            }
        }
    }

    @Test
    void tokensLongerThanTheWindowAreHiddenNotKept() {
        final String longWord = "w".repeat(SqlRedactor.WINDOW_MAX + 10);
        final String longName = "`" + "n".repeat(SqlRedactor.WINDOW_MAX) + "``x`";
        final String longVariable = "@" + "v".repeat(SqlRedactor.WINDOW_MAX + 1);
        final String longNumber = "9".repeat(SqlRedactor.WINDOW_MAX * 2) + "abc";
        final String sql = "SELECT " + longWord + ", a FROM " + longName + " WHERE b = " + longVariable
            + " AND c = " + longNumber + " AND d = 1";
        final SqlRedactor redactor = new SqlRedactor();
        final String text = stream(redactor, sql.getBytes(StandardCharsets.UTF_8), 1000, 1 << 20);
        assertEquals("SELECT ?, a FROM ? WHERE b = ? AND c = ? AND d = ?", text);
        assertFalse(redactor.unclosed());
        assertTrue(redactor.windowCapacity() <= SqlRedactor.WINDOW_MAX);
    }

    @Test
    void whitespaceLongerThanTheWindowShrinksAndTheStatementGoesOn() {
        final String sql = "SELECT a," + " ".repeat(3 * SqlRedactor.WINDOW_MAX) + "b FROM t WHERE c = 'x'";
        final SqlRedactor redactor = new SqlRedactor();
        final String text = stream(redactor, sql.getBytes(StandardCharsets.UTF_8), 4000, 1 << 20);
        assertTrue(text.startsWith("SELECT a, ") && text.endsWith("b FROM t WHERE c = ?"), text.substring(0, 12));
        assertEquals("select a, b from t where c = ?", fingerprintOf(redactor));
    }

    @Test
    void theTextCapCutsOnATokenBoundaryWhileTheFingerprintSeesEverything() {
        final byte[] bytes = "SELECT aaaa, bbbb, 'secret', cccc FROM t WHERE x IN (1, 2, 3)".getBytes(StandardCharsets.UTF_8);
        final SqlRedactor redactor = new SqlRedactor();
        assertEquals("SELECT aaaa, bbbb,", stream(redactor, bytes, 3, 19));
        assertTrue(redactor.truncated());
        assertEquals("select aaaa, bbbb, ?, cccc from t where x in(?+)", fingerprintOf(redactor));
    }

    @Test
    void misuseIsRefusedAndAbortStartsAfresh() {
        final SqlRedactor redactor = new SqlRedactor();
        final UnsafeBuffer sql = new UnsafeBuffer("SELECT 1".getBytes(StandardCharsets.UTF_8));
        assertThrows(IllegalStateException.class, () -> redactor.feed(sql, 0, 8));
        assertThrows(IllegalStateException.class, () -> redactor.end(false, out, 0));
        redactor.begin(100);
        redactor.feed(sql, 0, 5);
        assertTrue(redactor.streaming());
        assertThrows(IllegalStateException.class, () -> redactor.begin(100));
        assertThrows(IllegalStateException.class, () -> redactor.redact(sql, 0, 8, out, 0, 100));
        redactor.abort();
        assertFalse(redactor.streaming());
        assertEquals("SELECT ?", stream(redactor, "SELECT 1".getBytes(StandardCharsets.UTF_8), 2, 100));
        assertEquals(8, redactor.streamedBytes());
    }

    @Test
    void streamingAllocatesNothingAfterWarmUp() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final StringBuilder sql = new StringBuilder("INSERT INTO t (a, b) VALUES ");
        for (int i = 0; i < 2000; i++) {
            sql.append(i == 0 ? "" : ", ").append("(").append(i).append(", 'row ").append(i).append("')");
        }
        final UnsafeBuffer in = new UnsafeBuffer(sql.toString().getBytes(StandardCharsets.UTF_8));
        final SqlRedactor redactor = new SqlRedactor();
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 300; i++) {
                redactor.begin(1 << 16);
                for (int at = 0; at < in.capacity(); at += MSS) {
                    redactor.feed(in, at, Math.min(MSS, in.capacity() - at));
                }
                sink += redactor.end(false, out, 0) + redactor.digest();
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                assertEquals(0, allocated, "bytes allocated streaming 300 statements of " + in.capacity() + " bytes");
            }
        }
        assertTrue(sink != 0);
    }

    private String stream(final SqlRedactor redactor, final byte[] bytes, final int chunk, final int cap) {
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        redactor.begin(cap);
        for (int at = 0; at < bytes.length; at += chunk) {
            redactor.feed(in, at, Math.min(chunk, bytes.length - at));
        }
        final int n = redactor.end(false, out, 0);
        return out.getStringWithoutLengthUtf8(0, n);
    }

    private String fingerprintOf(final SqlRedactor redactor) {
        final int n = redactor.fingerprint(fingerprint, 0, fingerprint.capacity());
        return fingerprint.getStringWithoutLengthUtf8(0, n);
    }
}
