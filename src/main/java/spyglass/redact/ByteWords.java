package spyglass.redact;

import java.nio.ByteOrder;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

/**
 * Eight bytes of an array as one little-endian {@code long}, for scans that test eight bytes at a
 * time, read without an index check: the caller has checked the range it reads in, as
 * {@link SqlRedactor#redact} checks a statement against its buffer. A {@code byteArrayViewVarHandle}
 * checks each read; on the statement-shape key's path that cost 12 % of a point select's redaction
 * (best-of harness, JDK 25), and even one explicit range check per key cost 7 %, where an
 * {@code assert} (on in tests) costs nothing.
 */
final class ByteWords {
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private ByteWords() {
    }

    /** {@code a[i, i + 8)} as a little-endian long; the caller has checked that range. */
    static long littleEndianLong(final byte[] a, final int i) {
        assert i >= 0 && i <= a.length - 8 : "8 bytes at " + i + " of " + a.length;
        final long w = UnsafeApi.getLong(a, BufferUtil.ARRAY_BASE_OFFSET + i);
        return BIG_ENDIAN ? Long.reverseBytes(w) : w;
    }
}
