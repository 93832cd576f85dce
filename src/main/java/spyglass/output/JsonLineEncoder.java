package spyglass.output;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

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
 * <p>Hot records ({@link CaptureRecordEncoder#encodeQuery}) use the package-private raw layer
 * instead: {@link #startRaw(long)} makes room for the worst case of the whole line once, then
 * static {@code put*} methods store into the array at a position and return the next one (no
 * capacity check, no comma logic), and {@link #finishRaw(int)} records the length. They store 4 or
 * 8 bytes at a time where they can: constants, digits computed in parallel in one long, runs of
 * string bytes that need no escaping (found 8 at a time). So a {@code put*} may write up to
 * {@link #SLACK} bytes beyond the position it returns; the room asked of {@code startRaw} must
 * include that slack once, as each later write overwrites it. Every store is still bounds-checked.
 *
 * <p>Not thread-safe: one encoder per thread.
 */
public final class JsonLineEncoder {
    public static final int DEFAULT_INITIAL_CAPACITY = 4096;

    /** Worst-case output bytes per input byte or char: a six-byte backslash-u escape. */
    static final int MAX_ESCAPED_PER_UNIT = 6;

    /** Bytes a raw {@code put*} may store beyond the position it returns. */
    static final int SLACK = 16;

    /** Longest output of {@link #putLong}: a minus sign and 19 digits. */
    static final int MAX_LONG_LENGTH = 20;

    /** Where a byte[]'s elements start, for the 4- and 8-byte accesses (little-endian: byte 0 is the least significant). */
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    /** "null" and "true" as little-endian ints. */
    private static final int NULL_INT = 'n' | 'u' << 8 | 'l' << 16 | 'l' << 24;
    private static final int TRUE_INT = 't' | 'r' << 8 | 'u' << 16 | 'e' << 24;
    /** "fals", the 'e' follows. */
    private static final int FALS_INT = 'f' | 'a' << 8 | 'l' << 16 | 's' << 24;

    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;

    private static final byte[] HEX = {
        '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    /** "00", "01", ... "99": the two digits of n at [2n, 2n + 1]. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    /** 10^0 .. 10^18. */
    private static final long[] POWERS_OF_TEN = new long[19];

    /** Per ASCII byte: 0 = copy as is; 'u' = a six-byte backslash-u 00XX escape; otherwise the letter after the backslash. */
    private static final byte[] ASCII_ESCAPE = new byte[128];

    private static final byte[] LONG_MIN = ascii("-9223372036854775808");

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
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        long power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long SECONDS_PER_DAY = 86_400L;
    /** {@code "YYYY-MM-DDTHH:MM:SS.uuuuuuZ"}, quotes included. */
    static final int TIMESTAMP_LENGTH = 29;
    /** {@code "YYYY-MM-DDTHH:MM:SS.}: the opening quote, date, time and the dot. */
    private static final int TIMESTAMP_PREFIX_LENGTH = 21;

    private byte[] buf;
    private int pos;
    /** True when the next value, name or container in the current container needs a comma first. */
    private boolean needComma;
    /** Where bytes of a buffer that is not backed by a byte[] are copied to be encoded. */
    private byte[] scratch = new byte[0];

    /** The second of the last timestamp written, and its formatted prefix: events in one second share it. */
    private long cachedSecond = Long.MIN_VALUE;
    private final byte[] cachedPrefix = new byte[24];

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
        ensure(5 + SLACK);
        separate();
        pos = putNull(buf, pos);
        needComma = true;
        return this;
    }

    public JsonLineEncoder bool(final boolean value) {
        ensure(6);
        separate();
        pos = putBool(buf, pos, value);
        needComma = true;
        return this;
    }

    public JsonLineEncoder number(final long value) {
        ensure(MAX_LONG_LENGTH + 1 + SLACK);
        separate();
        pos = putLong(buf, pos, value);
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
        ensure(19 + SLACK);
        separate();
        pos = putHex16(buf, pos, value);
        needComma = true;
        return this;
    }

    /**
     * An RFC 3339 UTC timestamp with microseconds, {@code "2026-11-23T22:26:45.123456Z"}, from
     * nanoseconds since the epoch (negative is before 1970; sub-microsecond digits are dropped,
     * rounding towards the past). Computed arithmetically: no java.time, no allocation.
     */
    public JsonLineEncoder timestamp(final long epochNanos) {
        ensure(TIMESTAMP_LENGTH + 1 + SLACK);
        separate();
        pos = putTimestamp(buf, pos, epochNanos);
        needComma = true;
        return this;
    }

    /** A string from UTF-8 bytes (validated, see the class comment). */
    public JsonLineEncoder string(final byte[] src, final int offset, final int length) {
        ensure(escapedBound(length) + 1 + SLACK);
        separate();
        pos = putUtf8(buf, pos, src, offset, length);
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
        return string(offHeapCopy(src, offset, length), 0, length);
    }

    /**
     * A string from a {@code String} (a constant, a host name...), encoded as UTF-8 and escaped
     * without allocating; a lone surrogate becomes U+FFFD. Null writes JSON null.
     */
    public JsonLineEncoder string(final String value) {
        if (value == null) {
            return nullValue();
        }
        ensure(escapedBound(value.length()) + 1 + SLACK);
        separate();
        pos = putString(buf, pos, value);
        needComma = true;
        return this;
    }

    // ------------------------------------------------------------------------------- raw layer

    /**
     * Starts a line written with the raw {@code put*} methods: discards whatever was being built and
     * makes room for {@code maxLength} bytes (the worst case of the line plus {@link #SLACK}).
     * Returns the array to write into from position 0.
     */
    byte[] startRaw(final long maxLength) {
        if (maxLength > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("record too long for one JSON line: " + maxLength);
        }
        pos = 0;
        needComma = false;
        if (maxLength > buf.length) {
            grow(maxLength);
        }
        return buf;
    }

    /** Ends a raw line: {@code end} is the position after its {@code '\n'}. */
    void finishRaw(final int end) {
        pos = end;
        needComma = false;
    }

    /** Worst-case bytes for a quoted string of {@code units} input bytes or chars. */
    static long escapedBound(final int units) {
        final long worst = (long) units * MAX_ESCAPED_PER_UNIT + 2;
        if (worst > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("string too long for one JSON line: " + units);
        }
        return worst;
    }

    /** The bytes of an off-heap buffer's range, copied to a reusable array. */
    byte[] offHeapCopy(final DirectBuffer src, final int offset, final int length) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        src.getBytes(offset, scratch, 0, length);
        return scratch;
    }

    /** Printable ASCII constant as bytes, padded with zeros to a whole number of longs. */
    static byte[] ascii(final String constant) {
        final byte[] bytes = constant.getBytes(StandardCharsets.US_ASCII);
        final byte[] padded = new byte[(bytes.length + 7) & ~7];
        System.arraycopy(bytes, 0, padded, 0, bytes.length);
        return padded;
    }

    /**
     * Copies a constant made by {@link #ascii(String)} of {@code length} bytes (its unpadded length),
     * eight bytes at a time: may write up to 7 bytes beyond.
     */
    static int putConst(final byte[] b, final int p, final byte[] constant, final int length) {
        for (int k = 0; k < length; k += 8) {
            putLongAt(b, p + k, longAt(constant, k));
        }
        return p + length;
    }

    /**
     * Eight bytes at {@code b}[p, p + 8), little-endian, bounds-checked like an array store. Through
     * Agrona's {@code UnsafeApi} rather than a byte-array-view VarHandle, which does the same but
     * inlines as hundreds of bytecodes: a query record has dozens of these, and with VarHandles the
     * JIT's inlining budget for the method writing it ran out (measured: about 12% slower).
     */
    static void putLongAt(final byte[] b, final int p, final long eightBytes) {
        Objects.checkIndex(p, b.length - 7);
        UnsafeApi.putLongUnaligned(b, BYTE_ARRAY_BASE + p, eightBytes, false);
    }

    static long longAt(final byte[] b, final int p) {
        Objects.checkIndex(p, b.length - 7);
        return UnsafeApi.getLongUnaligned(b, BYTE_ARRAY_BASE + p, false);
    }

    static void putIntAt(final byte[] b, final int p, final int fourBytes) {
        Objects.checkIndex(p, b.length - 3);
        UnsafeApi.putIntUnaligned(b, BYTE_ARRAY_BASE + p, fourBytes, false);
    }

    static int putNull(final byte[] b, final int p) {
        putIntAt(b, p, NULL_INT);
        return p + 4;
    }

    static int putBool(final byte[] b, final int p, final boolean value) {
        if (value) {
            putIntAt(b, p, TRUE_INT);
            return p + 4;
        }
        putIntAt(b, p, FALS_INT);
        b[p + 4] = 'e';
        return p + 5;
    }

    static int putLong(final byte[] b, final int p, final long value) {
        if (value >= 0) {
            return putNonNegative(b, p, value);
        }
        if (value == Long.MIN_VALUE) {
            // Its magnitude does not fit a long; the digits are a constant.
            return putConst(b, p, LONG_MIN, 20);
        }
        b[p] = '-';
        return putNonNegative(b, p + 1, -value);
    }

    static int putLongOrNull(final byte[] b, final int p, final long value) {
        return value < 0 ? putNull(b, p) : putNonNegative(b, p, value);
    }

    static int putMicrosOrNull(final byte[] b, final int p, final long nanos) {
        return nanos < 0 ? putNull(b, p) : putNonNegative(b, p, nanos / 1000);
    }

    /**
     * Small enough to be inlined at every call site (whose own branch history then predicts it).
     * The length comes from the branches, not from the digits: where the next value goes is then
     * known as soon as the branch is predicted, not at the end of the digits' arithmetic (measured:
     * about 8% faster on a whole query record than shifting out leading zeros counted in the digits).
     */
    private static int putNonNegative(final byte[] b, final int p, final long value) {
        if (value < 10) {
            b[p] = (byte) ('0' + value);
            return p + 1;
        }
        if (value < 10_000) {
            final int digits = fourDigits((int) value) + 0x3030_3030;
            if (value < 100) {
                putIntAt(b, p, digits >>> 16);
                return p + 2;
            }
            if (value < 1000) {
                putIntAt(b, p, digits >>> 8);
                return p + 3;
            }
            putIntAt(b, p, digits);
            return p + 4;
        }
        return putLarge(b, p, value);
    }

    /**
     * The 4 decimal digits of {@code value} (below 10^4) as 4 bytes of 0..9, the most significant
     * first in memory: see {@link #eightDigits}.
     */
    private static int fourDigits(final int value) {
        final int high = value * 5243 >>> 19;
        final int twos = high | (value - high * 100) << 16;
        final int tens = (twos * 103 >>> 10) & 0x000F_000F;
        return tens | (twos - tens * 10) << 8;
    }

    /** {@link #putNonNegative} from 10 000. */
    private static int putLarge(final byte[] b, final int p, final long value) {
        if (value < 100_000_000) {
            // Up to 8 digits at once: each digit into its own byte, the most significant in the
            // lowest (first in memory); the leading zeros are the lowest zero bytes, shifted out.
            final long digits = eightDigits((int) value);
            final int leadingZeros = Long.numberOfTrailingZeros(digits) & ~7;
            putLongAt(b, p, digits + 0x3030_3030_3030_3030L >>> leadingZeros);
            return p + 8 - (leadingZeros >>> 3);
        }
        // floor(log10(value)) or one less, from the bit length (1233 / 4096 ~ log10(2)).
        final int guess = (64 - Long.numberOfLeadingZeros(value)) * 1233 >>> 12;
        final int end = p + guess + (value >= POWERS_OF_TEN[guess] ? 1 : 0);
        int q = end;
        long v = value;
        while (v >= 100) {
            final long rest = v / 100;
            final int d = (int) (v - rest * 100) << 1;
            q -= 2;
            b[q] = DIGIT_PAIRS[d];
            b[q + 1] = DIGIT_PAIRS[d + 1];
            v = rest;
        }
        if (v < 10) {
            b[q - 1] = (byte) ('0' + v);
        } else {
            final int d = (int) v << 1;
            b[q - 2] = DIGIT_PAIRS[d];
            b[q - 1] = DIGIT_PAIRS[d + 1];
        }
        return end;
    }

    /**
     * The 8 decimal digits of {@code value} (below 10^8) as 8 bytes of 0..9, most significant first
     * in memory. Divisions by 10^4, then by 100 and 10 in every lane at once with multiply-shift
     * reciprocals exact in these ranges: n * 5243 >>> 19 is n / 100 below 43 699, n * 103 >>> 10 is
     * n / 10 below 179.
     */
    private static long eightDigits(final int value) {
        final int high = value / 10_000;
        // Four digits a 32-bit lane: the high half first in memory (the low lane).
        final long fours = high | (long) (value - high * 10_000) << 32;
        final long hundreds = (fours * 5243 >>> 19) & 0x0000_007F_0000_007FL;
        // Two digits a 16-bit lane.
        final long twos = hundreds | (fours - hundreds * 100) << 16;
        final long tens = (twos * 103 >>> 10) & 0x000F_000F_000F_000FL;
        return tens | (twos - tens * 10) << 8;
    }

    /** A quoted string of the 16 lower-case hex digits of {@code value}. */
    static int putHex16(final byte[] b, final int p, final long value) {
        b[p] = '"';
        putLongAt(b, p + 1, hexDigits((int) (value >>> 32)));
        putLongAt(b, p + 9, hexDigits((int) value));
        b[p + 17] = '"';
        return p + 18;
    }

    /** The 8 hex digits of a 32-bit value as 8 ASCII bytes, most significant first in memory. */
    private static long hexDigits(final int value) {
        // Spread the nibbles one a byte, least significant nibble in the lowest byte...
        long x = value & 0xFFFF_FFFFL;
        x = (x | x << 16) & 0x0000_FFFF_0000_FFFFL;
        x = (x | x << 8) & 0x00FF_00FF_00FF_00FFL;
        x = (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0FL;
        // ...then '0' + n, plus 'a' - '0' - 10 = 39 where n > 9 (bit 4 of n + 6 is set exactly then).
        final long letters = (x + 0x0606_0606_0606_0606L) >>> 4 & ONES;
        return Long.reverseBytes(x + 0x3030_3030_3030_3030L + letters * 39);
    }

    /** A quoted RFC 3339 timestamp, see {@link #timestamp(long)}. */
    int putTimestamp(final byte[] b, final int p, final long epochNanos) {
        final long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        final int micros = (int) (Math.floorMod(epochNanos, NANOS_PER_SECOND) / 1000);
        final byte[] prefix = cachedPrefix;
        if (seconds != cachedSecond) {
            formatSecond(prefix, seconds);
            cachedSecond = seconds;
        }
        putLongAt(b, p, longAt(prefix, 0));
        putLongAt(b, p + 8, longAt(prefix, 8));
        putLongAt(b, p + 16, longAt(prefix, 16));
        int q = p + TIMESTAMP_PREFIX_LENGTH;
        final int high = micros / 10_000;
        final int low = micros - high * 10_000;
        final int mid = low / 100;
        final int last = low - mid * 100;
        b[q] = DIGIT_PAIRS[high << 1];
        b[q + 1] = DIGIT_PAIRS[(high << 1) + 1];
        b[q + 2] = DIGIT_PAIRS[mid << 1];
        b[q + 3] = DIGIT_PAIRS[(mid << 1) + 1];
        b[q + 4] = DIGIT_PAIRS[last << 1];
        b[q + 5] = DIGIT_PAIRS[(last << 1) + 1];
        b[q + 6] = 'Z';
        b[q + 7] = '"';
        return q + 8;
    }

    /** {@code "YYYY-MM-DDTHH:MM:SS.} of a second since the epoch into {@code b}[0, 21). */
    private static void formatSecond(final byte[] b, final long seconds) {
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

        int p = 0;
        b[p++] = '"';
        // A long of nanoseconds spans years 1677..2262: always four digits.
        p = put2(b, p, year / 100);
        p = put2(b, p, year % 100);
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
        b[p] = '.';
    }

    /**
     * A quoted string from a {@code String}, see {@link #string(String)}; {@code value} is not null.
     * Needs room for {@link #escapedBound} of its length.
     */
    static int putString(final byte[] b, int p, final String value) {
        final int n = value.length();
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
        return p;
    }

    /**
     * A byte in {@code x} that is not copied as it is: below 0x20, '"', '\\', 0x7F or above. The
     * lowest set bit of the result is the high bit of the first such byte in memory order, and the
     * result is zero when there is none. Per byte, with no borrow or carry coming in: x - 0x20 sets
     * the high bit for x below 0x20; (x ^ '"') - 1 for '"'; (x ^ '\\') - 1 for '\\'; x + 1 for
     * 0x7F; x itself for 0x80 and above. Each of these also sets it for some bytes of 0x80 and
     * above, which are flagged anyway; a borrow or carry only comes out of a byte that is flagged
     * and only goes up, so it can flag bytes after the first, never before.
     */
    private static long needsCare(final long x) {
        return ((x - 0x2020_2020_2020_2020L) | ((x ^ 0x2222_2222_2222_2222L) - ONES)
            | ((x ^ 0x5C5C_5C5C_5C5C_5C5CL) - ONES) | (x + ONES) | x) & HIGHS;
    }

    /**
     * Copies UTF-8 as is, quoted, escaping ASCII as JSON needs and replacing each maximal invalid
     * subpart with U+FFFD. Bytes that need no care are checked and copied 8 at a time (reading up to
     * 7 bytes past the string when its array has them, and storing up to 7 bytes beyond: see
     * {@link #SLACK}); from the first that does, {@link #putUtf8Careful} takes over. The caller has
     * ensured room for {@link #escapedBound} of the length, plus the slack.
     */
    static int putUtf8(final byte[] b, final int start, final byte[] src, final int offset, final int length) {
        b[start] = '"';
        int p = start + 1;
        int i = offset;
        final int end = offset + length;
        while (end - i >= 8) {
            final long x = longAt(src, i);
            if (needsCare(x) != 0) {
                return putUtf8Careful(b, p, src, i, end);
            }
            putLongAt(b, p, x);
            i += 8;
            p += 8;
        }
        final int remaining = end - i;
        if (remaining > 0) {
            if (i > src.length - 8) {
                return putUtf8Careful(b, p, src, i, end);
            }
            // The last 1..7 bytes and whatever follows them in the array: only theirs count.
            final long x = longAt(src, i);
            if ((needsCare(x) & (1L << (remaining << 3)) - 1) != 0) {
                return putUtf8Careful(b, p, src, i, end);
            }
            putLongAt(b, p, x);
            p += remaining;
        }
        b[p] = '"';
        return p + 1;
    }

    /**
     * {@link #putUtf8} from its first byte that needs care, {@code src}[i, end) to {@code b} at p,
     * closing quote included. Runs of bytes that need none still go 8 at a time; everything else goes
     * one character at a time. The table of well-formed sequences (Unicode 15, table 3-7) decides
     * the valid range of the second byte by lead: E0 needs A0..BF (no overlongs), ED needs 80..9F
     * (no surrogates), F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing above U+10FFFF).
     */
    private static int putUtf8Careful(final byte[] b, int p, final byte[] src, int i, final int end) {
        final int lastLong = src.length - 8;
        while (i < end) {
            if (i <= lastLong) {
                final long x = longAt(src, i);
                final int remaining = end - i;
                long care = needsCare(x);
                if (remaining < 8) {
                    // Only the string's own bytes count; flags above them are past its end.
                    care |= 1L << (remaining << 3);
                }
                putLongAt(b, p, x);
                if (care == 0) {
                    i += 8;
                    p += 8;
                    continue;
                }
                final int clean = Long.numberOfTrailingZeros(care) >>> 3;
                i += clean;
                p += clean;
                if (i >= end) {
                    break;
                }
            }
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
        return p;
    }

    // --------------------------------------------------------------------------------- internals

    private void separate() {
        if (needComma) {
            buf[pos++] = ',';
        }
    }

    private void ensure(final long more) {
        final long needed = pos + more;
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

    private static int put2(final byte[] b, final int p, final int value) {
        b[p] = DIGIT_PAIRS[value << 1];
        b[p + 1] = DIGIT_PAIRS[(value << 1) + 1];
        return p + 2;
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
}
