package spyglass.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLineEncoderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String REPLACEMENT = "\uFFFD";
    private static final DateTimeFormatter RFC3339_MICROS =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final JsonLineEncoder enc = new JsonLineEncoder(64);

    // ---------------------------------------------------------------------------------- helpers

    private static byte[] bytes(final int... values) {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static String line(final JsonLineEncoder e) {
        return new String(e.buffer(), 0, e.length(), StandardCharsets.UTF_8);
    }

    /** Encodes {"s":bytes}, checks the line's shape and returns the raw bytes of the value between the quotes. */
    private byte[] encodeRaw(final byte[] value) {
        enc.beginLine().name("s").string(value, 0, value.length).endLine();
        final int n = enc.length();
        final byte[] out = java.util.Arrays.copyOf(enc.buffer(), n);
        assertEquals('\n', out[n - 1], "line ends with a newline");
        for (int i = 0; i < n - 1; i++) {
            assertTrue((out[i] & 0xFF) >= 0x20 && out[i] != 0x7F, "no raw control byte inside the line at " + i);
        }
        assertTrue(new String(out, 0, 6, StandardCharsets.US_ASCII).equals("{\"s\":\""));
        assertEquals("\"}", new String(out, n - 3, 2, StandardCharsets.US_ASCII));
        return java.util.Arrays.copyOfRange(out, 6, n - 3);
    }

    /** Encodes {"s":bytes}, parses the line with Jackson and returns the string value. */
    private String encodeParsed(final byte[] value) throws Exception {
        encodeRaw(value);
        final JsonNode node = MAPPER.readTree(enc.buffer(), 0, enc.length());
        assertEquals(1, node.size());
        return node.get("s").textValue();
    }

    private static String expectedAsciiEscape(final int c) {
        return switch (c) {
            case '\b' -> "\\b";
            case '\t' -> "\\t";
            case '\n' -> "\\n";
            case '\f' -> "\\f";
            case '\r' -> "\\r";
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            default -> (c < 0x20 || c == 0x7F) ? String.format("\\u%04x", c) : String.valueOf((char) c);
        };
    }

    // ---------------------------------------------------------------------------------- escaping

    @Test
    void everyAsciiByteIsEscapedExactlyAsSpecified() throws Exception {
        for (int c = 0; c < 0x80; c++) {
            final byte[] raw = encodeRaw(bytes('a', c, 'z'));
            assertEquals("a" + expectedAsciiEscape(c) + "z", new String(raw, StandardCharsets.US_ASCII), "byte 0x" + Integer.toHexString(c));
            assertEquals("a" + (char) c + "z", encodeParsed(bytes('a', c, 'z')));
        }
    }

    @Test
    void lineSeparatorsAreEscaped() throws Exception {
        final byte[] in = "a\u2028b\u2029c".getBytes(StandardCharsets.UTF_8);
        assertEquals("a\\u2028b\\u2029c", new String(encodeRaw(in), StandardCharsets.US_ASCII));
        assertEquals("a\u2028b\u2029c", encodeParsed(in));
    }

    @Test
    void validMultiByteUtf8PassesThroughAsBytes() throws Exception {
        final String[] samples = {
            "\u00e9", "\u00ff", "\u0080", "\u07ff",           // 2 bytes, incl. both ends
            "\u0800", "\u20ac", "\ud7ff", "\ue000", "\uffff", "\u2027", "\u202a", // 3 bytes
            "\ud800\udc00", "\ud83d\ude00", "\udbff\udfff",  // 4 bytes: U+10000, emoji, U+10FFFF
            "caf\u00e9 \u4e2d\u6587 \ud83d\udc2c"
        };
        for (final String s : samples) {
            final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(utf8, encodeRaw(utf8), "bytes copied as they are: " + s);
            assertEquals(s, encodeParsed(utf8));
        }
    }

    @Test
    void eachClassOfInvalidUtf8BecomesOneReplacementPerMaximalSubpart() throws Exception {
        final String r = REPLACEMENT;
        // bad lead bytes: stray continuation, C0/C1 (overlong), F5..FF
        assertEquals("a" + r + "b", encodeParsed(bytes('a', 0x80, 'b')));
        assertEquals("a" + r + "b", encodeParsed(bytes('a', 0xBF, 'b')));
        assertEquals(r + r, encodeParsed(bytes(0xC0, 0x80)));
        assertEquals(r + r, encodeParsed(bytes(0xC1, 0xBF)));
        assertEquals(r + r + r + r, encodeParsed(bytes(0xF5, 0x80, 0x80, 0x80)));
        assertEquals(r + r, encodeParsed(bytes(0xFE, 0xFF)));
        // truncated sequences: one replacement for the valid prefix
        assertEquals("a" + r, encodeParsed(bytes('a', 0xC3)));
        assertEquals("a" + r, encodeParsed(bytes('a', 0xE2, 0x82)));
        assertEquals("a" + r, encodeParsed(bytes('a', 0xF0, 0x9F, 0x98)));
        assertEquals(r + "x", encodeParsed(bytes(0xE2, 0x82, 'x')));
        assertEquals(r + "x", encodeParsed(bytes(0xF0, 0x9F, 0x98, 'x')));
        assertEquals(r + "\"", encodeParsed(bytes(0xC3, '"')));
        // overlong 3- and 4-byte forms
        assertEquals(r + r + r, encodeParsed(bytes(0xE0, 0x80, 0xAF)));
        assertEquals(r + r + r + r, encodeParsed(bytes(0xF0, 0x80, 0x80, 0xAF)));
        assertEquals(r + r + r + r, encodeParsed(bytes(0xF0, 0x8F, 0xBF, 0xBF)));
        // surrogates U+D800..U+DFFF encoded directly
        assertEquals(r + r + r, encodeParsed(bytes(0xED, 0xA0, 0x80)));
        assertEquals(r + r + r, encodeParsed(bytes(0xED, 0xBF, 0xBF)));
        assertEquals("\ud7ff", encodeParsed(bytes(0xED, 0x9F, 0xBF)));
        // above U+10FFFF
        assertEquals(r + r + r + r, encodeParsed(bytes(0xF4, 0x90, 0x80, 0x80)));
        assertEquals("\udbff\udfff", encodeParsed(bytes(0xF4, 0x8F, 0xBF, 0xBF)));
        // a valid sequence right after an invalid one is kept
        assertEquals(r + "\u00e9", encodeParsed(bytes(0xE2, 0xC3, 0xA9)));
        assertEquals(r + "\u20ac", encodeParsed(bytes(0xF0, 0x9F, 0xE2, 0x82, 0xAC)));
        // the raw bytes of a replacement are the escape, not raw EF BF BD
        assertEquals("\\ufffd", new String(encodeRaw(bytes(0xFF)), StandardCharsets.US_ASCII));
    }

    /**
     * An independent, slow, obviously-correct oracle: a well-formed sequence is one the JDK's strict
     * decoder accepts whole; the maximal subpart is the longest prefix that some continuation
     * bytes could complete into a well-formed sequence. (The JDK's replacing decoder is not used:
     * for a truncated ED A0..BF at the end of input it emits one U+FFFD where Unicode wants two.)
     */
    private static String reference(final byte[] in) {
        final StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < in.length) {
            final int lead = in[i] & 0xFF;
            final int len = lead < 0x80 ? 1 : lead < 0xC0 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF8 ? 4 : 0;
            if (len > 0 && i + len <= in.length && wellFormed(java.util.Arrays.copyOfRange(in, i, i + len))) {
                out.append(new String(in, i, len, StandardCharsets.UTF_8));
                i += len;
                continue;
            }
            int subpart = 1;
            for (int m = Math.min(len, in.length - i); m >= 2; m--) {
                if (completable(java.util.Arrays.copyOfRange(in, i, i + m), len)) {
                    subpart = m;
                    break;
                }
            }
            out.append(REPLACEMENT);
            i += subpart;
        }
        return out.toString();
    }

    private static boolean wellFormed(final byte[] seq) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(seq));
            return true;
        } catch (final java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** Every valid continuation range contains 0x80, 0x90 or 0xA0, so trying those is enough. */
    private static boolean completable(final byte[] prefix, final int len) {
        final byte[] seq = java.util.Arrays.copyOf(prefix, len);
        return complete(seq, prefix.length);
    }

    private static boolean complete(final byte[] seq, final int at) {
        if (at == seq.length) {
            return wellFormed(seq);
        }
        for (final int b : new int[] {0x80, 0x90, 0xA0}) {
            seq[at] = (byte) b;
            if (complete(seq, at + 1)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void referenceOracleAgreesWithTheHandWrittenCases() {
        assertEquals(REPLACEMENT + REPLACEMENT, reference(bytes(0xED, 0xA7)));
        assertEquals(REPLACEMENT, reference(bytes(0xE2, 0x82)));
        assertEquals(REPLACEMENT + REPLACEMENT + REPLACEMENT, reference(bytes(0xE0, 0x80, 0xAF)));
        assertEquals("\u20ac", reference(bytes(0xE2, 0x82, 0xAC)));
        assertEquals("a\u00e9", reference(bytes('a', 0xC3, 0xA9)));
        assertEquals(REPLACEMENT + REPLACEMENT + REPLACEMENT + REPLACEMENT, reference(bytes(0xF4, 0x90, 0x80, 0x80)));
    }

    @Test
    void randomBytesDecodeLikeTheReferenceOracle() throws Exception {
        final Random random = new Random(42);
        final int[] interesting = {0x00, 0x0A, 0x22, 0x5C, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xA8, 0xBF,
            0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 'a'};
        for (int round = 0; round < 20_000; round++) {
            final byte[] in = new byte[random.nextInt(12)];
            for (int i = 0; i < in.length; i++) {
                in[i] = (byte) (random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt(256));
            }
            assertEquals(reference(in), encodeParsed(in), () -> java.util.HexFormat.of().formatHex(in));
        }
    }

    @Test
    void offHeapAndOffsetBuffersEncodeTheSame() throws Exception {
        final byte[] text = "x\"\u00e9\n".getBytes(StandardCharsets.UTF_8);
        final ByteBuffer direct = ByteBuffer.allocateDirect(32);
        direct.put(3, text);
        enc.beginLine().name("s").string(new UnsafeBuffer(direct), 3, text.length).endLine();
        assertEquals("{\"s\":\"x\\\"\u00e9\\n\"}\n", line(enc));

        final byte[] array = new byte[40];
        System.arraycopy(text, 0, array, 10, text.length);
        enc.beginLine().name("s").string(new UnsafeBuffer(array, 5, 30), 5, text.length).endLine();
        assertEquals("{\"s\":\"x\\\"\u00e9\\n\"}\n", line(enc));
    }

    @Test
    void stringsFromJavaStringsAreUtf8AndEscaped() throws Exception {
        enc.beginLine().name("s").string("a\"\\\t\u0001\u007f\u00e9\u20ac\ud83d\ude00\u2028").endLine();
        assertEquals("{\"s\":\"a\\\"\\\\\\t\\u0001\\u007f\u00e9\u20ac\ud83d\ude00\\u2028\"}\n", line(enc));
        enc.beginLine().name("lone").string("a\ud800b\udc00").name("n").string((String) null).endLine();
        final JsonNode node = MAPPER.readTree(line(enc));
        assertEquals("a" + REPLACEMENT + "b" + REPLACEMENT, node.get("lone").textValue());
        assertTrue(node.get("n").isNull());
    }

    // ---------------------------------------------------------------------------------- structure

    @Test
    void commasAndNestingAreAutomatic() throws Exception {
        enc.beginLine()
            .name("a").number(1)
            .name("b").beginArray().string("x").number(-2).nullValue().bool(true).bool(false).beginObject().endObject().endArray()
            .name("c").beginObject().name("d").nullValue().name("e").beginArray().endArray().endObject()
            .name("f").bool(false)
            .endLine();
        assertEquals("{\"a\":1,\"b\":[\"x\",-2,null,true,false,{}],\"c\":{\"d\":null,\"e\":[]},\"f\":false}\n", line(enc));
        MAPPER.readTree(line(enc));
        enc.beginLine().endLine();
        assertEquals("{}\n", line(enc), "beginLine discards the previous line");
    }

    @Test
    void numbersAreExactAcrossTheLongRange() throws Exception {
        final long[] values = {0, 1, 9, 10, 99, 100, -1, -9, -10, 123456789, 999_999_999_999_999_999L,
            1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, Integer.MIN_VALUE};
        for (final long v : values) {
            enc.beginLine().name("n").number(v).endLine();
            assertEquals("{\"n\":" + v + "}\n", line(enc));
            assertEquals(v, MAPPER.readTree(line(enc)).get("n").longValue());
        }
        final Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            final long v = random.nextLong() >> random.nextInt(64);
            enc.beginLine().name("n").number(v).endLine();
            assertEquals("{\"n\":" + v + "}\n", line(enc));
        }
        enc.beginLine().name("a").numberOrNull(-1).name("b").numberOrNull(0).name("c").microsOrNull(-1)
            .name("d").microsOrNull(1999).name("e").microsOrNull(2_000_000).endLine();
        assertEquals("{\"a\":null,\"b\":0,\"c\":null,\"d\":1,\"e\":2000}\n", line(enc));
    }

    @Test
    void digestsAreSixteenLowerCaseHexDigits() {
        enc.beginLine().name("d").hex16(0).name("e").hex16(-1).name("f").hex16(0x0123456789ABCDEFL).endLine();
        assertEquals("{\"d\":\"0000000000000000\",\"e\":\"ffffffffffffffff\",\"f\":\"0123456789abcdef\"}\n", line(enc));
    }

    @Test
    void bufferGrowsGeometricallyOnlyForBiggerLines() throws Exception {
        final JsonLineEncoder small = new JsonLineEncoder(64);
        final byte[] big = new byte[10_000];
        java.util.Arrays.fill(big, (byte) 'q');
        big[5000] = 0x01;
        small.beginLine().name("s").string(big, 0, big.length).endLine();
        final byte[] grown = small.buffer();
        assertEquals(6 + 10_000 + 5 + 3, small.length());
        assertEquals(1, Integer.bitCount(grown.length), "doubled from 64: a power of two");
        assertEquals(10_000, MAPPER.readTree(line(small)).get("s").textValue().length());
        small.beginLine().name("s").string(big, 0, 100).endLine();
        assertSame(grown, small.buffer(), "a smaller line reuses the buffer");
    }

    // ---------------------------------------------------------------------------------- timestamps

    private String timestamp(final long nanos) throws Exception {
        enc.beginLine().name("ts").timestamp(nanos).endLine();
        return MAPPER.readTree(line(enc)).get("ts").textValue();
    }

    private static String expectedTimestamp(final long nanos) {
        final Instant instant = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        return RFC3339_MICROS.format(instant.truncatedTo(ChronoUnit.MICROS));
    }

    private static long nanos(final String iso) {
        final Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void timestampsOfKnownInstants() throws Exception {
        assertEquals("1970-01-01T00:00:00.000000Z", timestamp(0));
        assertEquals("1970-01-01T00:00:00.000000Z", timestamp(999));
        assertEquals("1970-01-01T00:00:00.000001Z", timestamp(1000));
        assertEquals("1969-12-31T23:59:59.999999Z", timestamp(-1));
        assertEquals("1969-12-31T23:59:59.999999Z", timestamp(-1000));
        assertEquals("1969-12-31T23:59:59.999998Z", timestamp(-1001));
        assertEquals("2026-11-23T22:26:45.123456Z", timestamp(nanos("2026-11-23T22:26:45.123456789Z")));
        assertEquals("2000-02-29T12:00:00.000000Z", timestamp(nanos("2000-02-29T12:00:00Z")));
        assertEquals("2024-02-29T23:59:59.999999Z", timestamp(nanos("2024-02-29T23:59:59.999999Z")));
        assertEquals("2024-03-01T00:00:00.000000Z", timestamp(nanos("2024-03-01T00:00:00Z")));
        assertEquals("2100-02-28T23:59:59.000000Z", timestamp(nanos("2100-02-28T23:59:59Z")));
        assertEquals("2100-03-01T00:00:00.000000Z", timestamp(nanos("2100-02-28T23:59:59Z") + 1_000_000_000L));
        assertEquals("2038-01-19T03:14:08.000000Z", timestamp(2_147_483_648L * 1_000_000_000L));
        assertEquals("1900-03-01T00:00:00.000000Z", timestamp(nanos("1900-02-28T00:00:00Z") + 86_400_000_000_000L));
        assertEquals("2262-04-11T23:47:16.854775Z", timestamp(Long.MAX_VALUE));
        assertEquals("1677-09-21T00:12:43.145224Z", timestamp(Long.MIN_VALUE));
    }

    @Test
    void timestampsMatchJavaTimeForRandomInstants() throws Exception {
        final Random random = new Random(2026);
        for (int i = 0; i < 100_000; i++) {
            final long nanos = switch (i % 3) {
                case 0 -> random.nextLong();                                           // the whole range
                case 1 -> random.nextLong(4_102_444_800L) * 1_000_000_000L + random.nextInt(1_000_000_000); // 1970..2100
                default -> (random.nextLong(400 * 366L) - 200 * 366L) * 86_400_000_000_000L; // midnights near 1970
            };
            assertEquals(expectedTimestamp(nanos), timestamp(nanos), "nanos " + nanos);
        }
        // every day boundary over a 400-year cycle, including all leap days
        long day = nanos("1900-01-01T00:00:00Z");
        for (int d = 0; d < 146_097; d++, day += 86_400_000_000_000L) {
            enc.beginLine().timestamp(day - 1);
            assertEquals("{\"" + expectedTimestamp(day - 1) + "\"", new String(enc.buffer(), 0, enc.length(), StandardCharsets.US_ASCII));
        }
    }
}
