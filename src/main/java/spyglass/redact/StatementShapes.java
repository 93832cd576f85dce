package spyglass.redact;

import java.util.Arrays;

/**
 * The shapes of recent statements, so that a statement seen before with other values is redacted by
 * comparison instead of by lexing: applications send few shapes with many values.
 *
 * <p>A shape is a statement the fast loop redacted on its own (no state machine, nothing cut),
 * kept as its bytes, the spans of its plain literals (integers, decimals, 0x hex, closed quoted
 * strings) and of its comments' bodies, and its results: text, fingerprint, digest. A new statement
 * matches when every byte outside those spans is the same, at the same distance from the spans
 * around it, and each span holds what the lexer would take as the same kind (a run of digits; a
 * quoted string closed by {@link SqlRedactor}'s own scan, in the same backslash mode; a block
 * comment that is no hint, closed by the first {@code *}{@code /}; a line comment's rest of the
 * line). Everything the lexer decides outside a span depends on bytes that are equal, and nothing
 * inside one reaches the text or the fingerprint but a {@code ?} or an empty comment, so the
 * results are the same, which a property test and a fuzz target check against the lexer. A comment
 * that differs per statement (a trace id, a request tag) so costs nothing. Anything else (a sign, a
 * fraction, a word for a value, keyed mode, a longer statement) is lexed as usual.
 *
 * <p>Found by a key made of the bytes before the first literal ({@link #key}: a statement's values
 * must not pick its slot, and sysbench's four tables must not share one); eight-way set-associative
 * (512 shapes of at most 16 KiB and 1,024 literals each), as an ORM sends one statement with IN
 * lists of many lengths under one key. Bounded: the arrays of all shapes hold at most
 * {@link #BUDGET_BYTES}; they grow to their largest size once, so a warm cache allocates nothing.
 * One per redactor.
 */
final class StatementShapes {
    static final int MAX_BYTES = 16384;
    static final int MAX_LITERALS = 1024;
    private static final int SLOTS = 512;
    private static final int WAYS = 8;
    /**
     * Span kinds: an integer, a decimal (digits, a dot, digits), 0x hex, the body of a plain block
     * comment, of a {@code --} or of a {@code #} comment, or the quote byte of a string.
     */
    static final byte INTEGER = 0;
    static final byte DECIMAL = 1;
    static final byte HEX = 2;
    static final byte BLOCK_COMMENT = 3;
    static final byte DASH_COMMENT = 4;
    static final byte HASH_COMMENT = 5;

    private final Shape[] slots = new Shape[SLOTS];
    /** Each slot's key, side by side so that a set is searched in one cache line; 0 for an empty slot. */
    private final long[] keys = new long[SLOTS];
    /** Per set, the way to replace next: first in, first out. */
    private final byte[] victim = new byte[SLOTS / WAYS];
    private long hits;
    private long misses;

    /** One remembered statement and its results; read by {@link SqlRedactor#redact}. */
    static final class Shape {
        int mode;
        byte[] statement = EMPTY;
        int length;
        int[] starts = NO_LITERALS;
        int[] ends = NO_LITERALS;
        byte[] kinds = EMPTY;
        int literals;
        byte[] text = EMPTY;
        int textLength;
        byte[] fingerprint = EMPTY;
        int fingerprintLength;
        long digest;
    }

    private static final byte[] EMPTY = new byte[0];
    private static final int[] NO_LITERALS = new int[0];
    /** Bytes held for a literal: its start, its end, its kind. */
    private static final int BYTES_PER_LITERAL = 9;
    /**
     * The most the arrays of all shapes may hold, so that a cache of 512 shapes of up to 16 KiB cannot
     * grow to tens of MiB: past it, a shape is kept only where its slot's arrays already fit it.
     */
    static final long BUDGET_BYTES = 4L << 20;
    private long heldBytes;
    private long overBudget;

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
        // redact() has checked [start, end) against its buffer; the words read below lie in it
        assert start >= 0 && end <= in.length : "[" + start + ", " + end + ") of " + in.length;
        long h = 0x9E37_79B9_7F4A_7C15L;
        int p = start;
        while (p + 8 <= limit) {
            final long w = ByteWords.littleEndianLong(in, p);
            // digits, and '"' to '\'' in one range test: startsLiteral turns away the # $ % & it lets by
            long candidates = between(w, '0' - 1, '9' + 1) | between(w, '"' - 1, '\'' + 1);
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

    private static long mix(final long h, final long w) {
        return Long.rotateLeft(h ^ (w * 0x87C3_7B91_1142_53D5L), 27) * 5 + 0x52DC_E729L;
    }

    private static long finish(long h, final int length) {
        h ^= length * 0xC2B2_AE3D_27D4_EB4FL;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        return h | 1; // never 0, the key of an empty slot
    }

    /** The first slot of the set {@code key} belongs to. */
    static int set(final long key) {
        return (int) (key >>> 55) & (SLOTS - WAYS);
    }

    /** The slot of the shape that {@code in[start, end)} matches, or -1. */
    int match(final SqlRedactor lexer, final long key, final byte[] in, final int start, final int end, final int mode) {
        final int set = set(key);
        for (int slot = set; slot < set + WAYS; slot++) {
            if (keys[slot] == key) {
                final Shape s = slots[slot];
                if (s.mode == mode && matches(s, lexer, in, start, end)) { // a key is never 0, so s is there
                    hits++;
                    return slot;
                }
            }
        }
        misses++;
        return -1;
    }

    /** The shape in {@code slot}: valid until the next statement is remembered. */
    Shape at(final int slot) {
        return slots[slot];
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
            } else if (kind == BLOCK_COMMENT) {
                literalEnd = blockCommentBodyEnd(in, p, end);
            } else if (kind == DASH_COMMENT || kind == HASH_COMMENT) {
                // "--" starts a comment only before whitespace, a control byte or the end
                literalEnd = kind == HASH_COMMENT || p == end || (in[p] & 0xFF) <= ' ' ? lineEnd(in, p, end) : -1;
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

    /**
     * The end of a plain block comment's body from {@code p}, just after its {@code /*}, as the fast
     * loop takes one: not a hint ({@code +}), an executable comment ({@code !}, {@code M!}) or
     * {@code /**}{@code /}, and closed; -1 otherwise.
     */
    private static int blockCommentBodyEnd(final byte[] in, final int p, final int end) {
        if (p >= end || in[p] == '!' || in[p] == '+' || in[p] == 'M') {
            return -1;
        }
        int q = p;
        while (q + 1 < end && !(in[q] == '*' && in[q + 1] == '/')) {
            q++;
        }
        return q + 1 < end && q > p ? q : -1;
    }

    /** Where a line comment's body from {@code p} ends: at its line's end, or the statement's. */
    private static int lineEnd(final byte[] in, int p, final int end) {
        while (p < end && in[p] != '\n') {
            p++;
        }
        return p;
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

    /**
     * Keeps a statement the fast loop redacted whole as the shape of its slot, unless its arrays would
     * have to grow past {@link #BUDGET_BYTES}.
     */
    void remember(final long key, final byte[] in, final int start, final int end, final int mode,
                  final int[] literalStarts, final int[] literalEnds, final byte[] literalKinds, final int literals,
                  final byte[] text, final int textOffset, final int textLength,
                  final byte[] fingerprint, final int fingerprintLength, final long digest) {
        // eight ways a set: the shapes of one key (an IN list of 3, of 4, ...) need not evict each other
        final int set = set(key);
        final int way = victim[set / WAYS];
        final int slot = set + way;
        Shape s = slots[slot];
        if (s == null) {
            s = new Shape();
            slots[slot] = s;
        }
        final int n = end - start;
        final long growth = growth(s.statement.length, n) + growth(s.text.length, textLength)
            + growth(s.fingerprint.length, fingerprintLength) + BYTES_PER_LITERAL * growth(s.kinds.length, literals);
        if (growth > 0 && heldBytes + growth > BUDGET_BYTES) {
            overBudget++;
            return;
        }
        heldBytes += growth;
        victim[set / WAYS] = (byte) ((way + 1) & (WAYS - 1));
        keys[slot] = key;
        s.statement = ensure(s.statement, n);
        System.arraycopy(in, start, s.statement, 0, n);
        s.length = n;
        s.mode = mode;
        if (s.kinds.length < literals) {
            final int room = (int) (s.kinds.length + growth(s.kinds.length, literals));
            s.starts = new int[room];
            s.ends = new int[room];
            s.kinds = new byte[room];
        }
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

    /** How much an array of {@code room} must grow to hold {@code needed}: to a multiple of 64, or 0. */
    private static long growth(final int room, final int needed) {
        return needed <= room ? 0 : ((needed + 63) & ~63) - room;
    }

    private static byte[] ensure(final byte[] array, final int length) {
        return array.length >= length ? array : new byte[array.length + (int) growth(array.length, length)];
    }

    /** Bytes the shapes' arrays hold; never more than {@link #BUDGET_BYTES}. */
    long heldBytes() {
        return heldBytes;
    }

    /** Statements not kept because their shape would have passed the budget. */
    long overBudget() {
        return overBudget;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }
}
