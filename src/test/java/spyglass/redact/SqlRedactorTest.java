package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class SqlRedactorTest {
    private final RedactorHarness h = new RedactorHarness();

    // ---------------------------------------------------------------- unclosed

    @Test
    void unclosedQuoteHidesTheRest() {
        h.run("SELECT a FROM t WHERE b = 'secret AND c = 42 -- */");
        assertEquals("SELECT a FROM t WHERE b = ?", h.redacted);
        assertEquals("select a from t where b = ?", h.fingerprint);
        assertTrue(h.redactor.unclosed());
        assertFalse(h.redactor.truncated());
    }

    @Test
    void unclosedDoubleQuoteAfterEscapeHidesTheRest() {
        h.run("SELECT \"secret\\\" still secret");
        assertEquals("SELECT ?", h.redacted);
        assertTrue(h.redactor.unclosed());
    }

    @Test
    void unclosedBackquoteHidesTheRest() {
        h.run("SELECT `col FROM t WHERE x = 'secret'");
        assertEquals("SELECT", h.redacted);
        assertEquals("select", h.fingerprint);
        assertTrue(h.redactor.unclosed());
    }

    @Test
    void unclosedBlockCommentHidesTheRest() {
        h.run("SELECT 1 /* secret 'x' ");
        assertEquals("SELECT ?", h.redacted);
        assertTrue(h.redactor.unclosed());
        h.run("SELECT 1 /* secret *");
        assertEquals("SELECT ?", h.redacted);
        assertTrue(h.redactor.unclosed());
    }

    @Test
    void closedStatementsAreNotUnclosedAndFlagsReset() {
        h.run("SELECT 'x");
        assertTrue(h.redactor.unclosed());
        h.run("SELECT 'x'");
        assertFalse(h.redactor.unclosed());
        h.run("SELECT `x`");
        assertFalse(h.redactor.unclosed());
        assertEquals("SELECT `x`", h.redacted);
        h.run("SELECT 1 /* c */");
        assertFalse(h.redactor.unclosed());
        h.run("SELECT 1 -- c");
        assertFalse(h.redactor.unclosed());
        assertEquals("SELECT ? --", h.redacted);
    }

    // ---------------------------------------------------------------- unclassifiable bytes

    @Test
    void controlBytesAndInvalidUtf8OutsideQuotesAreHidden() {
        final byte[] sql = bytes("SELECT a", 0x00, 0x01, 0x7F, "b, c", 0xC3, 0x28, "d, ", 0xFF, 0xFE, ", e", 0x80);
        h.run(sql, 1000);
        assertEquals("SELECT a?b, c?(d, ?, e?", h.redacted);
        assertEquals("select a ? b, c ? (d, ?, e ?", h.fingerprint);
        assertTrue(isAsciiOrValidUtf8(h.redactedBytes));
    }

    @Test
    void backquotedNameWithControlBytesOrInvalidUtf8IsHidden() {
        h.run(bytes("SELECT `a", 0x01, "b`, `c", 0xFF, "d`, `ok é` FROM t"), 1000);
        assertEquals("SELECT ?, ?, `ok é` FROM t", h.redacted);
        assertEquals("select ?, ?, `ok é` from t", h.fingerprint);
    }

    @Test
    void invalidUtf8AndControlBytesInsideQuotesAreJustPartOfTheLiteral() {
        final byte[] sql = bytes("SELECT '", 0xFF, 0x00, 0xC3, "x' FROM t");
        h.run(sql, 1000);
        assertEquals("SELECT ? FROM t", h.redacted);
    }

    @Test
    void validUtf8IdentifiersAreKeptAndTruncatedSequenceIsHidden() {
        h.run("SELECT 名前, émoji😀 FROM tâble");
        assertEquals("SELECT 名前, émoji😀 FROM tâble", h.redacted);
        final byte[] cut = bytes("SELECT ab", 0xE5, 0x90);
        h.run(cut, 1000);
        assertEquals("SELECT ab?", h.redacted);
        // overlong and surrogate encodings are not valid UTF-8
        h.run(bytes("SELECT ", 0xC0, 0xAF, ", ", 0xED, 0xA0, 0x80), 1000);
        assertEquals("SELECT ?, ?", h.redacted);
    }

    // ---------------------------------------------------------------- truncation

    @Test
    void truncationCutsBeforeTheLiteralNeverInsideIt() {
        final String sql = "SELECT 'abcdefghijkl' FROM t";
        h.run(sql, 7);
        assertEquals("SELECT", h.redacted);
        assertTrue(h.redactor.truncated());
        h.run(sql, 8);
        assertEquals("SELECT ?", h.redacted);
        assertTrue(h.redactor.truncated());
        h.run(sql, 12);
        assertEquals("SELECT ?", h.redacted);
        assertTrue(h.redactor.truncated());
        h.run(sql, 14);
        assertEquals("SELECT ? FROM", h.redacted);
        assertTrue(h.redactor.truncated());
        h.run(sql, 15);
        assertEquals("SELECT ? FROM t", h.redacted);
        assertFalse(h.redactor.truncated());
        h.run(sql, 0);
        assertEquals("", h.redacted);
        assertTrue(h.redactor.truncated());
    }

    @Test
    void truncationKeepsTheWholeFingerprintAndDigest() {
        final String sql = "SELECT a, b FROM t WHERE c = 'x' AND d IN (1, 2, 3)";
        h.run(sql);
        final String fingerprint = h.fingerprint;
        final long digest = h.digest();
        h.run(sql, 10);
        assertEquals("SELECT a,", h.redacted);
        assertTrue(h.redactor.truncated());
        assertEquals(fingerprint, h.fingerprint);
        assertEquals(digest, h.digest());
    }

    @Test
    void everyCapacityGivesATokenPrefixOfTheFullText() {
        final String sql = "INSERT INTO t (a, `b c`) VALUES (-12.5e3, 'it''s'), (x'1F', @v) /* c */ -- x\n;";
        h.run(sql);
        final String full = h.redacted;
        assertEquals("INSERT INTO t (a, `b c`) VALUES (?, ?), (?, @v) /* */ --\n;", full);
        int previous = 0;
        for (int cap = 0; cap <= full.length() + 2; cap++) {
            h.run(sql, cap);
            final String out = h.redacted;
            assertTrue(out.length() <= cap, "cap " + cap);
            assertTrue(full.startsWith(out), "cap " + cap + ": " + out);
            assertTrue(out.length() >= previous, "monotonic at " + cap);
            assertEquals(out.length() < full.length(), h.redactor.truncated(), "cap " + cap);
            assertFalse(out.endsWith(" "), "no dangling whitespace at " + cap);
            // a cut never leaves a partial token: the next byte of the full text is whitespace or a token start
            if (out.length() > 0 && out.length() < full.length()) {
                final char last = out.charAt(out.length() - 1);
                final char next = full.charAt(out.length());
                assertFalse(Character.isLetterOrDigit(last) && Character.isLetterOrDigit(next), "cap " + cap);
                assertFalse(last == '`' && out.chars().filter(ch -> ch == '`').count() % 2 == 1, "cap " + cap);
            }
            previous = out.length();
        }
    }

    // ---------------------------------------------------------------- fingerprint cap and digest

    @Test
    void fingerprintIsCutAtATokenBoundaryAtItsMaximum() {
        final RedactorHarness small = new RedactorHarness(new SqlRedactor(16));
        small.run("select a, b, c, d, e, f");
        assertEquals("select a, b, c,", small.fingerprint);
        assertTrue(small.redactor.fingerprintTruncated());
        assertEquals("select a, b, c, d, e, f", small.redacted);
        assertEquals(FingerprintHash.hash(new UnsafeBuffer("select a, b, c,".getBytes(StandardCharsets.US_ASCII)),
            0, 15), small.digest());
    }

    @Test
    void longInListCollapsesEvenPastTheFingerprintMaximum() {
        final RedactorHarness small = new RedactorHarness(new SqlRedactor(32));
        final StringBuilder sql = new StringBuilder("SELECT x FROM t WHERE a IN (");
        for (int i = 0; i < 5000; i++) {
            sql.append(i == 0 ? "" : ", ").append(100000 + i);
        }
        sql.append(")");
        small.run(sql.toString());
        assertEquals("select x from t where a in(?+)", small.fingerprint);
        assertFalse(small.redactor.fingerprintTruncated());
        final long digest = small.digest();
        small.run("select x from t where a in (?)");
        assertEquals(digest, small.digest());
    }

    @Test
    void hugeMultiRowInsertHasTheDigestOfASingleRow() {
        final StringBuilder sql = new StringBuilder("INSERT INTO t (a, b, c) VALUES ");
        for (int i = 0; i < 20000; i++) {
            sql.append(i == 0 ? "" : ",").append("(").append(i).append(", 'v").append(i).append("', NULL)");
        }
        h.run(sql.toString());
        assertEquals("insert into t(a, b, c) values(?+)", h.fingerprint);
        final long digest = h.digest();
        h.run("insert into t (a,b,c) values (?,?,?)");
        assertEquals(digest, h.digest());
    }

    @Test
    void digestGroupsStatementsThatDifferOnlyByLiterals() {
        final long point = h.run("SELECT c FROM sbtest1 WHERE id=5017").digest();
        assertEquals(point, h.run("select c from sbtest1 where id = 1").digest());
        assertEquals(point, h.run("SELECT  c\nFROM `sbtest1` /* x */ WHERE id=? ;").digest());
        assertEquals(point, h.run("SELECT c FROM sbtest1 WHERE id='x'").digest());
        assertNotEquals(point, h.run("SELECT c FROM sbtest2 WHERE id=5017").digest());
        assertNotEquals(point, h.run("SELECT k FROM sbtest1 WHERE id=5017").digest());

        final long in = h.run("SELECT * FROM t WHERE a IN (1,2,3)").digest();
        assertEquals(in, h.run("SELECT * FROM t WHERE a IN (4)").digest());
        assertEquals(in, h.run("SELECT * FROM t WHERE a in ( 'x' , NULL , ? )").digest());
        assertNotEquals(in, h.run("SELECT * FROM t WHERE a NOT IN (1,2,3)").digest());
    }

    @Test
    void backquotesStayWhereTheNameWouldReadOtherwiseWithoutThem() {
        // one column named "a b" against column a aliased b
        assertEquals("select `a b` from t1", h.run("SELECT `a b` FROM t1").fingerprint);
        final long quotedSpace = h.digest();
        assertEquals("select a b from t1", h.run("SELECT a b FROM t1").fingerprint);
        assertNotEquals(quotedSpace, h.digest());
        // one column named "t1.a" against column a of t1
        assertEquals("select `t1.a` from t1", h.run("SELECT `t1.a` FROM t1").fingerprint);
        final long quotedDot = h.digest();
        assertEquals("select t1.a from t1", h.run("SELECT t1.a FROM t1").fingerprint);
        assertNotEquals(quotedDot, h.digest());
        assertEquals(h.digest(), h.run("SELECT `t1`.`a` FROM `t1`").digest());
        // a doubled backquote stays doubled, so the name stays one name
        assertEquals("create table `db``x`.t(id int)", h.run("CREATE TABLE `db``x`.`t` (`id` INT)").fingerprint);
        // a variable with a quoted name against a variable and an alias
        assertEquals("select @`x y`", h.run("SELECT @`x y`").fingerprint);
        final long quotedVar = h.digest();
        assertEquals("select @x y", h.run("SELECT @x y").fingerprint);
        assertNotEquals(quotedVar, h.digest());
        // a variable's name quoted or not: the same variable, the same group
        assertEquals("select a from t where b = @v", h.run("SELECT a FROM t WHERE b = @`v`").fingerprint);
        assertEquals(h.digest(), h.run("SELECT a FROM t WHERE b = @v").digest());
        // plain names read the same either way: one group
        assertEquals(h.run("SELECT `Total` FROM `Sales`").digest(), h.run("select total from sales").digest());
        // a name of digits is not the number
        assertEquals("select `123` from t", h.run("SELECT `123` FROM t").fingerprint);
        assertNotEquals(h.digest(), h.run("SELECT 123 FROM t").digest());
    }

    @Test
    void rowConstructorsCollapseLikeBareRows() {
        h.run("VALUES ROW(13030, 13131), ROW(13232, 13333)");
        assertEquals("VALUES ROW(?, ?), ROW(?, ?)", h.redacted);
        assertEquals("values row(?+)", h.fingerprint);
        final long rows = h.digest();
        assertEquals(rows, h.run("VALUES ROW(1)").digest());
        assertEquals(rows, h.run("values row ( 'a' , NULL ),row(?,?),  ROW(3, 4)").digest());
        assertNotEquals(rows, h.run("VALUES (1, 2), (3, 4)").digest());
        assertEquals("values(?+)", h.fingerprint);

        h.run("INSERT INTO t VALUES ROW(1, now()), ROW(2, now()), ROW(3, now())");
        assertEquals("insert into t values row(?, now())", h.fingerprint);
        assertEquals(h.digest(), h.run("INSERT INTO t VALUES ROW(9, NOW())").digest());
    }

    @Test
    void digestAlgorithmIsPinned() {
        // these values are written into capture files: a change here breaks every saved digest
        assertEquals(0x9CA066F1A4AB2EEAL, hash(""));
        assertEquals(0x28A64B7AC0CFF390L, hash("select c from sbtest1 where id = ?"));
        assertEquals(0x5742F3E39C51AAE1L, hash("begin"));
        assertNotEquals(hash("ab"), hash("ab\0"));
        final UnsafeBuffer hex = new UnsafeBuffer(new byte[16]);
        assertEquals(16, FingerprintHash.putHex(0x0123456789ABCDEFL, hex, 0));
        assertEquals("0123456789abcdef", hex.getStringWithoutLengthAscii(0, 16));
    }

    private static long hash(String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return FingerprintHash.hash(new UnsafeBuffer(b), 0, b.length);
    }

    // ---------------------------------------------------------------- looksLikeStatement

    @Test
    void looksLikeStatementAcceptsStatementStarts() {
        for (String s : new String[] {
            "SELECT 1", "  select 1", "(SELECT 1) UNION (SELECT 2)", "/* c */ INSERT INTO t VALUES (1)",
            "-- c\nUPDATE t SET a=1", "# c\r\nDELETE FROM t", "/*!40101 SET NAMES utf8 */", "/*M!100101 SET x=1*/",
            "BEGIN", "commit", "call p()", "show tables", "XA START 'x'", "DESC t", "SELECT\t1", "select*from t",
            "Use db", "with x as (select 1) select * from x", "SET@a=1", "KILL 5", "table t", "values row(1)",
            "deallocate prepare s", "CHECKSUM TABLE t", "get diagnostics", "((select 1))"}) {
            assertTrue(looks(s), s);
        }
    }

    @Test
    void looksLikeStatementRejectsNoise() {
        for (String s : new String[] {
            "", "   ", "SELECTX 1", "SELECT_1", "SEL", "hello world", "1 SELECT", "SELECTé", "select1",
            "/* unclosed SELECT", "'SELECT 1'", "`select`", "-SELECT", "--SELECT 1", "selects", "DESCRIBEX"}) {
            assertFalse(looks(s), s);
        }
        assertFalse(looks(bytes(0x00, "SELECT 1")));
        assertFalse(looks(bytes("SELECT 1 ", 0x01)));
        assertFalse(looks(bytes("SELECT 1 ", 0x7F)));
        assertFalse(looks(bytes(0x03, 0x00, 0x00, 0x00, 0x16)));
        // a control byte after the first 256 bytes is not looked at
        assertTrue(looks(bytes("SELECT " + "a".repeat(300), 0x01)));
        assertTrue(looks(bytes("SELECT ", 0xE2, 0x82, 0xAC)));
    }

    @Test
    void looksLikeStatementHonoursOffsetAndLength() {
        final byte[] b = "xxSELECT 1yy".getBytes(StandardCharsets.US_ASCII);
        assertTrue(SqlRedactor.looksLikeStatement(new UnsafeBuffer(b), 2, 8));
        assertTrue(SqlRedactor.looksLikeStatement(new UnsafeBuffer(b), 2, 6));
        assertFalse(SqlRedactor.looksLikeStatement(new UnsafeBuffer(b), 2, 5));
        assertFalse(SqlRedactor.looksLikeStatement(new UnsafeBuffer(b), 0, 8));
    }

    private static boolean looks(String s) {
        return looks(s.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean looks(byte[] b) {
        return SqlRedactor.looksLikeStatement(new UnsafeBuffer(b), 0, b.length);
    }

    // ---------------------------------------------------------------- helpers

    /** Strings (UTF-8) and ints (single raw bytes) concatenated. */
    static byte[] bytes(Object... parts) {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    static boolean isAsciiOrValidUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
