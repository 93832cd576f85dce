package spyglass.mysql;

import org.agrona.DirectBuffer;

/**
 * Bounds-checked cursor over one packet's kept bytes. A read past the end returns 0 and sets
 * {@link #overflow()} instead of throwing: malformed input is a fact to count, not an exception.
 */
final class PayloadReader {
    private DirectBuffer buffer;
    private int limit;
    private int position;
    private boolean overflow;

    PayloadReader wrap(final DirectBuffer buffer, final int length) {
        this.buffer = buffer;
        this.limit = length;
        this.position = 0;
        this.overflow = false;
        return this;
    }

    boolean overflow() {
        return overflow;
    }

    int position() {
        return position;
    }

    int remaining() {
        return limit - position;
    }

    void position(final int position) {
        if (position > limit) {
            overflow = true;
            this.position = limit;
        } else {
            this.position = position;
        }
    }

    void skip(final long n) {
        if (n < 0 || n > limit - position) {
            overflow = true;
            position = limit;
        } else {
            position += (int) n;
        }
    }

    private boolean need(final int n) {
        if (limit - position < n) {
            overflow = true;
            position = limit;
            return false;
        }
        return true;
    }

    int u8() {
        if (!need(1)) {
            return 0;
        }
        return buffer.getByte(position++) & 0xFF;
    }

    int u16() {
        if (!need(2)) {
            return 0;
        }
        final int v = (buffer.getByte(position) & 0xFF) | (buffer.getByte(position + 1) & 0xFF) << 8;
        position += 2;
        return v;
    }

    int u24() {
        if (!need(3)) {
            return 0;
        }
        final int v = (buffer.getByte(position) & 0xFF) | (buffer.getByte(position + 1) & 0xFF) << 8
            | (buffer.getByte(position + 2) & 0xFF) << 16;
        position += 3;
        return v;
    }

    long u32() {
        if (!need(4)) {
            return 0;
        }
        final long v = (buffer.getByte(position) & 0xFFL) | (buffer.getByte(position + 1) & 0xFFL) << 8
            | (buffer.getByte(position + 2) & 0xFFL) << 16 | (buffer.getByte(position + 3) & 0xFFL) << 24;
        position += 4;
        return v;
    }

    long u64() {
        final long low = u32();
        final long high = u32();
        return low | high << 32;
    }

    /** Length-encoded integer; 0xFB (NULL) reads as 0, 0xFF (not an integer) sets overflow. */
    long lenenc() {
        final int first = u8();
        if (first < 0xFB) {
            return first;
        }
        return switch (first) {
            case 0xFC -> u16();
            case 0xFD -> u24();
            case 0xFE -> u64();
            case 0xFB -> 0;
            default -> {
                overflow = true;
                yield 0;
            }
        };
    }

    /**
     * Length of the NUL-terminated string at the cursor, which moves past its NUL. A string that runs
     * to the end of the packet without a NUL is taken whole (servers omit the last NUL at times).
     */
    int nulTerminatedLength() {
        final int start = position;
        int i = start;
        while (i < limit && buffer.getByte(i) != 0) {
            i++;
        }
        position = i < limit ? i + 1 : limit;
        return i - start;
    }

    byte byteAt(final int index) {
        return index >= 0 && index < limit ? buffer.getByte(index) : 0;
    }
}
