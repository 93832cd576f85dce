package spyglass.output;

import org.agrona.DirectBuffer;

/**
 * Builds one JSON object, one line ending in {@code '\n'}, at a time into a reusable byte array.
 * Writes UTF-8 bytes directly: no JSON library, no {@code String} per record, no allocation once the
 * buffer has grown to the largest line seen (it grows geometrically, and only then).
 *
 * <p>Usage: {@code beginLine(); name("type"); string("query"); ...; endLine();} then read
 * {@link #buffer()}[0, {@link #length()}). Commas are placed automatically: every value, name or
 * nested container after the first in its container is preceded by one.
 *
 * <p>Strings from bytes are validated as UTF-8 on the way through: valid sequences are copied as
 * they are, each maximal invalid subpart (Unicode's "U+FFFD substitution of maximal subparts")
 * becomes the escape of U+FFFD, so whatever came off the wire, the line is valid JSON and valid UTF-8.
 * U+2028 and U+2029 are escaped too, so the line is also safe to paste into JavaScript.
 *
 * <p>Not thread-safe: one encoder per thread.
 */
public final class JsonLineEncoder {
    public static final int DEFAULT_INITIAL_CAPACITY = 4096;

    /** Worst-case output bytes per input byte or char: a six-byte backslash-u escape. */
    private static final int MAX_ESCAPED_PER_UNIT = 6;

    private static final byte[] HEX = {
        '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    /** Per ASCII byte: 0 = copy as is; 'u' = a six-byte backslash-u 00XX escape; otherwise the letter after the backslash. */
    private static final byte[] ASCII_ESCAPE = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ASCII_ESCAPE[c] = 'u';
        }
        ASCII_ESCAPE['\b'] = 'b';
        ASCII_ESCAPE['\t'] = 't';
        ASCII_ESCAPE['\n'] = 'n';
        ASCII_ESCAPE['\f'] = 'f';
        ASCII_ESCAPE['\r'] = 'r';
        ASCII_ESCAPE['"'] = '"';
        ASCII_ESCAPE['\\'] = '\\';
        // DEL is legal JSON but invisible and terminal-hostile in a file meant to be read by people.
        ASCII_ESCAPE[0x7F] = 'u';
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long SECONDS_PER_DAY = 86_400L;
    /** {@code "YYYY-MM-DDTHH:MM:SS.uuuuuuZ"}, quotes included. */
    private static final int TIMESTAMP_LENGTH = 29;

    private byte[] buf;
    private int pos;
    /** True when the next value, name or container in the current container needs a comma first. */
    private boolean needComma;
    /** Where bytes of a buffer that is not backed by a byte[] are copied to be encoded. */
    private byte[] scratch = new byte[0];

    public JsonLineEncoder() {
        this(DEFAULT_INITIAL_CAPACITY);
    }

    public JsonLineEncoder(final int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    // ---------------------------------------------------------------------------------------- line

    /** Discards whatever was being built and starts a new line with its top-level {@code '{'}. */
    public JsonLineEncoder beginLine() {
        pos = 0;
        needComma = false;
        return beginObject();
    }

    /** Closes the top-level object and ends the line with {@code '\n'}. */
    public JsonLineEncoder endLine() {
        ensure(2);
        buf[pos++] = '}';
        buf[pos++] = '\n';
        needComma = false;
        return this;
    }

    /** The backing array; valid bytes are [0, {@link #length()}). Replaced when the buffer grows. */
    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return pos;
    }

    public int capacity() {
        return buf.length;
    }

    // ------------------------------------------------------------------------------ containers

    public JsonLineEncoder beginObject() {
        ensure(2);
        separate();
        buf[pos++] = '{';
        needComma = false;
        return this;
    }

    public JsonLineEncoder endObject() {
        ensure(1);
        buf[pos++] = '}';
        needComma = true;
        return this;
    }

    public JsonLineEncoder beginArray() {
        ensure(2);
        separate();
        buf[pos++] = '[';
        needComma = false;
        return this;
    }

    public JsonLineEncoder endArray() {
        ensure(1);
        buf[pos++] = ']';
        needComma = true;
        return this;
    }

    /** A field name, which must be a constant of printable ASCII with nothing to escape. */
    public JsonLineEncoder name(final String asciiName) {
        final int n = asciiName.length();
        ensure(n + 4);
        separate();
        final byte[] b = buf;
        int p = pos;
        b[p++] = '"';
        for (int i = 0; i < n; i++) {
            b[p++] = (byte) asciiName.charAt(i);
        }
        b[p++] = '"';
        b[p++] = ':';
        pos = p;
        needComma = false;
        return this;
    }

    // ---------------------------------------------------------------------------------- values

    public JsonLineEncoder nullValue() {
        ensure(5);
        separate();
        putAscii4('n', 'u', 'l', 'l');
        needComma = true;
        return this;
    }

    public JsonLineEncoder bool(final boolean value) {
        ensure(6);
        separate();
        if (value) {
            putAscii4('t', 'r', 'u', 'e');
        } else {
            buf[pos++] = 'f';
            putAscii4('a', 'l', 's', 'e');
        }
        needComma = true;
        return this;
    }

    public JsonLineEncoder number(final long value) {
        ensure(21);
        separate();
        long v = value;
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                // Its magnitude does not fit a long; the digits are a constant.
                putRawAscii("-9223372036854775808");
                needComma = true;
                return this;
            }
            buf[pos++] = '-';
            v = -v;
        }
        final int end = pos + digitCount(v);
        int p = end;
        do {
            buf[--p] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        pos = end;
        needComma = true;
        return this;
    }

    /** A non-negative value, or null when it is negative (the event classes' "unknown" is -1). */
    public JsonLineEncoder numberOrNull(final long value) {
        return value < 0 ? nullValue() : number(value);
    }

    /** A duration in nanoseconds written in whole microseconds, or null when negative (unknown). */
    public JsonLineEncoder microsOrNull(final long nanos) {
        return nanos < 0 ? nullValue() : number(nanos / 1000);
    }

    /** A 64-bit value as a quoted string of 16 lower-case hex digits. */
    public JsonLineEncoder hex16(final long value) {
        ensure(19);
        separate();
        final byte[] b = buf;
        int p = pos;
        b[p++] = '"';
        for (int shift = 60; shift >= 0; shift -= 4) {
            b[p++] = HEX[(int) (value >>> shift) & 0xF];
        }
        b[p++] = '"';
        pos = p;
        needComma = true;
        return this;
    }

    /**
     * An RFC 3339 UTC timestamp with microseconds, {@code "2026-11-23T22:26:45.123456Z"}, from
     * nanoseconds since the epoch (negative is before 1970; sub-microsecond digits are dropped,
     * rounding towards the past). Computed arithmetically: no java.time, no allocation.
     */
    public JsonLineEncoder timestamp(final long epochNanos) {
        ensure(TIMESTAMP_LENGTH + 1);
        separate();
        final long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        final int micros = (int) (Math.floorMod(epochNanos, NANOS_PER_SECOND) / 1000);
        final long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        final int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);

        // Civil date from days since 1970-01-01 (H. Hinnant's civil_from_days): counts in 400-year
        // eras starting on March 1st so the leap day is the last day of the year.
        final long z = days + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long dayOfEra = z - era * 146_097;
        final long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long mp = (5 * dayOfYear + 2) / 153;
        final int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        final int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        final int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));

        final byte[] b = buf;
        int p = pos;
        b[p++] = '"';
        // A long of nanoseconds spans years 1677..2262: always four digits.
        p = put4(b, p, year);
        b[p++] = '-';
        p = put2(b, p, month);
        b[p++] = '-';
        p = put2(b, p, day);
        b[p++] = 'T';
        p = put2(b, p, secondOfDay / 3600);
        b[p++] = ':';
        p = put2(b, p, secondOfDay / 60 % 60);
        b[p++] = ':';
        p = put2(b, p, secondOfDay % 60);
        b[p++] = '.';
        p = put2(b, p, micros / 10_000);
        p = put2(b, p, micros / 100 % 100);
        p = put2(b, p, micros % 100);
        b[p++] = 'Z';
        b[p++] = '"';
        pos = p;
        needComma = true;
        return this;
    }

    /** A string from UTF-8 bytes (validated, see the class comment). */
    public JsonLineEncoder string(final byte[] src, final int offset, final int length) {
        ensureEscaped(length);
        separate();
        putUtf8Escaped(src, offset, length);
        needComma = true;
        return this;
    }

    /** A string from UTF-8 bytes in a buffer (validated, see the class comment). */
    public JsonLineEncoder string(final DirectBuffer src, final int offset, final int length) {
        src.boundsCheck(offset, length);
        final byte[] array = src.byteArray();
        if (array != null) {
            return string(array, src.wrapAdjustment() + offset, length);
        }
        // Off-heap: copy once into a scratch array so there is a single validating loop.
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        src.getBytes(offset, scratch, 0, length);
        return string(scratch, 0, length);
    }

    /**
     * A string from a {@code String} (a constant, a host name...), encoded as UTF-8 and escaped
     * without allocating; a lone surrogate becomes U+FFFD. Null writes JSON null.
     */
    public JsonLineEncoder string(final String value) {
        if (value == null) {
            return nullValue();
        }
        final int n = value.length();
        ensureEscaped(n);
        separate();
        final byte[] b = buf;
        int p = pos;
        b[p++] = '"';
        for (int i = 0; i < n; i++) {
            final char c = value.charAt(i);
            if (c < 0x80) {
                p = putAscii(b, p, c);
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | c >>> 6);
                b[p++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                b[p++] = (byte) (0xF0 | cp >>> 18);
                b[p++] = (byte) (0x80 | cp >>> 12 & 0x3F);
                b[p++] = (byte) (0x80 | cp >>> 6 & 0x3F);
                b[p++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                p = putUnicodeEscape(b, p, 0xFFFD);
            } else if (c == 0x2028 || c == 0x2029) {
                p = putUnicodeEscape(b, p, c);
            } else {
                b[p++] = (byte) (0xE0 | c >>> 12);
                b[p++] = (byte) (0x80 | c >>> 6 & 0x3F);
                b[p++] = (byte) (0x80 | c & 0x3F);
            }
        }
        b[p++] = '"';
        pos = p;
        needComma = true;
        return this;
    }

    // --------------------------------------------------------------------------------- internals

    private void separate() {
        if (needComma) {
            buf[pos++] = ',';
        }
    }

    /** Room for a value of {@code units} input bytes/chars, escaped at worst, with quotes and comma. */
    private void ensureEscaped(final int units) {
        final long worst = (long) units * MAX_ESCAPED_PER_UNIT + 3;
        if (worst > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("string too long for one JSON line: " + units);
        }
        ensure((int) worst);
    }

    private void ensure(final int more) {
        final long needed = (long) pos + more;
        if (needed > buf.length) {
            grow(needed);
        }
    }

    private void grow(final long needed) {
        long capacity = buf.length;
        while (capacity < needed) {
            capacity *= 2;
        }
        final byte[] bigger = new byte[(int) Math.min(capacity, Integer.MAX_VALUE - 8)];
        System.arraycopy(buf, 0, bigger, 0, pos);
        buf = bigger;
    }

    private void putAscii4(final char a, final char b, final char c, final char d) {
        final byte[] x = buf;
        int p = pos;
        x[p++] = (byte) a;
        x[p++] = (byte) b;
        x[p++] = (byte) c;
        x[p++] = (byte) d;
        pos = p;
    }

    private void putRawAscii(final String s) {
        final int n = s.length();
        for (int i = 0; i < n; i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
    }

    private static int put2(final byte[] b, final int p, final int value) {
        b[p] = (byte) ('0' + value / 10);
        b[p + 1] = (byte) ('0' + value % 10);
        return p + 2;
    }

    private static int put4(final byte[] b, final int p, final int value) {
        put2(b, p, value / 100);
        put2(b, p + 2, value % 100);
        return p + 4;
    }

    private static int putAscii(final byte[] b, final int p, final int c) {
        final byte escape = ASCII_ESCAPE[c];
        if (escape == 0) {
            b[p] = (byte) c;
            return p + 1;
        }
        if (escape == 'u') {
            return putUnicodeEscape(b, p, c);
        }
        b[p] = '\\';
        b[p + 1] = escape;
        return p + 2;
    }

    private static int putUnicodeEscape(final byte[] b, final int p, final int c) {
        b[p] = '\\';
        b[p + 1] = 'u';
        b[p + 2] = HEX[c >>> 12 & 0xF];
        b[p + 3] = HEX[c >>> 8 & 0xF];
        b[p + 4] = HEX[c >>> 4 & 0xF];
        b[p + 5] = HEX[c & 0xF];
        return p + 6;
    }

    private static boolean isContinuation(final int b) {
        return (b & 0xC0) == 0x80;
    }

    /**
     * Copies UTF-8 as is, escaping ASCII as JSON needs and replacing each maximal invalid subpart
     * with U+FFFD. The table of well-formed sequences (Unicode 15, table 3-7) decides the valid
     * range of the second byte by lead: E0 needs A0..BF (no overlongs), ED needs 80..9F (no
     * surrogates), F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing above U+10FFFF).
     * The caller has ensured room for the worst case.
     */
    private void putUtf8Escaped(final byte[] src, final int offset, final int length) {
        final byte[] b = buf;
        int p = pos;
        b[p++] = '"';
        int i = offset;
        final int end = offset + length;
        while (i < end) {
            final int b0 = src[i] & 0xFF;
            if (b0 < 0x80) {
                p = putAscii(b, p, b0);
                i++;
                continue;
            }
            final int trailing;
            int low = 0x80;
            int high = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                trailing = 1;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                trailing = 2;
                if (b0 == 0xE0) {
                    low = 0xA0;
                } else if (b0 == 0xED) {
                    high = 0x9F;
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                trailing = 3;
                if (b0 == 0xF0) {
                    low = 0x90;
                } else if (b0 == 0xF4) {
                    high = 0x8F;
                }
            } else {
                // A stray continuation byte, C0/C1 (always overlong) or F5..FF (beyond U+10FFFF).
                p = putUnicodeEscape(b, p, 0xFFFD);
                i++;
                continue;
            }
            if (i + 1 >= end) {
                p = putUnicodeEscape(b, p, 0xFFFD);
                i++;
                continue;
            }
            final int b1 = src[i + 1] & 0xFF;
            if (b1 < low || b1 > high) {
                p = putUnicodeEscape(b, p, 0xFFFD);
                i++;
                continue;
            }
            if (trailing == 1) {
                b[p++] = (byte) b0;
                b[p++] = (byte) b1;
                i += 2;
                continue;
            }
            if (i + 2 >= end || !isContinuation(src[i + 2])) {
                p = putUnicodeEscape(b, p, 0xFFFD);
                i += 2;
                continue;
            }
            final int b2 = src[i + 2] & 0xFF;
            if (trailing == 2) {
                if (b0 == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9)) {
                    p = putUnicodeEscape(b, p, 0x2000 | b2 - 0x80);
                } else {
                    b[p++] = (byte) b0;
                    b[p++] = (byte) b1;
                    b[p++] = (byte) b2;
                }
                i += 3;
                continue;
            }
            if (i + 3 >= end || !isContinuation(src[i + 3])) {
                p = putUnicodeEscape(b, p, 0xFFFD);
                i += 3;
                continue;
            }
            b[p++] = (byte) b0;
            b[p++] = (byte) b1;
            b[p++] = (byte) b2;
            b[p++] = src[i + 3];
            i += 4;
        }
        b[p++] = '"';
        pos = p;
    }

    private static int digitCount(final long v) {
        long limit = 10;
        for (int n = 1; n < 19; n++) {
            if (v < limit) {
                return n;
            }
            limit *= 10;
        }
        return 19;
    }
}
