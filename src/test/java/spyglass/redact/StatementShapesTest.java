package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * A statement answered from a remembered shape says exactly what lexing it says: the same shapes
 * filled with values of every kind (some the shape cannot take, which must fall back), answered by
 * one long-lived redactor and, each, by a fresh one that has never seen a shape.
 */
class StatementShapesTest {
    /** Shapes; each {} takes a random value. */
    private static final String[] SHAPES = {
        "SELECT c FROM sbtest1 WHERE id={}",
        "SELECT c FROM sbtest1 WHERE id = {}",
        "SELECT id, name FROM users WHERE email = {} AND status IN ({}, {}, {}) ORDER BY id LIMIT {}",
        "UPDATE accounts SET note = {}, balance = balance + {} WHERE id = {}",
        "INSERT INTO t (a, b, c) VALUES ({}, {}, {}), ({}, {}, {})",
        "select user0_.id as id1_0_, user0_.email as email2_0_ from users user0_ where user0_.email={} and user0_.age>{}",
        "DELETE FROM sessions WHERE expires < {} AND user_id = {};",
        "SELECT * FROM t WHERE a = {} -- {}\n AND b = {}",
        "SELECT /*+ MAX_EXECUTION_TIME({}) */ a FROM t WHERE b LIKE {}",
        "SELECT a FROM t WHERE b = {}.{} OR c = {}",
        "SELECT {}",
        "  SELECT a FROM t1 WHERE x IN ({}) AND y = {}  ",
        // one key, many shapes: an ORM's IN list of every length
        "select o.id from orders o where o.customer_id in ({}, {}) and o.day >= {}",
        "select o.id from orders o where o.customer_id in ({}, {}, {}) and o.day >= {}",
        "select o.id from orders o where o.customer_id in ({}, {}, {}, {}, {}) and o.day >= {}",
        "select o.id from orders o where o.customer_id in ({}, {}, {}, {}, {}, {}, {}, {}) and o.day >= {}",
        "select o.id from orders o where o.customer_id in ({},{},{},{},{},{},{},{},{},{},{},{},{}) and o.day >= {}",
        // comments whose bodies differ from statement to statement; [] takes a random body
        "SELECT a FROM t WHERE b = {} /*[]*/",
        "/* load []*/ select o.id from orders o where o.id = {}",
        "SELECT a FROM t WHERE b = {} -- []",
        "SELECT a FROM t -- []\nWHERE b = {} # []\n AND c = {}",
        "SELECT a FROM t WHERE b = {} --[]",
        "SELECT a /* [] */, {} FROM t WHERE c IN ({}, /*[]*/ {})",
        // more literals than the old limit of 256
        "INSERT INTO e (a, b, c) VALUES " + "({}, {}, NOW()), ".repeat(149) + "({}, {}, NOW())",
    };

    private static String value(final Random rnd) {
        // mostly what a shape takes (integers, strings), as applications send; now and then what it cannot
        return switch (rnd.nextInt(60)) {
            case 0, 1, 2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                 37, 38, 39 -> Integer.toString(rnd.nextInt(100_000));
            case 3, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51 -> "'" + word(rnd) + "'";
            case 4, 52, 53 -> "\"" + word(rnd) + "\"";
            case 5, 54, 55 -> "'it''s " + word(rnd) + "'";
            case 6, 56, 57 -> "'back\\'slash " + word(rnd) + "'";
            case 7 -> "-" + rnd.nextInt(100);
            case 8 -> rnd.nextInt(100) + "." + rnd.nextInt(100);
            case 9 -> "1e" + rnd.nextInt(9);
            case 10 -> "0x" + Integer.toHexString(rnd.nextInt());
            case 11 -> rnd.nextBoolean() ? "TRUE" : "NULL";
            case 12 -> "_utf8mb4'" + word(rnd) + "'";
            default -> "'" + word(rnd) + "\\n" + word(rnd) + "'";
        };
    }

    /** The next {} or [] in {@code shape} from {@code from}, or -1. */
    private static int next(final String shape, final int from) {
        final int value = shape.indexOf("{}", from);
        final int comment = shape.indexOf("[]", from);
        return value < 0 ? comment : comment < 0 ? value : Math.min(value, comment);
    }

    /** A comment's body: mostly text a shape takes, now and then what ends, opens or changes a comment. */
    private static String commentBody(final Random rnd) {
        return switch (rnd.nextInt(24)) {
            case 0 -> "";
            case 1 -> "!" + word(rnd);
            case 2 -> "+ " + word(rnd);
            case 3 -> "M!" + word(rnd);
            case 4 -> "*";
            case 5 -> word(rnd) + " */ " + word(rnd);
            case 6 -> word(rnd) + "\n" + word(rnd);
            case 7 -> "\t" + word(rnd);
            case 8 -> " it's " + rnd.nextInt(1000);
            case 9 -> " 'unclosed " + word(rnd);
            case 10 -> " /* " + word(rnd);
            case 11 -> "traceparent='00-" + Long.toHexString(rnd.nextLong()) + "-01'";
            default -> " " + word(rnd) + " " + rnd.nextInt(100);
        };
    }

    private static String word(final Random rnd) {
        final StringBuilder sb = new StringBuilder();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            sb.append((char) ('a' + rnd.nextInt(26)));
        }
        return sb.toString();
    }

    @Test
    void aKnownShapeAnswersExactlyAsLexingDoes() {
        final Random rnd = new Random(20261124);
        final int[] modes = {SqlRedactor.BACKSLASH_ESCAPES, SqlRedactor.NO_BACKSLASH_ESCAPES, SqlRedactor.BACKSLASH_MODE_UNKNOWN};
        final SqlRedactor warm = new SqlRedactor();
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        final UnsafeBuffer freshOut = new UnsafeBuffer(new byte[4096]);
        final UnsafeBuffer fp = new UnsafeBuffer(new byte[4096]);
        final UnsafeBuffer freshFp = new UnsafeBuffer(new byte[4096]);
        for (int i = 0; i < 40_000; i++) {
            final String shape = SHAPES[rnd.nextInt(SHAPES.length)];
            final StringBuilder sb = new StringBuilder();
            int from = 0;
            for (int at = next(shape, 0); at >= 0; at = next(shape, from)) {
                sb.append(shape, from, at).append(shape.charAt(at) == '{' ? value(rnd) : commentBody(rnd));
                from = at + 2;
            }
            final String sql = sb.append(shape.substring(from)).toString();
            final byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
            final int mode = modes[rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(2) : 0];
            final int cap = rnd.nextInt(10) == 0 ? rnd.nextInt(60) : 4096;
            warm.backslashMode(mode);
            final int n = warm.redact(new UnsafeBuffer(bytes), 0, bytes.length, out, 0, cap);
            final SqlRedactor fresh = new SqlRedactor();
            fresh.backslashMode(mode);
            final int m = fresh.redact(new UnsafeBuffer(bytes), 0, bytes.length, freshOut, 0, cap);
            final String context = "case " + i + " mode " + mode + " cap " + cap + ": " + sql;
            assertEquals(freshOut.getStringWithoutLengthUtf8(0, m), out.getStringWithoutLengthUtf8(0, n), context);
            assertEquals(fresh.fingerprint(freshFp, 0, 4096) > -1 ? freshFp.getStringWithoutLengthUtf8(0, fresh.fingerprintLength()) : null,
                warm.fingerprint(fp, 0, 4096) > -1 ? fp.getStringWithoutLengthUtf8(0, warm.fingerprintLength()) : null, context);
            assertEquals(fresh.digest(), warm.digest(), context);
            assertEquals(fresh.truncated(), warm.truncated(), context);
            assertEquals(fresh.unclosed(), warm.unclosed(), context);
            assertEquals(fresh.fingerprintTruncated(), warm.fingerprintTruncated(), context);
        }
        // The answers compared above include thousands from shapes (a third of the shapes here never
        // become one: comments, hints, a trailing ';' and fractions take the state machine).
        assertTrue(warm.shapeHits() > 3_000, "hits " + warm.shapeHits() + ", misses " + warm.shapeMisses());
    }

    @Test
    void anApplicationsStatementsComeBackFromTheirShapes() {
        final RedactorHarness h = new RedactorHarness();
        for (int i = 0; i < 1000; i++) {
            h.run("SELECT c FROM sbtest" + (1 + i % 4) + " WHERE id=" + (i * 7919 % 100_000));
            assertEquals("SELECT c FROM sbtest" + (1 + i % 4) + " WHERE id=?", h.redacted);
            h.run("UPDATE sbtest1 SET c='" + "x".repeat(i % 120) + "' WHERE id=" + i);
            assertEquals("UPDATE sbtest1 SET c=? WHERE id=?", h.redacted);
        }
        // five shapes (four tables and the UPDATE), each lexed once
        assertEquals(2000 - 5, h.redactor.shapeHits());
    }

    @Test
    void anInListOfEightLengthsKeepsEightShapesUnderOneKey() {
        final RedactorHarness h = new RedactorHarness();
        final int[] lengths = {1, 2, 3, 5, 8, 13, 21, 34};
        for (int round = 0; round < 10; round++) {
            for (final int length : lengths) {
                final StringBuilder list = new StringBuilder();
                final StringBuilder marks = new StringBuilder();
                for (int i = 0; i < length; i++) {
                    list.append(i == 0 ? "" : ", ").append(round * 1000 + i * 17);
                    marks.append(i == 0 ? "" : ", ").append('?');
                }
                h.run("select o.id from orders o where o.customer_id in (" + list + ") order by o.id");
                assertEquals("select o.id from orders o where o.customer_id in (" + marks + ") order by o.id", h.redacted);
                assertEquals("select o.id from orders o where o.customer_id in(?+) order by o.id", h.fingerprint);
            }
        }
        // each length lexed once, then always answered from its shape: none evicts another
        assertEquals(lengths.length, h.redactor.shapeMisses());
        assertEquals(9 * lengths.length, h.redactor.shapeHits());
    }

    @Test
    void aHundredRowInsertComesBackFromItsShape() {
        final RedactorHarness h = new RedactorHarness();
        for (int round = 0; round < 3; round++) {
            final StringBuilder sql = new StringBuilder("INSERT INTO events (user_id, kind, payload) VALUES ");
            for (int row = 0; row < 100; row++) {
                sql.append(row == 0 ? "" : ", ").append('(').append(round * 7919 + row).append(", 'kind number ").append(row % 7)
                    .append("', '{\\\"page\\\": \\\"/cart/").append(row * round).append("\\\"}')");
            }
            assertTrue(sql.length() > 4096, "longer than the old 4 KiB limit: " + sql.length());
            h.run(sql.toString());
            assertEquals("INSERT INTO events (user_id, kind, payload) VALUES " + "(?, ?, ?), ".repeat(99) + "(?, ?, ?)",
                h.redacted);
            assertEquals("insert into events(user_id, kind, payload) values(?+)", h.fingerprint);
        }
        assertEquals(2, h.redactor.shapeHits());
    }

    @Test
    void aCommentThatDiffersPerStatementComesBackFromItsShape() {
        final RedactorHarness h = new RedactorHarness();
        for (int i = 0; i < 100; i++) {
            h.run("SELECT c FROM t WHERE id = " + i + " /*traceparent='00-" + Long.toHexString(i * 0x9E3779B97F4A7C15L)
                + "-01',route='/cart/" + i + "'*/");
            assertEquals("SELECT c FROM t WHERE id = ? /* */", h.redacted);
            h.run("SELECT COUNT(*) FROM events WHERE user_id = " + i + " -- dashboard widget " + i % 7 + "\nAND kind = 'x'");
            assertEquals("SELECT COUNT(*) FROM events WHERE user_id = ? --\nAND kind = ?", h.redacted);
            assertEquals("select count(*) from events where user_id = ? and kind = ?", h.fingerprint);
            h.run("# report " + i + "\nSELECT a FROM t WHERE b = " + i);
            assertEquals("#\nSELECT a FROM t WHERE b = ?", h.redacted);
        }
        assertEquals(3 * 99, h.redactor.shapeHits());
        // a body that makes it something else is lexed, and rightly
        h.run("SELECT c FROM t WHERE id = 5 /*!50000 STRAIGHT_JOIN */");
        assertEquals("SELECT c FROM t WHERE id = ? /*!50000 STRAIGHT_JOIN */", h.redacted);
        h.run("SELECT COUNT(*) FROM events WHERE user_id = 5 --1\nAND kind = 'x'");
        assertEquals("SELECT COUNT(*) FROM events WHERE user_id = ? -?\nAND kind = ?", h.redacted); // minus, then -1
        assertEquals(3 * 99, h.redactor.shapeHits());
    }

    @Test
    void theShapesNeverHoldMoreThanTheirBudget() {
        final RedactorHarness h = new RedactorHarness();
        // distinct shapes of 12 KiB each: their names differ in the key's 64 bytes, so they spread over the sets
        final String filler = "x".repeat(12_000);
        for (int i = 0; i < 600; i++) {
            h.run("SELECT a" + i + " /* " + filler + " */ FROM t WHERE b = " + i);
            assertEquals("SELECT a" + i + " /* */ FROM t WHERE b = ?", h.redacted);
        }
        final StatementShapes shapes = h.redactor.shapes();
        assertTrue(shapes.heldBytes() <= StatementShapes.BUDGET_BYTES, "held " + shapes.heldBytes());
        assertTrue(shapes.heldBytes() > StatementShapes.BUDGET_BYTES / 2, "held " + shapes.heldBytes());
        assertTrue(shapes.overBudget() > 0, "nothing was turned away");
        // what was kept still answers, and what was not is lexed, both rightly
        final long hits = h.redactor.shapeHits();
        for (int i = 0; i < 600; i++) {
            h.run("SELECT a" + i + " /* " + filler + " */ FROM t WHERE b = " + (i + 1));
            assertEquals("SELECT a" + i + " /* */ FROM t WHERE b = ?", h.redacted);
        }
        assertTrue(h.redactor.shapeHits() - hits > 200, "hits " + (h.redactor.shapeHits() - hits));
    }

    @Test
    void aValueTheShapeCannotTakeIsLexed() {
        final RedactorHarness h = new RedactorHarness();
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", h.run("SELECT a FROM t WHERE b = 1 AND c = 'x'").redacted);
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", h.run("SELECT a FROM t WHERE b = 22 AND c = 'yy'").redacted);
        assertEquals(1, h.redactor.shapeHits());
        // a sign, a fraction, a word, an unclosed quote in the same places: lexed, and right
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", h.run("SELECT a FROM t WHERE b = -3 AND c = 'x'").redacted);
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", h.run("SELECT a FROM t WHERE b = 3.5 AND c = 'x'").redacted);
        assertEquals("SELECT a FROM t WHERE b = d AND c = ?", h.run("SELECT a FROM t WHERE b = d AND c = 'x'").redacted);
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", h.run("SELECT a FROM t WHERE b = 3 AND c = 'x").redacted);
        assertTrue(h.redactor.unclosed());
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", h.run("SELECT a FROM t WHERE b = 3 AND c = 'x''y'").redacted);
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ? ?", h.run("SELECT a FROM t WHERE b = 3 AND c = 'x' 'y'").redacted);
        assertEquals("SELECT a FROM t WHERE b = ?x AND c = ?", h.run("SELECT a FROM t WHERE b = 3x AND c = 'x'").redacted.replace("3x", "?x"));
    }
}
