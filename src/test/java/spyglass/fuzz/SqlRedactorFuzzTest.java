package spyglass.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.redact.SqlRedactor;

/**
 * {@link SqlRedactor#redact} over arbitrary bytes (no exception, output within the capacity and
 * untouched around it, valid UTF-8, no quoted string outside a backquoted name, the same answer
 * whatever surrounds the input) and over statements built around one planted literal, which must
 * never survive in the text or the fingerprint.
 */
class SqlRedactorFuzzTest {
    static final int[] MODES = {SqlRedactor.BACKSLASH_ESCAPES, SqlRedactor.NO_BACKSLASH_ESCAPES,
        SqlRedactor.BACKSLASH_MODE_UNKNOWN};
    private static final int[] MAX_FINGERPRINT = {16, 64, 256, SqlRedactor.DEFAULT_MAX_FINGERPRINT};
    private static final byte SENTINEL = (byte) 0xA5;
    private static final int DST_OFFSET = 7;

    /**
     * Input: byte 0 the backslash mode ({@link #MODES}) and the fingerprint cap (bits 2-3,
     * {@link #MAX_FINGERPRINT}); bytes 1-2 the output capacity (little-endian, taken modulo
     * 2 * length + 17); the rest is the statement.
     */
    @FuzzTest(maxDuration = "3m")
    void anyBytes(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int b0 = in.u8();
        final int mode = MODES[b0 % 3];
        final int maxFingerprint = MAX_FINGERPRINT[(b0 >> 2) & 3];
        final int capacityChoice = in.u16();
        final byte[] sql = in.rest();
        final int capacity = capacityChoice % (2 * sql.length + 17);

        final SqlRedactor redactor = new SqlRedactor(maxFingerprint);
        redactor.backslashMode(mode);

        // Exact buffers: any read or write outside them throws.
        final UnsafeBuffer exactOut = new UnsafeBuffer(new byte[capacity]);
        final int n = redactor.redact(new UnsafeBuffer(sql), 0, sql.length, exactOut, 0, capacity);
        assertTrue(n >= 0 && n <= capacity, "wrote " + n + " bytes, capacity " + capacity);
        final byte[] out = Arrays.copyOf(exactOut.byteArray(), n);
        final long digest = redactor.digest();
        final byte[] fingerprint = fingerprint(redactor);
        assertTrue(fingerprint.length <= maxFingerprint);

        // The same statement surrounded by quotes and backslashes, written at an offset between sentinels.
        final byte[] padded = new byte[sql.length + 6];
        Arrays.fill(padded, (byte) '\'');
        padded[0] = padded[padded.length - 1] = '\\';
        System.arraycopy(sql, 0, padded, 3, sql.length);
        final byte[] dst = new byte[DST_OFFSET + capacity + 16];
        Arrays.fill(dst, SENTINEL);
        final int m = redactor.redact(new UnsafeBuffer(padded), 3, sql.length, new UnsafeBuffer(dst), DST_OFFSET, capacity);
        assertEquals(n, m, "the answer depends on the bytes around the statement or on the previous call");
        assertArrayEquals(out, Arrays.copyOfRange(dst, DST_OFFSET, DST_OFFSET + m));
        for (int i = 0; i < dst.length; i++) {
            if (i < DST_OFFSET || i >= DST_OFFSET + capacity) {
                assertEquals(SENTINEL, dst[i], "wrote outside [dstOffset, dstOffset + capacity) at " + i);
            }
        }
        assertEquals(digest, redactor.digest());
        assertArrayEquals(fingerprint, fingerprint(redactor));

        assertValidUtf8(out, "redacted text");
        assertValidUtf8(fingerprint, "fingerprint");
        // (The fingerprint drops backquotes, so only the text is checked for quotes.)
        assertNoQuotedString(out, "redacted text");
    }

    /**
     * Any bytes, streamed in pieces whose sizes the input chooses, give exactly what the whole gives.
     * Input: byte 0 the backslash mode, and with bit 7 set a 64-byte window (so a full window is
     * reached by short input; the answer may then differ, but only by showing less); byte 1 the
     * largest piece (1 to 64); byte 2 a seed for the piece sizes; the rest is the statement.
     */
    @FuzzTest(maxDuration = "3m")
    void streamedGivesWhatTheWholeGives(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int b0 = in.u8();
        final int mode = MODES[(b0 & 0x7F) % 3];
        final boolean smallWindow = (b0 & 0x80) != 0;
        final int largest = 1 + in.u8() % 64;
        long seed = in.u8();
        final byte[] sql = in.rest();
        final SqlRedactor whole = new SqlRedactor(256);
        whole.backslashMode(mode);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[2 * sql.length + 16]);
        final int n = whole.redact(new UnsafeBuffer(sql), 0, sql.length, out, 0, out.capacity());
        final SqlRedactor streamed = new SqlRedactor(256);
        streamed.backslashMode(mode);
        if (smallWindow) {
            streamed.streamingWindow(64);
        }
        streamed.begin(out.capacity());
        final UnsafeBuffer src = new UnsafeBuffer(sql);
        for (int at = 0; at < sql.length; ) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            final int piece = Math.min(sql.length - at, 1 + (int) ((seed >>> 33) % largest));
            streamed.feed(src, at, piece);
            at += piece;
        }
        final UnsafeBuffer streamedOut = new UnsafeBuffer(new byte[out.capacity()]);
        final int m = streamed.end(false, streamedOut, 0);
        if (streamed.windowWasFull()) {
            // a token longer than the window was hidden: never more quotes (strings) than the whole shows
            assertTrue(count(streamedOut.byteArray(), m, (byte) '\'') + count(streamedOut.byteArray(), m, (byte) '"')
                <= count(out.byteArray(), n, (byte) '\'') + count(out.byteArray(), n, (byte) '"'));
            assertNoQuotedString(Arrays.copyOf(streamedOut.byteArray(), m), "streamed text");
            return;
        }
        assertEquals(n, m);
        assertArrayEquals(Arrays.copyOf(out.byteArray(), n), Arrays.copyOf(streamedOut.byteArray(), m));
        assertArrayEquals(fingerprint(whole), fingerprint(streamed));
        assertEquals(whole.digest(), streamed.digest());
        assertEquals(whole.truncated(), streamed.truncated());
        assertEquals(whole.unclosed(), streamed.unclosed());
    }

    /**
     * A statement answered from a remembered shape says what lexing it says. Input: byte 0 the
     * backslash mode, byte 1 how far each digit turns; the rest is statement A. B is A with every
     * digit turned (so B may be A's shape with other numbers, or not at all); C is A with the bytes
     * inside its first pair of single quotes turned; D is A with the bytes after its first comment
     * opener ({@code /*}, {@code --}, {@code #}) turned to any byte, up to the line's or the comment's
     * end, and E is A
     * without the first of them (a comment's body of another length, or one that is no longer a
     * plain comment). A redactor that has seen A answers each; fresh redactors answer them too; the
     * answers must be the same.
     */
    @FuzzTest(maxDuration = "3m")
    void shapeAnswersAsLexingDoes(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int mode = MODES[in.u8() % 3];
        final int turn = 1 + in.u8() % 9;
        final byte[] a = in.rest();
        final byte[] b = a.clone();
        for (int i = 0; i < b.length; i++) {
            if (b[i] >= '0' && b[i] <= '9') {
                b[i] = (byte) ('0' + (b[i] - '0' + turn) % 10);
            }
        }
        final byte[] c = a.clone();
        int open = -1;
        for (int i = 0; i < c.length; i++) {
            if (c[i] == '\'') {
                if (open >= 0) {
                    break;
                }
                open = i;
            } else if (open >= 0 && c[i] >= 'a' && c[i] <= 'z') {
                c[i] = (byte) ('a' + (c[i] - 'a' + turn) % 26);
            }
        }
        final int body = commentBody(a);
        final byte[] d = a.clone();
        for (int i = body; i >= 0 && i < d.length && d[i] != '\n' && !(d[i] == '*' && i + 1 < d.length && d[i + 1] == '/'); i++) {
            d[i] = (byte) (d[i] + turn * 29);
        }
        final byte[] e = body < 0 || body == a.length ? a : new byte[a.length - 1];
        if (e != a) {
            System.arraycopy(a, 0, e, 0, body);
            System.arraycopy(a, body + 1, e, body, a.length - body - 1);
        }
        final SqlRedactor warm = new SqlRedactor(256);
        warm.backslashMode(mode);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[2 * a.length + 16]);
        warm.redact(new UnsafeBuffer(a), 0, a.length, out, 0, out.capacity());
        for (final byte[] statement : new byte[][] {a, b, c, d, e}) {
            final int n = warm.redact(new UnsafeBuffer(statement), 0, statement.length, out, 0, out.capacity());
            final SqlRedactor fresh = new SqlRedactor(256);
            fresh.backslashMode(mode);
            final UnsafeBuffer freshOut = new UnsafeBuffer(new byte[out.capacity()]);
            final int m = fresh.redact(new UnsafeBuffer(statement), 0, statement.length, freshOut, 0, freshOut.capacity());
            assertArrayEquals(Arrays.copyOf(freshOut.byteArray(), m), Arrays.copyOf(out.byteArray(), n));
            assertArrayEquals(fingerprint(fresh), fingerprint(warm));
            assertEquals(fresh.digest(), warm.digest());
            assertEquals(fresh.truncated(), warm.truncated());
            assertEquals(fresh.unclosed(), warm.unclosed());
        }
    }

    /** Where the body of the first comment opener in {@code sql} begins, or -1 when there is none. */
    private static int commentBody(final byte[] sql) {
        for (int i = 0; i < sql.length; i++) {
            if (sql[i] == '#') {
                return i + 1;
            }
            if (i + 1 < sql.length && ((sql[i] == '/' && sql[i + 1] == '*') || (sql[i] == '-' && sql[i + 1] == '-'))) {
                return i + 2;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ planted literals

    /** A piece of SQL and the backslash modes under which it is whole (never leaves a quote open). */
    record Piece(String text, boolean wholeWithEscapes, boolean wholeWithoutEscapes) {
        static Piece of(final String text) {
            return new Piece(text, true, true);
        }

        boolean whole(final int mode) {
            return switch (mode) {
                case SqlRedactor.BACKSLASH_ESCAPES -> wholeWithEscapes;
                case SqlRedactor.NO_BACKSLASH_ESCAPES -> wholeWithoutEscapes;
                default -> true; // the redactor hides the rest where the two readings part
            };
        }
    }

    /**
     * Tokens around the literal: complete lexical units only (no open quote, backquote or comment),
     * no 'z' or 'q' (so "zq..." can only come from the literal), no word made of hex digits only and
     * no run of more than five digits (so a bounded digit or hex run can only be a literal).
     */
    static final Piece[] TOKENS = {
        Piece.of("SELECT"), Piece.of("FROM"), Piece.of("WHERE"), Piece.of("AND"), Piece.of("OR"), Piece.of("NOT"),
        Piece.of("NULL"), Piece.of("IS"), Piece.of("IN"), Piece.of("LIKE"), Piece.of("BETWEEN"), Piece.of("ORDER BY"),
        Piece.of("GROUP BY"), Piece.of("LIMIT"), Piece.of("INSERT INTO"), Piece.of("VALUES"), Piece.of("UPDATE"),
        Piece.of("SET"), Piece.of("DELETE"), Piece.of("AS"), Piece.of("JOIN"), Piece.of("ON"), Piece.of("UNION"),
        Piece.of("CASE"), Piece.of("WHEN"), Piece.of("THEN"), Piece.of("ELSE"), Piece.of("END"), Piece.of("INTERVAL"),
        Piece.of("DAY"), Piece.of("EXISTS"), Piece.of("HAVING"), Piece.of("COUNT(*)"), Piece.of("NOW()"), Piece.of("t"),
        Piece.of("col"), Piece.of("shop.t"), Piece.of("t1"), Piece.of("col2"), Piece.of("名前"), Piece.of("`weird name`"),
        Piece.of("`a'b`"), Piece.of("`a``b`"), Piece.of("`it\\'s`"), Piece.of("="), Piece.of("<>"), Piece.of("!="),
        Piece.of("<=>"), Piece.of("<"), Piece.of(">="), Piece.of("+"), Piece.of("-"), Piece.of("*"), Piece.of("/"),
        Piece.of("%"), Piece.of("("), Piece.of(")"), Piece.of(","), Piece.of("."), Piece.of(";"), Piece.of(":="),
        Piece.of("->"), Piece.of("->>"), Piece.of("||"), Piece.of("&&"), Piece.of("!"), Piece.of("~"), Piece.of("@"),
        Piece.of("@@"), Piece.of("@v"), Piece.of("@@session.sql_mode"), Piece.of("?"), Piece.of(":name"),
        Piece.of("'x'"), Piece.of("\"y\""), Piece.of("42"), Piece.of("-1"), Piece.of("3.14"), Piece.of("1e10"),
        Piece.of("0x1F"), Piece.of("X'0A'"), Piece.of("b'01'"), Piece.of("0b11"), Piece.of("N'n'"),
        Piece.of("_utf8mb4'u'"), Piece.of("_latin1"), Piece.of("TRUE"), Piece.of("FALSE"), Piece.of("''"),
        Piece.of("'it''s'"), Piece.of("\"say \"\"hi\"\"\""), Piece.of("'a\\\\'"), Piece.of("'\\n'"),
        Piece.of("/* c */"), Piece.of("/* it's */"), Piece.of("-- it's\n"), Piece.of("# it's\n"),
        Piece.of("/*! STRAIGHT_JOIN */"), Piece.of("/*!50001 SQL_NO_CACHE */"), Piece.of("/*M!10010 IGNORE */"),
        Piece.of("/*+ BKA(t) */"), Piece.of("SELECT /*+ NO_ICP(t) */"), Piece.of(" "), Piece.of("\n"), Piece.of("\t"),
        new Piece("'it\\'s'", true, false), new Piece("\"\\\"\"", true, false), new Piece("'\\''", true, false),
        new Piece("'a\\'", false, true), new Piece("'\\\\\\''", true, false),
    };

    /** Value positions: text before and after the literal (a space always separates them from it). */
    static final String[][] CONTEXTS = {
        {"WHERE col = ", ""}, {"WHERE col IN ( ", " , 7 )"}, {"VALUES ( ", " )"}, {"SET col = ", ""}, {"LIMIT ", ""},
        {"/*! WHERE col = ", " */"}, {"/*!50001 AND col = ", " */"}, {"/*M!10010 AND col = ", " */"},
        {"SELECT /*+ MAX_EXECUTION_TIME( ", " ) */ col"}, {"( ", " )"}, {"CASE WHEN col THEN ", " END"},
        {"INTERVAL ", " DAY"}, {"col + ", ""}, {"col - ", ""}, {"col LIKE ", " ESCAPE '!'"}, {"BETWEEN ", " AND 9"},
        {"@v := ", ""}, {"col -> ", ""}, {"= - ", ""}, {", ", ""}, {"SELECT ", " FROM t"}, {"f( ", " )"},
        {"col = _utf8mb4 ", ""}, {"col = _latin1 ", ""}, {"", ""},
    };

    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String[] SEPARATORS = {" ", "", "\n", "  "};

    /**
     * Input: byte 0 the backslash mode; bytes 1-2 the output capacity (0xFFFF: ample); then prefix
     * tokens (a count byte, then per token a separator byte and a token byte), the context byte, the
     * literal (kind byte, length byte, one byte per character), then suffix tokens like the prefix.
     */
    @FuzzTest(maxDuration = "3m")
    void plantedLiteralNeverSurvives(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int mode = MODES[in.u8() % 3];
        final int capacityChoice = in.u16();
        final StringBuilder sql = new StringBuilder();
        boolean whole = true;
        final int prefixTokens = in.u8() % 24;
        for (int i = 0; i < prefixTokens; i++) {
            final String separator = SEPARATORS[in.u8() % SEPARATORS.length];
            final Piece p = TOKENS[in.u8() % TOKENS.length];
            append(sql, separator, p.text);
            whole &= p.whole(mode);
        }
        final String[] context = CONTEXTS[in.u8() % CONTEXTS.length];
        sql.append(sql.isEmpty() ? "" : " ").append(context[0]);
        final Literal literal = literal(in);
        sql.append(literal.text).append(' ').append(context[1]);
        whole &= literal.wholeIn(mode);
        final int suffixTokens = in.u8() % 8;
        for (int i = 0; i < suffixTokens; i++) {
            final String separator = SEPARATORS[in.u8() % SEPARATORS.length];
            append(sql, separator, TOKENS[in.u8() % TOKENS.length].text);
        }

        final byte[] statement = sql.toString().getBytes(StandardCharsets.UTF_8);
        final int capacity = capacityChoice == 0xFFFF ? 4 * statement.length + 16 : capacityChoice % (4 * statement.length + 16);
        final SqlRedactor redactor = new SqlRedactor();
        redactor.backslashMode(mode);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[capacity]);
        final int n = redactor.redact(new UnsafeBuffer(statement), 0, statement.length, out, 0, capacity);
        assertTrue(n >= 0 && n <= capacity);
        final String redacted = new String(out.byteArray(), 0, n, StandardCharsets.UTF_8);
        final String fingerprint = new String(fingerprint(redactor), StandardCharsets.UTF_8);
        // The same statement streamed in pieces (their size from the capacity bytes) says the same.
        final int piece = 1 + (capacityChoice >>> 8) % 24;
        final SqlRedactor streaming = new SqlRedactor();
        streaming.backslashMode(mode);
        streaming.begin(capacity);
        final UnsafeBuffer whole0 = new UnsafeBuffer(statement);
        for (int at = 0; at < statement.length; at += piece) {
            streaming.feed(whole0, at, Math.min(piece, statement.length - at));
        }
        final UnsafeBuffer streamedOut = new UnsafeBuffer(new byte[Math.max(1, capacity)]);
        final int m = streaming.end(false, streamedOut, 0);
        assertEquals(redacted, new String(streamedOut.byteArray(), 0, m, StandardCharsets.UTF_8), "streamed in pieces of " + piece);
        assertEquals(redactor.digest(), streaming.digest());
        if (!whole) {
            return; // a token leaves a quote open in this mode: what follows it is not the literal any more
        }
        final String where = "\n  mode " + mode + "\n  in:  " + sql + "\n  out: " + redacted + "\n  fp:  " + fingerprint;
        for (final String needle : literal.needles) {
            final boolean leaked = literal.bounded
                ? containsBounded(redacted, needle) || containsBounded(fingerprint, needle)
                : redacted.toLowerCase(Locale.ROOT).contains(needle) || fingerprint.toLowerCase(Locale.ROOT).contains(needle);
            if (leaked) {
                fail("literal " + literal.text + " survived (" + needle + "):" + where);
            }
        }
    }

    /**
     * Appends a token. Glued tokens may form new lexemes, which is the point, except "*" + "/": that
     * would close a comment glued together from "/" + "*" inside a comment token such as
     * {@code /* it's *}{@code /}, leaving its quote open in front of the literal (the server reads it so
     * too: not a leak).
     */
    private static void append(final StringBuilder sql, final String separator, final String token) {
        final boolean glued = separator.isEmpty() && !sql.isEmpty();
        final char last = glued ? sql.charAt(sql.length() - 1) : ' ';
        final char first = token.charAt(0);
        sql.append((last == '*' || last == '/') && (first == '*' || first == '/') ? " " : separator).append(token);
    }

    /**
     * The planted literal and the lower-case texts that must not appear in the output: anywhere for
     * strings ("zq..." cannot come from anything else), else only where not glued to identifier
     * characters (a digit or hex run inside a name such as {@code t1424242} is kept by design).
     */
    record Literal(String text, String[] needles, boolean bounded, boolean onlyWithEscapes) {
        boolean wholeIn(final int mode) {
            return !onlyWithEscapes || mode != SqlRedactor.NO_BACKSLASH_ESCAPES;
        }
    }

    private static Literal string(final String text, final String secret, final boolean onlyWithEscapes) {
        return new Literal(text, new String[] {secret.toLowerCase(Locale.ROOT)}, false, onlyWithEscapes);
    }

    private static Literal number(final String text, final String core) {
        return new Literal(text, new String[] {core.toLowerCase(Locale.ROOT), text.toLowerCase(Locale.ROOT)}, true, false);
    }

    static Literal literal(final FuzzInput in) {
        final int kind = in.u8();
        final int length = in.u8();
        final String secret = "zq" + in.chars(ALNUM, 6 + length % 24);
        final String digits = (char) ('1' + in.u8() % 9) + in.chars("0123456789", 5 + length % 12);
        final String hex = (char) ('1' + in.u8() % 9) + in.chars("0123456789abcdefABCDEF", 7 + length % 12);
        final String bits = "1" + in.chars("01", 11 + length % 16);
        return switch (kind % 20) {
            case 0 -> string("'" + secret + "'", secret, false);
            case 1 -> string("\"" + secret + "\"", secret, false);
            case 2 -> string("N'" + secret + "'", secret, false);
            case 3 -> string("_utf8mb4'" + secret + "'", secret, false);
            case 4 -> string("_latin1 '" + secret + "'", secret, false);
            case 5 -> string("'" + secret + "''tail'", secret, false);
            // Without escapes the string ends at the backslash, after the secret: still whole where it matters.
            case 6 -> string("'" + secret + "\\'tail'", secret, false);
            // Without escapes '\' is a whole string and the secret a name after it.
            case 7 -> string("'\\'" + secret + "'", secret, true);
            case 8 -> number(digits, digits);
            case 9 -> number("-" + digits, digits);
            case 10 -> number(digits + ".5", digits);
            case 11 -> number("." + digits, digits);
            case 12 -> number(digits + "e+12", digits);
            case 13 -> number("0x" + hex, hex);
            case 14 -> number("X'" + hex + "'", hex);
            case 15 -> number("x'" + hex + "'", hex);
            case 16 -> number("b'" + bits + "'", bits);
            case 17 -> number("0b" + bits, bits);
            case 18 -> number("_utf8mb4 0x" + hex, "0x" + hex);
            default -> number("+" + digits, digits);
        };
    }

    /** Whether {@code needle} occurs in {@code text} (case-insensitively) not glued to identifier characters. */
    static boolean containsBounded(final String text, final String needle) {
        final String lower = text.toLowerCase(Locale.ROOT);
        for (int i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + 1)) {
            final boolean before = i == 0 || !identifierChar(lower.charAt(i - 1));
            final int end = i + needle.length();
            final boolean after = end == lower.length() || !identifierChar(lower.charAt(end));
            if (before && after) {
                return true;
            }
        }
        return false;
    }

    private static boolean identifierChar(final char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80;
    }

    // ------------------------------------------------------------------ helpers

    static byte[] fingerprint(final SqlRedactor redactor) {
        final byte[] fp = new byte[redactor.fingerprintLength()];
        final int n = redactor.fingerprint(new UnsafeBuffer(fp), 0, fp.length);
        assertEquals(fp.length, n);
        return fp;
    }

    private static int count(final byte[] bytes, final int length, final byte b) {
        int n = 0;
        for (int i = 0; i < length; i++) {
            n += bytes[i] == b ? 1 : 0;
        }
        return n;
    }

    private static void assertValidUtf8(final byte[] bytes, final String what) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
        } catch (final CharacterCodingException e) {
            fail(what + " is not valid UTF-8: " + Arrays.toString(bytes));
        }
    }

    /** A quote may appear only inside a backquoted name (kept by design); elsewhere it is a string that survived. */
    private static void assertNoQuotedString(final byte[] bytes, final String what) {
        boolean inName = false;
        for (final byte b : bytes) {
            if (b == '`') {
                inName = !inName; // a doubled backquote inside a name toggles twice
            } else if (!inName && (b == '\'' || b == '"')) {
                fail(what + " shows a quote outside a backquoted name: " + new String(bytes, StandardCharsets.UTF_8));
            }
        }
    }
}
