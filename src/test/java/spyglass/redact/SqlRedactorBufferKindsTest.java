package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The redactor reads heap buffers' arrays directly and copies off-heap statements; it writes to
 * the destination's array directly, or to a copy put in at the end. Every combination must give
 * the same answer, read nothing outside the statement and write nothing outside the text.
 */
class SqlRedactorBufferKindsTest {
    private static final byte SENTINEL = 0x55;

    /** The table's statements, and some that take the general lexer's paths part of the way. */
    private static List<byte[]> statements() {
        final List<byte[]> all = new ArrayList<>();
        for (String[] c : SqlRedactorTableTest.CASES) {
            all.add(c[0].getBytes(StandardCharsets.UTF_8));
        }
        for (String s : new String[] {
            "", " ", "x", "SELECT c FROM sbtest1 WHERE id=5017", "SELECT 'unclosed", "SELECT `unclosed", "SELECT 1 /* x",
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'); SELECT TRUE, t.false, -5, a-5, 1e5, 0x1F, _utf8mb4'z'",
            "select * from t where a in (1, 2, null) and b = ? and c like 'p%' and d <=> e and f >= 1 and g != 2;",
        }) {
            all.add(s.getBytes(StandardCharsets.UTF_8));
        }
        final StringBuilder big = new StringBuilder("SELECT a FROM t WHERE id IN (");
        for (int i = 0; i < 1500; i++) {
            big.append(i == 0 ? "" : ", ").append(i).append(" + col").append(i);
        }
        all.add(big.append(") AND name = 'secret'").toString().getBytes(StandardCharsets.UTF_8));
        return all;
    }

    /** What one call gave: text, fingerprint, digest and flags. */
    private record Result(byte[] text, byte[] fingerprint, long digest, boolean truncated, boolean unclosed,
                          boolean fingerprintTruncated) {
        static Result of(SqlRedactor r, MutableDirectBuffer dst, int dstOffset, int written) {
            final byte[] text = new byte[written];
            dst.getBytes(dstOffset, text);
            final UnsafeBuffer fp = new UnsafeBuffer(new byte[r.fingerprintLength()]);
            r.fingerprint(fp, 0, fp.capacity());
            return new Result(text, fp.byteArray(), r.digest(), r.truncated(), r.unclosed(), r.fingerprintTruncated());
        }

        void assertSame(Result o, String context) {
            assertArrayEquals(text, o.text, "text: " + context);
            assertArrayEquals(fingerprint, o.fingerprint, "fingerprint: " + context);
            assertEquals(digest, o.digest, "digest: " + context);
            assertEquals(truncated, o.truncated, "truncated: " + context);
            assertEquals(unclosed, o.unclosed, "unclosed: " + context);
            assertEquals(fingerprintTruncated, o.fingerprintTruncated, "fingerprintTruncated: " + context);
        }
    }

    @Test
    void everySourceAndDestinationKindGivesTheSameAnswer() {
        final SqlRedactor reference = new SqlRedactor(4096);
        final SqlRedactor redactor = new SqlRedactor(4096);
        for (byte[] sql : statements()) {
            for (int capacity : new int[] {sql.length * 2 + 16, sql.length / 2, 7, 0}) {
                final UnsafeBuffer plainDst = new UnsafeBuffer(new byte[Math.max(capacity, 1)]);
                final int n = reference.redact(new UnsafeBuffer(sql), 0, sql.length, plainDst, 0, capacity);
                final Result expected = Result.of(reference, plainDst, 0, n);
                for (int srcKind = 0; srcKind < 4; srcKind++) {
                    for (int dstKind = 0; dstKind < 4; dstKind++) {
                        final String context = new String(sql, StandardCharsets.UTF_8) + " capacity " + capacity
                            + " source kind " + srcKind + " destination kind " + dstKind;
                        check(redactor, sql, capacity, srcKind, dstKind, expected, context);
                    }
                }
            }
        }
    }

    private static void check(SqlRedactor redactor, byte[] sql, int capacity, int srcKind, int dstKind,
                              Result expected, String context) {
        // the statement between bytes that would change the answer if they were read
        final byte[] around = new byte[sql.length + 6];
        Arrays.fill(around, (byte) '\'');
        around[0] = 'x';
        around[around.length - 1] = '`';
        System.arraycopy(sql, 0, around, 3, sql.length);
        final DirectBuffer src;
        final int offset;
        switch (srcKind) {
            case 0 -> {
                src = new UnsafeBuffer(around);
                offset = 3;
            }
            case 1 -> {
                src = new UnsafeBuffer(around, 2, sql.length + 2); // wrapped at an array offset
                offset = 1;
            }
            case 2 -> {
                src = new UnsafeBuffer(ByteBuffer.wrap(around, 1, sql.length + 4).slice());
                offset = 2;
            }
            default -> {
                final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(around.length));
                direct.putBytes(0, around);
                src = direct;
                offset = 3;
            }
        }
        final int room = capacity + 9;
        final MutableDirectBuffer dst;
        final int dstOffset;
        int dstCapacity = capacity;
        switch (dstKind) {
            case 0 -> {
                dst = new UnsafeBuffer(new byte[room]);
                dstOffset = 4;
            }
            case 1 -> {
                dst = new UnsafeBuffer(new byte[room + 5], 5, room); // wrapped at an array offset
                dstOffset = 4;
            }
            case 2 -> {
                dst = new UnsafeBuffer(ByteBuffer.allocateDirect(room));
                dstOffset = 4;
            }
            default -> {
                // a capacity the buffer does not hold: written through a copy, fine while the text fits
                dst = new UnsafeBuffer(new byte[room]);
                dstOffset = 4;
                dstCapacity = expected.truncated ? capacity : capacity + 1000;
            }
        }
        dst.setMemory(0, dst.capacity(), SENTINEL);
        if (dstKind == 1) {
            Arrays.fill(dst.byteArray(), SENTINEL);
        }
        final int n = redactor.redact(src, offset, sql.length, dst, dstOffset, dstCapacity);
        final Result actual = Result.of(redactor, dst, dstOffset, n);
        if (dstKind == 3 && !expected.truncated) {
            // with more room the text is the same, only nothing was cut
            assertArrayEquals(expected.text, actual.text, "text: " + context);
            assertArrayEquals(expected.fingerprint, actual.fingerprint, "fingerprint: " + context);
        } else {
            expected.assertSame(actual, context);
        }
        final byte[] all = new byte[dst.capacity()];
        dst.getBytes(0, all);
        for (int i = 0; i < all.length; i++) {
            if ((i < dstOffset || i >= dstOffset + n) && all[i] != SENTINEL) {
                assertEquals(SENTINEL, all[i], "byte " + i + " written outside the text: " + context);
            }
        }
        if (dstKind == 1) {
            for (int i = 0; i < 5; i++) {
                assertEquals(SENTINEL, dst.byteArray()[i], "array byte " + i + " before the buffer written: " + context);
            }
        }
    }

    @Test
    void emptyAndNegativeLengthsGiveTheEmptyStatement() {
        final SqlRedactor redactor = new SqlRedactor();
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[16]);
        final long empty = FingerprintHash.hash(new byte[0], 0, 0);
        assertEquals(0, redactor.redact(new UnsafeBuffer("SELECT 1".getBytes(StandardCharsets.UTF_8)), 3, 0, dst, 0, 16));
        assertEquals(empty, redactor.digest());
        assertEquals(0, redactor.redact(new UnsafeBuffer("SELECT 1".getBytes(StandardCharsets.UTF_8)), 3, -2, dst, 0, 16));
        assertEquals(empty, redactor.digest());
        assertEquals(0, redactor.fingerprintLength());
    }

    @Test
    void hashOfAnArrayIsTheHashOfABufferHoldingIt() {
        final byte[] b = "select c from sbtest1 where id = ? and k in(?+)".getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < 9; from++) {
            for (int to = from; to <= b.length; to++) {
                assertEquals(FingerprintHash.hash(new UnsafeBuffer(b), from, to - from), FingerprintHash.hash(b, from, to - from));
            }
        }
    }
}
