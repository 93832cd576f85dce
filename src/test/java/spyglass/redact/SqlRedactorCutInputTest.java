package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** A statement kept only in part (longer than the cap): what runs into the cut. */
class SqlRedactorCutInputTest {
    private final SqlRedactor redactor = new SqlRedactor();

    private String redactCut(final String sql) {
        final byte[] b = sql.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[b.length * 2 + 16]);
        final int n = redactor.redact(new UnsafeBuffer(b), 0, b.length, dst, 0, dst.capacity(), true);
        return dst.getStringWithoutLengthUtf8(0, n);
    }

    @Test
    void aWordRunningIntoTheCutIsDropped() {
        assertEquals("SELECT a FROM t WHERE b =", redactCut("SELECT a FROM t WHERE b = FAL"));
        assertTrue(redactor.truncated());
        assertEquals("SELECT a FROM t WHERE", redactCut("SELECT a FROM t WHERE customer_refe"));
        assertEquals("SELECT a FROM t WHERE b =", redactCut("SELECT a FROM t WHERE b = @@sql_mod"));
    }

    @Test
    void literalsRunningIntoTheCutStayHidden() {
        assertEquals("SELECT a FROM t WHERE b = ?", redactCut("SELECT a FROM t WHERE b = 'SECRET-CU"));
        assertEquals("SELECT a FROM t WHERE b = ?", redactCut("SELECT a FROM t WHERE b = 12345"));
        assertFalse(redactCut("SELECT a FROM t WHERE b = 0x1F2").contains("1F2"));
    }

    @Test
    void aWholeStatementIsNotMarkedCut() {
        final byte[] b = "SELECT a FROM t WHERE b = FALSE".getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[128]);
        final int n = redactor.redact(new UnsafeBuffer(b), 0, b.length, dst, 0, dst.capacity());
        assertEquals("SELECT a FROM t WHERE b = ?", dst.getStringWithoutLengthUtf8(0, n));
        assertFalse(redactor.truncated());
    }
}
