package spyglass.event;

import org.agrona.DirectBuffer;

/**
 * A small fixed-capacity byte string (a user name, a schema, a server version): set in place, never
 * reallocated. Bytes are kept as they came off the wire; the JSON encoder validates UTF-8 when it
 * writes them. A longer value is cut at capacity and marked.
 */
public final class TextField {
    private final byte[] bytes;
    private int length;
    private boolean known;
    private boolean cut;

    public TextField(final int capacity) {
        this.bytes = new byte[capacity];
    }

    public void set(final DirectBuffer source, final int offset, final int sourceLength) {
        final int n = Math.min(sourceLength, bytes.length);
        source.getBytes(offset, bytes, 0, n);
        length = n;
        cut = n < sourceLength;
        known = true;
    }

    public void set(final byte[] source, final int offset, final int sourceLength) {
        final int n = Math.min(sourceLength, bytes.length);
        System.arraycopy(source, offset, bytes, 0, n);
        length = n;
        cut = n < sourceLength;
        known = true;
    }

    public void set(final TextField other) {
        set(other.bytes, 0, other.length);
        known = other.known;
        cut = other.cut;
    }

    /** Known and empty, e.g. a login with no default schema. */
    public void setEmpty() {
        length = 0;
        cut = false;
        known = true;
    }

    /** Not known: the handshake was not seen. Written as JSON null. */
    public void clear() {
        length = 0;
        cut = false;
        known = false;
    }

    public boolean isKnown() {
        return known;
    }

    public boolean isCut() {
        return cut;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return bytes.length;
    }

    public boolean contentEquals(final String ascii) {
        if (!known || ascii.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** For tests and diagnostics only: allocates. */
    @Override
    public String toString() {
        return known ? new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8) : "<unknown>";
    }
}
