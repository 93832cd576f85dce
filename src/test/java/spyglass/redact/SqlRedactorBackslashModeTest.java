package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class SqlRedactorBackslashModeTest {
    private final SqlRedactor redactor = new SqlRedactor();

    private String redact(final int mode, final String sql) {
        redactor.backslashMode(mode);
        final byte[] b = sql.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[b.length * 2 + 16]);
        final int n = redactor.redact(new UnsafeBuffer(b), 0, b.length, dst, 0, dst.capacity());
        return dst.getStringWithoutLengthUtf8(0, n);
    }

    @Test
    void noBackslashEscapesEndsTheStringAtTheQuote() {
        assertEquals("SELECT ? , ? FROM t", redact(SqlRedactor.NO_BACKSLASH_ESCAPES, "SELECT 'a\\' , 'zz-secret' FROM t"));
        assertEquals("SELECT ? , ?", redact(SqlRedactor.NO_BACKSLASH_ESCAPES, "SELECT \"a\\\" , \"zz-secret\""));
        assertEquals("SELECT ?", redact(SqlRedactor.NO_BACKSLASH_ESCAPES, "SELECT 'C:\\temp\\'"));
        assertFalse(redactor.unclosed());
    }

    @Test
    void defaultEscapesReadBackslashQuoteAsPartOfTheString() {
        assertEquals("SELECT ? , ?", redact(SqlRedactor.BACKSLASH_ESCAPES, "SELECT 'it\\'s' , 'zz-secret'"));
        assertFalse(redactor.unclosed());
    }

    @Test
    void unknownModeHidesTheRestWhereTheReadingsPart() {
        final String out = redact(SqlRedactor.BACKSLASH_MODE_UNKNOWN, "SELECT 'a\\' , 'zz-secret' FROM t");
        assertEquals("SELECT ?", out);
        assertTrue(redactor.unclosed());
        // An escaped backslash before the quote closes the string in both readings: nothing to hide.
        assertEquals("SELECT ? , ? FROM t", redact(SqlRedactor.BACKSLASH_MODE_UNKNOWN, "SELECT 'a\\\\' , 'b' FROM t"));
        assertFalse(redactor.unclosed());
        // Other escapes (\n, \\) read the same either way.
        assertEquals("SELECT ? FROM t", redact(SqlRedactor.BACKSLASH_MODE_UNKNOWN, "SELECT 'line\\nbreak' FROM t"));
    }

    @Test
    void noModeEverLeaksAcrossTheAmbiguity() {
        final String[] statements = {
            "SELECT 'a\\' , 'zz-secret' FROM t",
            "SELECT 'a\\\\\\' , 'zz-secret' , 'b'",
            "INSERT INTO t VALUES ('x\\', 'zz-secret', 'y')",
            "SELECT \"a\\\" , \"zz-secret\""};
        for (final String sql : statements) {
            // Each mode is right for some server; the unknown mode must be safe for both.
            assertFalse(redact(SqlRedactor.NO_BACKSLASH_ESCAPES, sql).contains("secret"), sql);
            assertFalse(redact(SqlRedactor.BACKSLASH_MODE_UNKNOWN, sql).contains("secret"), sql);
        }
    }

    @Test
    void badModeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> redactor.backslashMode(7));
    }
}
