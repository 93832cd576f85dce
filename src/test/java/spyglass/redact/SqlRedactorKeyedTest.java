package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** {@code --redact=keyed}: equal values, equal tokens; nothing of a value shown; fingerprints unchanged. */
class SqlRedactorKeyedTest {
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0F0E0D0C0B0A0908L;
    private static final Pattern TOKEN = Pattern.compile("\\?:([0-9a-f]{8})");

    private static RedactorHarness keyed(final long k0, final long k1) {
        final SqlRedactor redactor = new SqlRedactor();
        redactor.literalKey(k0, k1);
        return new RedactorHarness(redactor);
    }

    private static List<String> tokens(final String text) {
        final List<String> out = new ArrayList<>();
        final Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The token the documentation promises, worked out here from SipHash24 alone. */
    private static String expectedToken(final long k0, final long k1, final String typeAndValue) {
        final byte[] b = typeAndValue.getBytes(StandardCharsets.UTF_8);
        return String.format("%08x", SipHash24.hash(k0, k1, b, 0, b.length) & 0xFFFF_FFFFL);
    }

    @Test
    void aLiteralBecomesItsKeyedTokenAndTheFingerprintStaysPlain() {
        final RedactorHarness h = keyed(K0, K1).run("SELECT name FROM users WHERE email = 'ann@example.com' AND id = 42");
        assertEquals("SELECT name FROM users WHERE email = ?:" + expectedToken(K0, K1, "sann@example.com")
            + " AND id = ?:" + expectedToken(K0, K1, "n42"), h.redacted);
        final RedactorHarness plain = new RedactorHarness().run("SELECT name FROM users WHERE email = 'ann@example.com' AND id = 42");
        assertEquals(plain.fingerprint, h.fingerprint);
        assertEquals(plain.digest(), h.digest());
    }

    @Test
    void oneValueWrittenManyWaysHasOneToken() {
        final RedactorHarness h = keyed(K0, K1);
        final String[] sameString = {"'O''Reilly'", "\"O'Reilly\"", "'O\\'Reilly'", "_utf8mb4'O\\'Reilly'", "N'O''Reilly'",
            "_latin1 \"O\\'Reilly\""};
        final String expected = expectedToken(K0, K1, "sO'Reilly");
        for (final String literal : sameString) {
            assertEquals(List.of(expected), tokens(h.run("SELECT 1 FROM t WHERE a = " + literal).redacted).subList(1, 2), literal);
        }
        final String hex = expectedToken(K0, K1, "x4a4b");
        for (final String literal : new String[] {"X'4A4B'", "x'4a4b'", "0x4A4b", "_binary 0x4a4b"}) {
            assertEquals(List.of(hex), tokens(h.run("SELECT a FROM t WHERE b = " + literal).redacted), literal);
        }
        final String bits = expectedToken(K0, K1, "b101");
        for (final String literal : new String[] {"b'101'", "B'101'", "0b101"}) {
            assertEquals(List.of(bits), tokens(h.run("SELECT a FROM t WHERE b = " + literal).redacted), literal);
        }
        assertEquals(List.of(expectedToken(K0, K1, "wtrue")), tokens(h.run("SELECT a FROM t WHERE b = TRUE").redacted));
        assertEquals(List.of(expectedToken(K0, K1, "wtrue")), tokens(h.run("SELECT a FROM t WHERE b = true").redacted));
        // escapes resolved: a newline written two ways
        assertEquals(tokens(h.run("SELECT a FROM t WHERE b = 'x\\ny'").redacted),
            tokens(h.run("SELECT a FROM t WHERE b = 'x\ny'").redacted));
    }

    @Test
    void differentValuesTypesAndKeysGiveDifferentTokens() {
        final RedactorHarness h = keyed(K0, K1);
        final List<String> t = tokens(h.run("SELECT a FROM t WHERE b IN ('5', 5, -5, 5.0, 'x', 'X', FALSE, TRUE)").redacted);
        assertEquals(8, t.size());
        assertEquals(8, t.stream().distinct().count(), t.toString());
        assertEquals(expectedToken(K0, K1, "n-5"), t.get(2));
        final List<String> other = tokens(keyed(K0 + 1, K1).run("SELECT a FROM t WHERE b IN ('5', 5, -5, 5.0, 'x', 'X', FALSE, TRUE)").redacted);
        for (int i = 0; i < t.size(); i++) {
            assertNotEquals(t.get(i), other.get(i));
        }
    }

    @Test
    void whatWasHiddenRatherThanReadStaysAPlainQuestionMark() {
        final RedactorHarness h = keyed(K0, K1);
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", h.run("SELECT a FROM t WHERE b = ? AND c = 'never closed").redacted);
        assertTrue(h.redactor.unclosed());
        assertEquals("SELECT ?", h.run("SELECT \u0001\u0002").redacted);
        // an unknown backslash mode meeting the one ambiguous case hides the rest
        final SqlRedactor unknown = new SqlRedactor();
        unknown.literalKey(K0, K1);
        unknown.backslashMode(SqlRedactor.BACKSLASH_MODE_UNKNOWN);
        assertEquals("SELECT ?", new RedactorHarness(unknown).run("SELECT 'a\\' , 'b'").redacted);
    }

    @Test
    void aStringClosedWhereTheInputWasCutGetsNoToken() {
        final SqlRedactor redactor = new SqlRedactor();
        redactor.literalKey(K0, K1);
        final byte[] cut = "SELECT 'abc'".getBytes(StandardCharsets.UTF_8); // of SELECT 'abc''def'
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
        final int n = redactor.redact(new UnsafeBuffer(cut), 0, cut.length, out, 0, 64, true);
        assertEquals("SELECT ?", out.getStringWithoutLengthUtf8(0, n));
    }

    @Test
    void keyedTextCarriesNoByteOfAnyValue() {
        final RedactorHarness h = keyed(K0, K1);
        final String sql = "INSERT INTO people (name, born, note, code) VALUES ('Zebedee', 1931, _utf8mb4'caf\u00e9 cr\u00e8me', X'DEADBEEF'),"
            + " ('Quixote', -1605, 'windmills', 0xC0FFEE)";
        final String text = h.run(sql).redacted;
        final String withoutTokens = TOKEN.matcher(text).replaceAll("?");
        assertEquals("INSERT INTO people (name, born, note, code) VALUES (?, ?, ?, ?), (?, ?, ?, ?)", withoutTokens);
        for (final String value : new String[] {"Zebedee", "1931", "caf", "DEAD", "dead", "Quixote", "1605", "windmills", "c0ffee"}) {
            assertFalse(withoutTokens.contains(value), value);
        }
        assertEquals(8, tokens(text).stream().distinct().count());
    }

    @Test
    void streamedInPiecesGivesTheSameTokens() {
        final String sql = "UPDATE accounts SET note = 'it''s \\\"fine\\\" \u00e9t\u00e9', balance = -12.5e3, flag = FALSE,"
            + " blob = X'0A0b', code = 0B1101 WHERE owner = _utf8mb4'Ann' AND id IN (1, 2, 3)";
        final RedactorHarness whole = keyed(K0, K1).run(sql);
        final byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
        for (final int piece : new int[] {1, 2, 3, 5, 17, 64}) {
            final SqlRedactor streamed = new SqlRedactor();
            streamed.literalKey(K0, K1);
            streamed.begin(4096);
            for (int at = 0; at < bytes.length; at += piece) {
                streamed.feed(in, at, Math.min(piece, bytes.length - at));
            }
            final int n = streamed.end(false, out, 0);
            assertEquals(whole.redacted, out.getStringWithoutLengthUtf8(0, n), "pieces of " + piece);
            assertEquals(whole.digest(), streamed.digest());
        }
        assertEquals(9, tokens(whole.redacted).size(), whole.redacted);
    }
}
