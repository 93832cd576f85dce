package spyglass.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.redact.TableReferences;

/**
 * {@link TableReferences#extract} over arbitrary bytes and over statements glued from SQL tokens: no
 * exception, at most the capacity kept, every reported name a whole word or backquoted name inside
 * the input, each (schema, table) once, copies no longer than the token, and the same answer whatever
 * bytes surround the input.
 */
class TableReferencesFuzzTest {
    private static final int PAD = 3;

    /** Input: byte 0 the capacity (1 + byte % 70); the rest is the statement. */
    @FuzzTest(maxDuration = "3m")
    void anyBytes(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int capacity = 1 + in.u8() % 70;
        check(capacity, in.rest());
    }

    /**
     * What a redacted statement is made of, so the fuzzer reaches deep states quickly: keywords that
     * start table lists, names plain, qualified and backquoted (odd ones included), punctuation, the
     * comment markers a redacted text keeps, and a few bytes it never holds.
     */
    static final String[] TOKENS = {
        "SELECT", "FROM", "JOIN", "LEFT", "INNER", "CROSS", "NATURAL", "STRAIGHT_JOIN", "ON", "USING", "WHERE",
        "UPDATE", "SET", "INSERT", "REPLACE", "INTO", "IGNORE", "LOW_PRIORITY", "DELETE", "TABLE", "TABLES", "CREATE",
        "DROP", "ALTER", "RENAME", "TO", "TRUNCATE", "LOCK", "READ", "WRITE", "LOCAL", "DESCRIBE", "DESC", "EXPLAIN",
        "ANALYZE", "FORMAT", "SHOW", "COLUMNS", "INDEX", "KEYS", "IN", "WITH", "RECURSIVE", "AS", "UNION", "VALUES",
        "DUAL", "LATERAL", "PARTITION", "USE", "FORCE", "FOR", "ORDER", "BY", "IF", "NOT", "EXISTS", "LIKE",
        "REFERENCES", "HANDLER", "GRANT", "json_table", "t", "t1", "db", "c", "2fa", "tâble", "名前", "`t`",
        "`my table`", "`a.b`", "`a``b`", "`select`", "`", "``", "?", "@v", ":p", ".", ",", "(", ")", ";", "=", "*",
        "'s'", "\"d\"", "/* */", "/*", "*/", "/*!50001", "/*M!100101", "/*+ BKA(t) */", "--", "-- \n", "#", "\n",
        " ", "\u0000", "\u00ff", "123",
    };

    /** Input: byte 0 the capacity; then per token a separator byte (bit 0: a space before) and a token byte. */
    @FuzzTest(maxDuration = "3m")
    void sqlTokens(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int capacity = 1 + in.u8() % 70;
        final StringBuilder sql = new StringBuilder();
        while (in.remaining() >= 2) {
            if ((in.u8() & 1) != 0) {
                sql.append(' ');
            }
            sql.append(TOKENS[in.u8() % TOKENS.length]);
        }
        check(capacity, sql.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void check(final int capacity, final byte[] sql) {
        final TableReferences refs = new TableReferences(capacity);
        // An exact buffer: any read outside the input throws.
        final int n = refs.extract(new UnsafeBuffer(sql), 0, sql.length);
        assertEquals(n, refs.count());
        assertTrue(n >= 0 && n <= capacity, n + " references, capacity " + capacity);
        assertTrue(refs.dropped() >= 0);
        final List<String> found = describe(refs, sql, 0);

        // The same statement at an offset, between bytes that would extend a word or open a name if read.
        final byte[] padded = new byte[sql.length + 2 * PAD];
        Arrays.fill(padded, (byte) 'x');
        padded[PAD - 1] = '`';
        padded[padded.length - PAD] = '`';
        System.arraycopy(sql, 0, padded, PAD, sql.length);
        final TableReferences again = new TableReferences(capacity);
        assertEquals(n, again.extract(new UnsafeBuffer(padded), PAD, sql.length));
        assertEquals(found, describe(again, padded, PAD), "the answer depends on the bytes around the input");
        assertEquals(refs.dropped(), again.dropped());
    }

    /** Checks each reference and renders them as "offset:length/offset:length" relative to the input. */
    private static List<String> describe(final TableReferences refs, final byte[] buffer, final int offset) {
        final int length = buffer.length - 2 * offset;
        final List<String> out = new ArrayList<>();
        final Set<String> distinct = new HashSet<>();
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length + 1]);
        for (int i = 0; i < refs.count(); i++) {
            final int t = refs.tableOffset(i);
            final int tl = refs.tableLength(i);
            assertName(buffer, offset, length, t, tl, refs.tableQuoted(i), "table");
            final int copied = refs.copyTable(i, copy, 0);
            assertTrue(copied > 0 && copied <= tl);
            assertEquals(refs.table(i), copy.getStringWithoutLengthUtf8(0, copied));
            // Compared as bytes: names of invalid UTF-8 that differ may decode to the same String.
            final String table = Arrays.toString(Arrays.copyOf(copy.byteArray(), copied));
            String schema = null;
            String position = (t - offset) + ":" + tl;
            if (refs.hasSchema(i)) {
                final int s = refs.schemaOffset(i);
                final int sl = refs.schemaLength(i);
                assertName(buffer, offset, length, s, sl, refs.schemaQuoted(i), "schema");
                // (SHOW COLUMNS FROM t FROM db names the schema after the table.)
                assertTrue(s + sl <= t || t + tl <= s, "the schema and the table overlap");
                final int schemaCopied = refs.copySchema(i, copy, 0);
                assertTrue(schemaCopied > 0 && schemaCopied <= sl);
                assertEquals(refs.schema(i), copy.getStringWithoutLengthUtf8(0, schemaCopied));
                schema = Arrays.toString(Arrays.copyOf(copy.byteArray(), schemaCopied));
                position = (s - offset) + ":" + sl + "/" + position;
            } else {
                assertEquals(-1, refs.schemaOffset(i));
                assertEquals(0, refs.schemaLength(i));
                assertFalse(refs.schemaQuoted(i));
                assertEquals(0, refs.copySchema(i, copy, 0));
                assertNull(refs.schema(i));
            }
            if (!distinct.add(schema + "\u0000" + table)) {
                fail("reported twice: " + refs.schema(i) + "." + refs.table(i));
            }
            out.add(position);
        }
        return out;
    }

    /** A whole word (not all digits) or a closed backquoted name, inside the input. */
    private static void assertName(final byte[] buffer, final int offset, final int length, final int at, final int n,
                                   final boolean quoted, final String what) {
        assertTrue(at >= offset && n > 0 && at + n <= offset + length, what + " at " + at + "+" + n + " outside the input");
        final byte first = buffer[at];
        assertEquals(first == '`', quoted);
        if (quoted) {
            assertTrue(n > 2 && buffer[at + n - 1] == '`', what + " backquote not closed, or empty");
            for (int i = at + 1; i < at + n - 1; i++) {
                if (buffer[i] == '`') {
                    assertEquals('`', buffer[++i], what + ": a lone backquote inside a backquoted name");
                    assertTrue(i < at + n - 1, what + ": a lone backquote inside a backquoted name");
                }
            }
            return;
        }
        boolean digitsOnly = true;
        for (int i = at; i < at + n; i++) {
            final int b = buffer[i] & 0xFF;
            assertTrue(wordByte(b), what + " holds a byte " + b + " that is not part of a word");
            digitsOnly &= b >= '0' && b <= '9';
        }
        assertFalse(digitsOnly, what + " is a number");
        assertTrue(at == offset || !wordByte(buffer[at - 1] & 0xFF) || afterVersion(buffer, offset, at),
            what + " starts inside a word");
        assertTrue(at + n == offset + length || !wordByte(buffer[at + n] & 0xFF), what + " ends inside a word");
    }

    /** Whether {@code at} follows the version of an executable comment, as {@code t} in {@code /*!50001t}. */
    private static boolean afterVersion(final byte[] buffer, final int offset, final int at) {
        int i = at;
        while (i > offset && buffer[i - 1] >= '0' && buffer[i - 1] <= '9') {
            i--;
        }
        final boolean bang = i - 3 >= offset && buffer[i - 1] == '!' && buffer[i - 2] == '*' && buffer[i - 3] == '/';
        final boolean mariaDb = i - 4 >= offset && buffer[i - 1] == '!' && buffer[i - 2] == 'M' && buffer[i - 3] == '*'
            && buffer[i - 4] == '/';
        return i < at && (bang || mariaDb);
    }

    private static boolean wordByte(final int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '$'
            || b >= 0x80;
    }
}
