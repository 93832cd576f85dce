package spyglass.redact;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The 64-bit digest of a fingerprint, and its 16-hex-digit spelling.
 *
 * <p>Digests are written into capture files and compared across runs and machines, so the
 * algorithm is fixed here and must never change silently. It is a multiply-rotate hash over
 * 8-byte little-endian words (byte order fixed, so every platform agrees):
 * <pre>
 *   h = 0x9E3779B97F4A7C15 ^ (length * 0xC2B2AE3D27D4EB4F)
 *   for each 8-byte word w (the last one zero-padded):
 *       w *= 0x87C37B91114253D5; w = rotl(w, 31); w *= 0x4CF5AD432745937F
 *       h ^= w; h = rotl(h, 27) * 5 + 0x52DCE729
 *   h = fmix64(h)     (MurmurHash3's 64-bit finaliser: xor-shift 33, *0xFF51AFD7ED558CCD,
 *                      xor-shift 33, *0xC4CEB9FE1A85EC53, xor-shift 33)
 * </pre>
 * The length is mixed in first, so zero padding of the last word cannot make two inputs collide.
 */
public final class FingerprintHash {
    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final long LENGTH_MUL = 0xC2B2AE3D27D4EB4FL;
    private static final long C1 = 0x87C37B91114253D5L;
    private static final long C2 = 0x4CF5AD432745937FL;
    private static final byte[] HEX = {
        '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private FingerprintHash() {
    }

    /** The digest of {@code bytes[offset, offset+length)}: the same as over a buffer holding them. */
    public static long hash(byte[] bytes, int offset, int length) {
        long h = SEED ^ (length * LENGTH_MUL);
        int i = offset;
        final int end = offset + length;
        while (i + 8 <= end) {
            h = mix(h, (long) LONG_LE.get(bytes, i));
            i += 8;
        }
        if (i < end) {
            long w = 0;
            int shift = 0;
            while (i < end) {
                w |= (bytes[i] & 0xFFL) << shift;
                shift += 8;
                i++;
            }
            h = mix(h, w);
        }
        return fmix64(h);
    }

    /** The digest of {@code length} bytes of {@code buffer} from {@code offset}. */
    public static long hash(DirectBuffer buffer, int offset, int length) {
        long h = SEED ^ (length * LENGTH_MUL);
        int i = offset;
        final int end = offset + length;
        while (i + 8 <= end) {
            h = mix(h, buffer.getLong(i, ByteOrder.LITTLE_ENDIAN));
            i += 8;
        }
        if (i < end) {
            long w = 0;
            int shift = 0;
            while (i < end) {
                w |= (buffer.getByte(i) & 0xFFL) << shift;
                shift += 8;
                i++;
            }
            h = mix(h, w);
        }
        return fmix64(h);
    }

    /** Writes the digest as 16 lower-case hex digits at {@code index}; returns 16. */
    public static int putHex(long digest, MutableDirectBuffer dst, int index) {
        for (int i = 0; i < 16; i++) {
            dst.putByte(index + i, HEX[(int) (digest >>> (60 - 4 * i)) & 0xF]);
        }
        return 16;
    }

    private static long mix(long h, long word) {
        long w = word * C1;
        w = Long.rotateLeft(w, 31);
        w *= C2;
        h ^= w;
        return Long.rotateLeft(h, 27) * 5 + 0x52DCE729L;
    }

    private static long fmix64(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
