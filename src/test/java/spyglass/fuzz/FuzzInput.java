package spyglass.fuzz;

import java.util.Arrays;

/**
 * A cursor over a fuzzer's raw bytes, read from the front. Every read past the end yields zeros /
 * empty arrays, so any byte string is a valid input and seed files stay easy to write by hand
 * (see {@link SeedWriter}).
 */
final class FuzzInput {
    private final byte[] data;
    private int position;

    FuzzInput(final byte[] data) {
        this.data = data;
    }

    boolean hasMore() {
        return position < data.length;
    }

    int remaining() {
        return data.length - position;
    }

    /** One unsigned byte, 0 when exhausted. */
    int u8() {
        return position < data.length ? data[position++] & 0xFF : 0;
    }

    /** Two bytes, little-endian. */
    int u16() {
        return u8() | u8() << 8;
    }

    /** Up to {@code n} bytes (fewer when the input runs out). */
    byte[] bytes(final int n) {
        final int take = Math.min(n, remaining());
        final byte[] out = Arrays.copyOfRange(data, position, position + take);
        position += take;
        return out;
    }

    /** A length byte then that many bytes. */
    byte[] lengthPrefixed() {
        return bytes(u8());
    }

    byte[] rest() {
        return bytes(remaining());
    }

    /** {@code n} characters of {@code alphabet}, one input byte each. */
    String chars(final String alphabet, final int n) {
        final StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(u8() % alphabet.length()));
        }
        return s.toString();
    }

    <T> T pick(final T[] choices) {
        return choices[u8() % choices.length];
    }
}
