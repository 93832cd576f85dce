package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Statements from a small grammar, with literals of every form in value positions, each literal
 * carrying a distinctive token; none of those tokens may survive redaction or fingerprinting,
 * while every identifier must.
 */
class SqlRedactorPropertyTest {
    private static final int CASES = 6000;
    /** Letters that cannot spell TRUE, FALSE or a keyword fragment worth worrying about. */
    private static final String ID_LETTERS = "bcdghijkmnopqwxyz";
    private static final String ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final Random rnd = new Random(0x5EC2E7L);

    /** The statement being built, its secrets and its identifiers. */
    private ByteArrayOutputStream sql;
    private final List<String> secrets = new ArrayList<>();
    private final List<String> identifiers = new ArrayList<>();
    private boolean usedBoolean;

    @Test
    void noLiteralSurvivesAndEveryIdentifierDoes() {
        final RedactorHarness h = new RedactorHarness();
        for (int i = 0; i < CASES; i++) {
            generate();
            final byte[] statement = sql.toByteArray();
            h.run(statement, 1 << 19);
            final String input = new String(statement, StandardCharsets.UTF_8);
            final String redacted = h.redacted;
            final String fingerprint = h.fingerprint;
            final String context = "case " + i + "\n  in:  " + input + "\n  out: " + redacted + "\n  fp:  " + fingerprint;
            for (String secret : secrets) {
                if (redacted.contains(secret) || fingerprint.contains(secret.toLowerCase(Locale.ROOT))
                    || fingerprint.contains(secret)) {
                    fail("literal " + secret + " leaked: " + context);
                }
            }
            for (String id : identifiers) {
                assertTrue(redacted.contains(id), "identifier " + id + " lost: " + context);
                assertTrue(fingerprint.contains(id.toLowerCase(Locale.ROOT)), "identifier " + id + " lost: " + context);
            }
            if (usedBoolean) {
                final String lower = redacted.toLowerCase(Locale.ROOT);
                assertFalse(lower.contains("true") || lower.contains("false"), context);
                assertFalse(fingerprint.contains("true") || fingerprint.contains("false"), context);
            }
            assertFalse(redacted.indexOf('\'') >= 0 || redacted.indexOf('"') >= 0, context);
            assertFalse(fingerprint.indexOf('\'') >= 0 || fingerprint.indexOf('"') >= 0, context);
            assertTrue(SqlRedactorTest.isAsciiOrValidUtf8(h.redactedBytes), context);
            assertFalse(h.redactor.unclosed(), context);
            assertFalse(h.redactor.truncated(), context);
        }
    }

    @Test
    void cutStatementsAndRandomBytesNeverThrowNorShowQuotes() {
        final SqlRedactor redactor = new SqlRedactor(256);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        final UnsafeBuffer fp = new UnsafeBuffer(new byte[1 << 16]);
        for (int i = 0; i < 3000; i++) {
            final byte[] statement;
            if (i % 3 == 0) {
                statement = new byte[rnd.nextInt(200)];
                rnd.nextBytes(statement);
            } else {
                generate();
                final byte[] whole = sql.toByteArray();
                final byte[] cut = new byte[rnd.nextInt(whole.length + 1)];
                System.arraycopy(whole, 0, cut, 0, cut.length);
                statement = cut;
            }
            final int cap = rnd.nextInt(400);
            final int n = redactor.redact(new UnsafeBuffer(statement), 0, statement.length, out, 0, cap);
            assertTrue(n <= cap);
            final byte[] text = new byte[n];
            out.getBytes(0, text);
            final String s = new String(text, StandardCharsets.UTF_8);
            assertFalse(s.indexOf('\'') >= 0 || s.indexOf('"') >= 0, s);
            assertTrue(SqlRedactorTest.isAsciiOrValidUtf8(text), s);
            assertTrue(redactor.fingerprint(fp, 0, fp.capacity()) <= 256);
            for (String secret : secrets) {
                if (i % 3 != 0 && s.contains(secret)) {
                    fail("literal " + secret + " leaked from a cut statement: " + s);
                }
            }
            SqlRedactor.looksLikeStatement(new UnsafeBuffer(statement), 0, statement.length);
        }
    }

    /**
     * The streaming form gives exactly what the whole-statement form gives, whatever the chunks:
     * grammar statements, cut ones and random bytes, split at random points (single bytes, inside
     * UTF-8 sequences, tokens and comment markers), in every backslash mode and with text caps
     * that cut the output. The planted literals are checked in the streamed output too.
     */
    private static final String[] PIECES = {"'", "\"", "\\", "`", "``", "/*", "*/", "/*!", "/*!50001", "/*M!100101",
        "/*+", "--", "-- ", "#", "\n", " ", "  ", "\t", "e", "E", "e+", "1e-5", ".5", "0x", "0x1F", "0b", "0b101",
        "X'", "b'", "N'", "_utf8mb4", "_binary ", "12", "2fa", "select", "SELECT", "IN", "VALUES", "(", ")", ",",
        ";", "?", ":name", "@", "@@session.x", "$", "->", "->>", "<=>", "<", ">=", "!=", "-", "+", "TRUE", "false",
        "\u00e9", "\u20ac", "\ud83d\ude00", "abc", "t1", "."};

    @Test
    void streamedInRandomChunksGivesWhatTheWholeGives() {
        final int[] modes = {SqlRedactor.BACKSLASH_ESCAPES, SqlRedactor.NO_BACKSLASH_ESCAPES,
            SqlRedactor.BACKSLASH_MODE_UNKNOWN};
        final SqlRedactor plainWhole = new SqlRedactor(512);
        final SqlRedactor plainStreamed = new SqlRedactor(512);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
        final UnsafeBuffer streamedOut = new UnsafeBuffer(new byte[1 << 16]);
        final UnsafeBuffer fp = new UnsafeBuffer(new byte[1 << 12]);
        final UnsafeBuffer streamedFp = new UnsafeBuffer(new byte[1 << 12]);
        // -Dspyglass.streamCases=N for a longer hunt than the suite's
        final int cases = Integer.getInteger("spyglass.streamCases", 6000);
        for (int i = 0; i < cases; i++) {
            final byte[] statement;
            final int shape = i % 4;
            if (shape == 0) {
                // mostly the pieces SQL is made of, so every state and lookahead is reached
                final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int k = rnd.nextInt(60); k > 0; k--) {
                    if (rnd.nextInt(5) == 0) {
                        bytes.write(rnd.nextInt(256));
                    } else {
                        bytes.writeBytes(PIECES[rnd.nextInt(PIECES.length)].getBytes(StandardCharsets.UTF_8));
                    }
                }
                statement = bytes.toByteArray();
            } else {
                generate();
                final byte[] full = sql.toByteArray();
                statement = shape == 1 ? java.util.Arrays.copyOf(full, rnd.nextInt(full.length + 1)) : full;
            }
            final int mode = modes[rnd.nextInt(3)];
            // a quarter of the cases in keyed mode, the same key on both sides
            final boolean keyed = rnd.nextInt(4) == 0;
            final SqlRedactor whole = keyed ? new SqlRedactor(512) : plainWhole;
            final SqlRedactor streamed = keyed ? new SqlRedactor(512) : plainStreamed;
            if (keyed) {
                whole.literalKey(i, ~i);
                streamed.literalKey(i, ~i);
            }
            final int cap = rnd.nextInt(3) == 0 ? rnd.nextInt(200) : 1 << 16;
            final boolean cut = shape == 1;
            whole.backslashMode(mode);
            streamed.backslashMode(mode);
            final int n = whole.redact(new UnsafeBuffer(statement), 0, statement.length, out, 0, cap, cut);

            // a third of the cases through a 64-byte window: its full-window paths, with short input
            streamed.streamingWindow(rnd.nextInt(3) == 0 ? 64 : SqlRedactor.WINDOW_MAX);
            streamed.begin(cap);
            final StringBuilder splits = new StringBuilder();
            final int maxChunk = rnd.nextInt(3) == 0 ? 1 : 1 + rnd.nextInt(40);
            final UnsafeBuffer in = new UnsafeBuffer(statement);
            for (int at = 0; at < statement.length; ) {
                final int chunk = Math.min(statement.length - at, 1 + rnd.nextInt(maxChunk));
                streamed.feed(in, at, chunk);
                at += chunk;
                splits.append(at).append(' ');
            }
            final int m = streamed.end(cut, streamedOut, 0);

            final String context = "case " + i + " mode " + mode + " cap " + cap + " cut " + cut + "\n  in:     "
                + new String(statement, StandardCharsets.UTF_8) + "\n  splits: " + splits
                + "\n  whole:  " + out.getStringWithoutLengthUtf8(0, n) + "\n  stream: "
                + streamedOut.getStringWithoutLengthUtf8(0, m);
            if (streamed.windowWasFull()) {
                // A token longer than the 64-byte window was hidden: the texts may differ, but the
                // stream may only show less (no quote, so no string; literals checked below).
                final String text = streamedOut.getStringWithoutLengthUtf8(0, m);
                final int quotes = (int) text.chars().filter(ch -> ch == '\'' || ch == '"').count();
                final int wholeQuotes = (int) out.getStringWithoutLengthUtf8(0, n).chars().filter(ch -> ch == '\'' || ch == '"').count();
                org.junit.jupiter.api.Assertions.assertTrue(quotes <= wholeQuotes, context);
            } else {
                org.junit.jupiter.api.Assertions.assertEquals(n, m, context);
                for (int k = 0; k < n; k++) {
                    if (out.getByte(k) != streamedOut.getByte(k)) {
                        fail("text differs at " + k + ": " + context);
                    }
                }
                final int f = whole.fingerprint(fp, 0, fp.capacity());
                final int g = streamed.fingerprint(streamedFp, 0, streamedFp.capacity());
                org.junit.jupiter.api.Assertions.assertEquals(fp.getStringWithoutLengthUtf8(0, f),
                    streamedFp.getStringWithoutLengthUtf8(0, g), context);
                org.junit.jupiter.api.Assertions.assertEquals(whole.digest(), streamed.digest(), context);
                org.junit.jupiter.api.Assertions.assertEquals(whole.truncated(), streamed.truncated(), context);
                org.junit.jupiter.api.Assertions.assertEquals(whole.unclosed(), streamed.unclosed(), context);
            }
            org.junit.jupiter.api.Assertions.assertEquals(statement.length, streamed.streamedBytes(), context);
            if (shape >= 2 && mode != SqlRedactor.NO_BACKSLASH_ESCAPES) {
                // (the grammar writes its strings for backslash escapes: read without them, '\'' ends early)
                // keyed tokens are hex digits: take them out before looking for a value's bytes
                final String text = streamedOut.getStringWithoutLengthUtf8(0, m).replaceAll("\\?:[0-9a-f]{8}", "?");
                for (String secret : secrets) {
                    if (text.contains(secret)) {
                        fail("literal " + secret + " leaked from a streamed statement: " + context);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- grammar

    private void generate() {
        sql = new ByteArrayOutputStream();
        secrets.clear();
        identifiers.clear();
        usedBoolean = false;
        switch (rnd.nextInt(12)) {
            case 0 -> {
                put("SELECT ").id("c").put(", ").id("c").put(" FROM ").id("t").put(" WHERE ").id("c").eq().lit()
                    .put(" AND ").id("c").put(" <> ").lit();
            }
            case 1 -> {
                put("SELECT ").id("c").put(" FROM ").id("t").put(" WHERE ").id("c").put(" IN (").lit().put(", ")
                    .lit().put(",").lit().put(") ORDER BY ").id("c").put(" LIMIT ").lit();
            }
            case 2 -> {
                put("INSERT INTO ").id("t").put(" (").id("c").put(", ").id("c").put(") VALUES (").lit().put(", ")
                    .lit().put("),(").lit().put(",").lit().put(")");
            }
            case 3 -> {
                put("UPDATE ").id("t").put(" SET ").id("c").eq().lit().put(", ").id("c").put(" = ").id("c")
                    .put(rnd.nextBoolean() ? " + " : "+").lit().put(" WHERE ").id("c").put(" BETWEEN ").lit()
                    .put(" AND ").lit();
            }
            case 4 -> {
                put("SELECT ").id("f").put("(").lit().put(", ").id("c").put(") FROM ").id("t").put(" WHERE ")
                    .id("c").put(" LIKE ").lit();
            }
            case 5 -> {
                put("SELECT ").id("c").put("->").string('\'').put(", ").id("c").put("->>").string('\'')
                    .put(" FROM ").id("t").put(" WHERE ").id("c").eq().lit();
            }
            case 6 -> {
                put("SELECT /*+ MAX_EXECUTION_TIME(").lit().put(") */ ").id("c").put(" FROM ").id("t")
                    .put(" WHERE ").id("c").eq().lit();
            }
            case 7 -> {
                put("/*!50001 SELECT ").id("c").put(" FROM ").id("t").put(" WHERE ").id("c").eq().lit()
                    .put(" */");
            }
            case 8 -> {
                put("SELECT CASE WHEN ").id("c").eq().lit().put(" THEN ").lit().put(" ELSE ").lit()
                    .put(" END FROM ").id("t");
            }
            case 9 -> {
                put("DELETE FROM ").id("t").put(" WHERE ").id("c").eq().lit().put(" ").comment().put("\n")
                    .put("AND ").id("c").eq().lit();
            }
            case 10 -> {
                put("SET @").id("v").put(" = ").lit().put(", @@session.").id("s").put(" = ").lit();
            }
            default -> {
                put("SELECT * FROM ").id("t").put(" WHERE ").id("c").put("=").lit().put(" OR ").id("c").put("=(")
                    .lit().put(")").put(rnd.nextBoolean() ? ";" : "");
            }
        }
    }

    private SqlRedactorPropertyTest put(String s) {
        sql.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    private SqlRedactorPropertyTest eq() {
        return put(switch (rnd.nextInt(4)) {
            case 0 -> "=";
            case 1 -> " =";
            case 2 -> "= ";
            default -> " = ";
        });
    }

    private SqlRedactorPropertyTest id(String prefix) {
        final StringBuilder b = new StringBuilder(prefix).append('_');
        final int n = 4 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            final char c = ID_LETTERS.charAt(rnd.nextInt(ID_LETTERS.length()));
            b.append(rnd.nextInt(4) == 0 ? Character.toUpperCase(c) : c);
        }
        final String id = b.toString();
        identifiers.add(id);
        return put(id);
    }

    private SqlRedactorPropertyTest comment() {
        final String secret = token();
        secrets.add(secret);
        return put(switch (rnd.nextInt(3)) {
            case 0 -> "/* " + secret + " 'x */";
            case 1 -> "-- " + secret + " '";
            default -> "#" + secret + "\"";
        });
    }

    /** A literal of a random form, its distinctive content recorded as a secret. */
    private SqlRedactorPropertyTest lit() {
        switch (rnd.nextInt(16)) {
            case 0, 1 -> string('\'');
            case 2 -> string('"');
            case 3 -> put(sign()).put(digits());
            case 4 -> put(sign()).put(digits()).put(".").put(digits());
            case 5 -> put(sign()).put(".").put(digits());
            case 6 -> put(sign()).put(digits()).put(".");
            case 7 -> put(sign()).put(digits()).put(rnd.nextBoolean() ? "e" : "E")
                .put(rnd.nextBoolean() ? "" : rnd.nextBoolean() ? "-" : "+").put(digits());
            case 8 -> put(sign()).put("1.").put(digits()).put("E-").put(String.valueOf(rnd.nextInt(300)));
            case 9 -> put(rnd.nextBoolean() ? "0x" : "0X").put(hexDigits());
            case 10 -> put(rnd.nextBoolean() ? "X'" : "x'").put(hexDigits()).put("'");
            case 11 -> put("0b").put(bitDigits());
            case 12 -> put(rnd.nextBoolean() ? "b'" : "B'").put(bitDigits()).put("'");
            case 13 -> {
                final String[] introducers = {"_utf8mb4", "_binary", "_latin1", "_UTF8MB4", "_ascii"};
                put(introducers[rnd.nextInt(introducers.length)]);
                // a quote ends the introducer by itself; a hex literal needs whitespace first
                switch (rnd.nextInt(4)) {
                    case 0 -> put(" ").put("0x").put(hexDigits());
                    case 1 -> put(" ").put("X'").put(hexDigits()).put("'");
                    case 2 -> put(rnd.nextBoolean() ? "" : "  ").string('"');
                    default -> put(rnd.nextBoolean() ? "" : "\n").string('\'');
                }
            }
            case 14 -> put(rnd.nextBoolean() ? "N" : "n").string('\'');
            default -> {
                usedBoolean = true;
                final String[] words = {"TRUE", "FALSE", "true", "False"};
                put(words[rnd.nextInt(words.length)]);
            }
        }
        return this;
    }

    private String sign() {
        return switch (rnd.nextInt(4)) {
            case 0 -> "-";
            case 1 -> "+";
            default -> "";
        };
    }

    private String digits() {
        final StringBuilder b = new StringBuilder().append((char) ('1' + rnd.nextInt(9)));
        final int n = 5 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            b.append((char) ('0' + rnd.nextInt(10)));
        }
        final String d = b.toString();
        secrets.add(d);
        return d;
    }

    private String hexDigits() {
        final String hex = "0123456789abcdefABCDEF";
        final StringBuilder b = new StringBuilder();
        final int n = 8 + 2 * rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.append(hex.charAt(rnd.nextInt(hex.length())));
        }
        final String d = b.toString();
        secrets.add(d);
        return d;
    }

    private String bitDigits() {
        final StringBuilder b = new StringBuilder("1");
        final int n = 15 + rnd.nextInt(10);
        for (int i = 0; i < n; i++) {
            b.append(rnd.nextBoolean() ? '1' : '0');
        }
        final String d = b.toString();
        secrets.add(d);
        return d;
    }

    private String token() {
        final StringBuilder b = new StringBuilder();
        final int n = 8 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            b.append(ALNUM.charAt(rnd.nextInt(ALNUM.length())));
        }
        return b.toString();
    }

    /** A quoted string holding a secret among awkward bytes, escaped the way MySQL reads it. */
    private SqlRedactorPropertyTest string(char quote) {
        final String secret = token();
        secrets.add(secret);
        sql.write(quote);
        final int pieces = rnd.nextInt(6);
        final int secretAt = rnd.nextInt(pieces + 1);
        for (int i = 0; i <= pieces; i++) {
            if (i == secretAt) {
                put(secret);
            }
            if (i == pieces) {
                break;
            }
            switch (rnd.nextInt(15)) {
                // longer than the 64-byte window some streamed cases use, and reading like SQL
                case 14 -> put(" SELECT x FROM t WHERE y = 1 AND z IN (2, 3) ".repeat(1 + rnd.nextInt(4)));
                case 0 -> put(quote == '\'' ? "''" : "\"\"");
                case 1 -> put("\\" + quote);
                case 2 -> put(quote == '\'' ? "\"" : "'");
                case 3 -> put("\\\\");
                case 4 -> put("/*");
                case 5 -> put("*/");
                case 6 -> put("-- ");
                case 7 -> put("#");
                case 8 -> put(" \n\t");
                case 9 -> put("é漢😀");
                case 10 -> sql.write(0x80 + rnd.nextInt(0x80));
                case 11 -> sql.write(rnd.nextInt(0x20));
                case 12 -> put("`;?:x @");
                default -> put("\\n\\0\\%");
            }
        }
        sql.write(quote);
        return this;
    }
}
