package spyglass.redact;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

import org.agrona.DirectBuffer;

/**
 * SipHash-2-4 with a 64-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012), fed incrementally: a literal reaches the redactor a chunk at a time, so its bytes are
 * absorbed as they come and the hash is taken when the literal ends.
 *
 * <p>Why a keyed PRF and not the fingerprint hash: keyed mode shows tokens of literal values. With an
 * unkeyed hash anyone could hash guesses ({@code 'alice'}, {@code 42}) and match them; under a
 * secret 128-bit key the tokens say only which values are equal.
 *
 * <p>The algorithm, as the paper gives it: the key is two little-endian 64-bit words k0, k1; the
 * state is four words initialised to k0, k1, k0, k1 xor-ed with the ASCII of "somepseudorandomly
 * generatedbytes"; each 8-byte little-endian message word m is absorbed by {@code v3 ^= m}, two
 * SipRounds, {@code v0 ^= m}; the last word holds the remaining 0..7 bytes with the input length mod
 * 256 in its top byte (so there is always a last word, even for an empty input); then
 * {@code v2 ^= 0xff}, four SipRounds, and the output is {@code v0 ^ v1 ^ v2 ^ v3}.
 *
 * <p>Not thread-safe: one instance per worker. Allocation-free after construction.
 */
public final class SipHash24 {
    private static final long INIT0 = 0x736f6d6570736575L; // "somepseu"
    private static final long INIT1 = 0x646f72616e646f6dL; // "dorandom"
    private static final long INIT2 = 0x6c7967656e657261L; // "lygenera"
    private static final long INIT3 = 0x7465646279746573L; // "tedbytes"

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long k0;
    private long k1;
    private long v0;
    private long v1;
    private long v2;
    private long v3;
    /** Bytes of the current word not yet absorbed, little-endian from bit 0. */
    private long pending;
    /** How many bytes {@link #pending} holds, 0..7. */
    private int pendingBytes;
    /** Bytes fed since the last reset; only its low byte enters the hash. */
    private long length;

    /** A hasher with the all-zero key; call {@link #reset(long, long)} before use. */
    public SipHash24() {
        reset(0, 0);
    }

    /** Sets the key and starts a new message. */
    public void reset(final long k0, final long k1) {
        this.k0 = k0;
        this.k1 = k1;
        reset();
    }

    /** Starts a new message under the key last given. */
    public void reset() {
        v0 = k0 ^ INIT0;
        v1 = k1 ^ INIT1;
        v2 = k0 ^ INIT2;
        v3 = k1 ^ INIT3;
        pending = 0;
        pendingBytes = 0;
        length = 0;
    }

    /** Bytes fed since the last reset. */
    public long length() {
        return length;
    }

    public void update(final byte b) {
        pending |= (b & 0xFFL) << (pendingBytes << 3);
        length++;
        if (++pendingBytes == 8) {
            absorb(pending);
            pending = 0;
            pendingBytes = 0;
        }
    }

    public void update(final byte[] bytes, final int offset, final int count) {
        Objects.checkFromIndexSize(offset, count, bytes.length);
        int i = offset;
        final int end = offset + count;
        while (pendingBytes != 0 && i < end) {
            update(bytes[i++]);
        }
        // Here the current word is empty (or the input is used up): whole words go straight in.
        while (end - i >= 8) {
            absorb((long) LONG_LE.get(bytes, i));
            i += 8;
            length += 8;
        }
        while (i < end) {
            update(bytes[i++]);
        }
    }

    /** As {@link #update(byte[], int, int)}, from {@code buffer[index, index+count)}. */
    public void update(final DirectBuffer buffer, final int index, final int count) {
        buffer.boundsCheck(index, count);
        int i = index;
        final int end = index + count;
        while (pendingBytes != 0 && i < end) {
            update(buffer.getByte(i++));
        }
        while (end - i >= 8) {
            absorb(buffer.getLong(i, ByteOrder.LITTLE_ENDIAN));
            i += 8;
            length += 8;
        }
        while (i < end) {
            update(buffer.getByte(i++));
        }
    }

    /**
     * The hash of everything fed since the last reset. The state is then spent: call
     * {@link #reset()} before the next message.
     */
    public long finish() {
        absorb(pending | (length << 56));
        v2 ^= 0xFF;
        for (int r = 0; r < 4; r++) {
            round();
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** SipHash-2-4 of {@code bytes[offset, offset+count)} under the key (k0, k1), without an instance. */
    public static long hash(final long k0, final long k1, final byte[] bytes, final int offset, final int count) {
        Objects.checkFromIndexSize(offset, count, bytes.length);
        long a = k0 ^ INIT0;
        long b = k1 ^ INIT1;
        long c = k0 ^ INIT2;
        long d = k1 ^ INIT3;
        final int wholeEnd = offset + (count & ~7);
        for (int i = offset; ; i += 8) {
            final boolean lastWord = i == wholeEnd;
            final long m = lastWord ? lastWord(bytes, i, offset + count - i, count) : (long) LONG_LE.get(bytes, i);
            // Two SipRounds with m absorbed, written out: a static method has no fields to share.
            d ^= m;
            for (int r = 0; r < 2; r++) {
                a += b; b = Long.rotateLeft(b, 13); b ^= a; a = Long.rotateLeft(a, 32);
                c += d; d = Long.rotateLeft(d, 16); d ^= c;
                a += d; d = Long.rotateLeft(d, 21); d ^= a;
                c += b; b = Long.rotateLeft(b, 17); b ^= c; c = Long.rotateLeft(c, 32);
            }
            a ^= m;
            if (lastWord) {
                break;
            }
        }
        c ^= 0xFF;
        for (int r = 0; r < 4; r++) {
            a += b; b = Long.rotateLeft(b, 13); b ^= a; a = Long.rotateLeft(a, 32);
            c += d; d = Long.rotateLeft(d, 16); d ^= c;
            a += d; d = Long.rotateLeft(d, 21); d ^= a;
            c += b; b = Long.rotateLeft(b, 17); b ^= c; c = Long.rotateLeft(c, 32);
        }
        return a ^ b ^ c ^ d;
    }

    /** The final word: the 0..7 bytes left, little-endian, and the message length mod 256 on top. */
    private static long lastWord(final byte[] bytes, final int from, final int left, final int totalLength) {
        long m = (long) totalLength << 56;
        for (int s = 0; s < left; s++) {
            m |= (bytes[from + s] & 0xFFL) << (s << 3);
        }
        return m;
    }

    private void absorb(final long m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }

    /** One SipRound: the ARX network of the paper's Figure 2. */
    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }
}
