package spyglass.redact;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The shapes of recent statements, so that a statement seen before with other values is redacted by
 * comparison instead of by lexing: applications send few shapes with many values.
 *
 * <p>A shape is a statement the fast loop redacted on its own (no state machine, nothing cut),
 * kept as its bytes, the spans of its plain literals (integers, decimals, 0x hex, closed quoted strings) and its
 * results: text, fingerprint, digest. A new statement matches when every byte outside those spans
 * is the same, at the same distance from the literals around it, and each span holds a literal of
 * the same kind by the lexer's own rules (a run of digits; a quoted string closed by
 * {@link SqlRedactor}'s own scan, in the same backslash mode). Everything the lexer decides outside
 * a literal depends on bytes that are equal, and nothing inside one reaches the text or the
 * fingerprint but a {@code ?}, so the results are the same, which a property test and a fuzz target
 * check against the lexer. Anything else (a sign, a fraction, a word for a value, keyed mode, a
 * longer statement) is lexed as usual.
 *
 * <p>Found by a key made of the bytes before the first literal ({@link #key}: a statement's values
 * must not pick its slot, and sysbench's four tables must not share one); two-way set-associative, bounded
 * (256 shapes of at most 4 KiB and 256 literals each); arrays grow to their largest size once, so a warm cache
 * allocates nothing. One per redactor.
 */
final class StatementShapes {
    static final int MAX_BYTES = 4096;
    static final int MAX_LITERALS = 256;
    private static final int SLOTS = 256;
    /** Literal kinds: an integer, a decimal (digits, a dot, digits), or the quote byte of a string. */
    static final byte INTEGER = 0;
    static final byte DECIMAL = 1;
    static final byte HEX = 2;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Shape[] slots = new Shape[SLOTS];
    /** Per set of two slots, the way used last: the other is replaced. */
    private final byte[] recent = new byte[SLOTS / 2];
    private long hits;
    private long misses;

    /** One remembered statement and its results; read by {@link SqlRedactor#useShape}. */
    static final class Shape {
        long key;
        int mode;
        byte[] statement = new byte[64];
        int length;
        final int[] starts = new int[MAX_LITERALS];
        final int[] ends = new int[MAX_LITERALS];
        final byte[] kinds = new byte[MAX_LITERALS];
        int literals;
        byte[] text = new byte[64];
        int textLength;
        byte[] fingerprint = new byte[64];
        int fingerprintLength;
        long digest;
    }

    private static final long EVERY_BYTE = 0x0101_0101_0101_0101L;
    private static final long LOW7 = 0x7F7F_7F7F_7F7F_7F7FL;
    private static final long HIGH = 0x8080_8080_8080_8080L;
    /** The longest prefix a key covers: the first literal of a long select list may come late. */
    private static final int KEY_BYTES = 64;

    /**
     * The key of {@code in[start, end)}: a hash of its bytes up to the first that may start a
     * literal (a quote, or a digit after a byte that cannot continue a name), at most 64. Statements
     * of one shape have equal bytes there, whatever their values, so equal keys.
     */
    static long key(final byte[] in, final int start, final int end) {
        final int limit = Math.min(end, start + KEY_BYTES);
        long h = 0x9E37_79B9_7F4A_7C15L;
        int p = start;
        while (p + 8 <= limit) {
            final long w = (long) LONG_LE.get(in, p);
            long candidates = between(w, '0' - 1, '9' + 1) | equal(w, '\'') | equal(w, '"');
            while (candidates != 0) {
                final int i = Long.numberOfTrailingZeros(candidates) >>> 3;
                if (startsLiteral(in, start, p + i)) {
                    return finish(mix(h, i == 0 ? 0 : w & (-1L >>> (64 - 8 * i))), p + i - start);
                }
                candidates &= candidates - 1;
            }
            h = mix(h, w);
            p += 8;
        }
        long tail = 0;
        for (int i = 0; p + i < limit; i++) {
            if (startsLiteral(in, start, p + i)) {
                return finish(mix(h, tail), p + i - start);
            }
            tail |= (in[p + i] & 0xFFL) << (8 * i);
        }
        return finish(mix(h, tail), limit - start);
    }

    private static boolean startsLiteral(final byte[] in, final int start, final int at) {
        final int b = in[at];
        if (b == '\'' || b == '"') {
            return true;
        }
        if (b < '0' || b > '9') {
            return false;
        }
        if (at == start) {
            return true;
        }
        final int before = in[at - 1];
        return !(before < 0 || (before >= '0' && before <= '9') || (before | 0x20) >= 'a' && (before | 0x20) <= 'z'
            || before == '_' || before == '$');
    }

    /** High bit of each byte of {@code w} below 0x80 that lies strictly between {@code m} and {@code n}. */
    private static long between(final long w, final int m, final int n) {
        final long x = w & LOW7;
        return (EVERY_BYTE * (127 + n) - x) & ~w & (x + EVERY_BYTE * (127 - m)) & HIGH;
    }

    private static long equal(final long w, final int c) {
        return between(w, c - 1, c + 1);
    }

    private static long mix(final long h, final long w) {
        return Long.rotateLeft(h ^ (w * 0x87C3_7B91_1142_53D5L), 27) * 5 + 0x52DC_E729L;
    }

    private static long finish(long h, final int length) {
        h ^= length * 0xC2B2_AE3D_27D4_EB4FL;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        return h;
    }

    static int slot(final long key) {
        return (int) (key >>> 56) & (SLOTS - 1);
    }

    /** The shape in {@code slot} that {@code in[start, end)} matches, or null. */
    Shape match(final SqlRedactor lexer, final long key, final byte[] in, final int start, final int end, final int mode) {
        final int set = slot(key) & ~1;
        for (int way = 0; way < 2; way++) {
            final Shape s = slots[set + way];
            if (s != null && s.key == key && s.mode == mode && matches(s, lexer, in, start, end)) {
                recent[set >>> 1] = (byte) way;
                hits++;
                return s;
            }
        }
        misses++;
        return null;
    }

    private static boolean matches(final Shape s, final SqlRedactor lexer, final byte[] in, final int start, final int end) {
        int t = 0;
        int p = start;
        final byte[] shape = s.statement;
        for (int i = 0; i < s.literals; i++) {
            final int verbatim = s.starts[i] - t;
            if (p + verbatim > end || !Arrays.equals(shape, t, t + verbatim, in, p, p + verbatim)) {
                return false;
            }
            p += verbatim;
            final byte kind = s.kinds[i];
            final int literalEnd;
            if (kind == HEX) {
                int q = p + 2 < end && in[p] == '0' && (in[p + 1] | 0x20) == 'x' ? p + 2 : end;
                final int digitsFrom = q;
                while (q < end && hexDigit(in[q])) {
                    q++;
                }
                literalEnd = q > digitsFrom ? q : -1;
            } else if (kind == INTEGER || kind == DECIMAL) {
                int q = digits(in, p, end);
                if (q > p && kind == DECIMAL) {
                    final int f = q + 1 < end && in[q] == '.' ? digits(in, q + 1, end) : q + 1;
                    q = f > q + 1 ? f : -1;
                }
                literalEnd = q > p ? q : -1;
            } else {
                literalEnd = p < end && in[p] == kind ? lexer.closedStringEnd(in, p, end, kind) : -1;
            }
            if (literalEnd < 0) {
                return false;
            }
            p = literalEnd;
            t = s.ends[i];
        }
        final int rest = s.length - t;
        return end - p == rest && Arrays.equals(shape, t, s.length, in, p, end);
    }

    private static boolean hexDigit(final byte b) {
        return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'f');
    }

    private static int digits(final byte[] in, int p, final int end) {
        while (p < end && in[p] >= '0' && in[p] <= '9') {
            p++;
        }
        return p;
    }

    /** Keeps a statement the fast loop redacted whole as the shape of its slot. */
    void remember(final long key, final byte[] in, final int start, final int end, final int mode,
                  final int[] literalStarts, final int[] literalEnds, final byte[] literalKinds, final int literals,
                  final byte[] text, final int textOffset, final int textLength,
                  final byte[] fingerprint, final int fingerprintLength, final long digest) {
        // two ways a set: shapes of one key (an IN list of 3, of 4, ...) need not evict each other
        final int set = slot(key) & ~1;
        final int way = slots[set] == null ? 0 : slots[set + 1] == null ? 1 : 1 - recent[set >>> 1];
        recent[set >>> 1] = (byte) way;
        Shape s = slots[set + way];
        if (s == null) {
            s = new Shape();
            slots[set + way] = s;
        }
        s.key = key;
        final int n = end - start;
        s.statement = ensure(s.statement, n);
        System.arraycopy(in, start, s.statement, 0, n);
        s.length = n;
        s.mode = mode;
        for (int i = 0; i < literals; i++) {
            s.starts[i] = literalStarts[i] - start;
            s.ends[i] = literalEnds[i] - start;
            s.kinds[i] = literalKinds[i];
        }
        s.literals = literals;
        s.text = ensure(s.text, textLength);
        System.arraycopy(text, textOffset, s.text, 0, textLength);
        s.textLength = textLength;
        s.fingerprint = ensure(s.fingerprint, fingerprintLength);
        System.arraycopy(fingerprint, 0, s.fingerprint, 0, fingerprintLength);
        s.fingerprintLength = fingerprintLength;
        s.digest = digest;
    }

    private static byte[] ensure(final byte[] array, final int length) {
        return array.length >= length ? array : new byte[Math.max(length, Math.min(2 * array.length, 4 * MAX_BYTES))];
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }
}
