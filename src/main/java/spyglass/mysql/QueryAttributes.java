package spyglass.mysql;

import org.agrona.DirectBuffer;

/**
 * Steps over the query attributes ahead of a {@code COM_QUERY}'s text (MySQL 8.0.23+, when
 * {@code CLIENT_QUERY_ATTRIBUTES} was agreed), byte by byte, so that a split anywhere is no matter.
 * Attribute values are literals too: they are stepped over by their lengths and never read as SQL.
 *
 * <p>The block (MySQL internals, COM_QUERY): int&lt;lenenc&gt; parameter count, int&lt;lenenc&gt;
 * parameter set count (1); when the count is not 0, a null bitmap of (count + 7) / 8 bytes, a
 * new-params-bind flag (1), then per parameter its type (int&lt;2&gt;) and name
 * (string&lt;lenenc&gt;), then the values of those not null, each in the binary protocol: fixed
 * sizes for numbers, a one-byte length for dates and times, a length-encoded length for the rest.
 * What does not fit these rules (a bind flag of 0, more attributes than we keep types for, a NULL
 * length) is {@link State#MALFORMED}: the text's start is then unknown and none of it is read.
 */
final class QueryAttributes {
    /** Attributes whose types are kept while their names are stepped over; the C API sends at most 32. */
    static final int MAX_ATTRIBUTES = 64;

    enum State {
        COUNT, SET_COUNT, NULL_BITMAP, BIND_FLAG, TYPE, NAME_LENGTH, NAME, VALUE, VALUE_LENGTH, VALUE_BYTES,
        /** The statement's text begins here. */
        TEXT,
        MALFORMED
    }

    private final int[] types = new int[MAX_ATTRIBUTES];
    private final byte[] nullBitmap = new byte[(MAX_ATTRIBUTES + 7) / 8];

    private State state = State.COUNT;
    /** A length-encoded integer being read: its bytes still to come and its value so far. */
    private int lenencBytes = -1;
    private int lenencShift;
    private long lenencValue;
    private int count;
    private int index;
    private int fixedLeft;
    private long bytesLeft;

    /** Ready for the next statement's block. */
    void begin() {
        state = State.COUNT;
        lenencBytes = -1;
        count = 0;
        index = 0;
    }

    boolean inText() {
        return state == State.TEXT;
    }

    boolean malformed() {
        return state == State.MALFORMED;
    }

    /**
     * Steps over block bytes from {@code src[offset, offset + length)}; returns how many were the
     * block's. Fewer than {@code length} only when the text begins (or the block is malformed).
     */
    int skip(final DirectBuffer src, final int offset, final int length) {
        int p = offset;
        final int end = offset + length;
        while (p < end && state != State.TEXT && state != State.MALFORMED) {
            switch (state) {
                case COUNT, SET_COUNT, NAME_LENGTH, VALUE_LENGTH -> {
                    if (lenenc(src.getByte(p++) & 0xFF)) {
                        onLenenc();
                    }
                }
                case NULL_BITMAP -> {
                    nullBitmap[index++] = src.getByte(p++);
                    if (index == (count + 7) / 8) {
                        state = State.BIND_FLAG;
                    }
                }
                case BIND_FLAG -> {
                    if (src.getByte(p++) != 1) {
                        state = State.MALFORMED; // types not sent: the values' lengths cannot be known
                    } else {
                        index = 0;
                        fixedLeft = 2;
                        state = State.TYPE;
                    }
                }
                case TYPE -> {
                    // int<2>: the type, then a flag byte (unsigned); only the type decides a length
                    if (fixedLeft == 2) {
                        types[index] = src.getByte(p) & 0xFF;
                    }
                    p++;
                    if (--fixedLeft == 0) {
                        state = State.NAME_LENGTH;
                    }
                }
                case NAME -> {
                    final int take = (int) Math.min(bytesLeft, end - p);
                    p += take;
                    bytesLeft -= take;
                    if (bytesLeft == 0) {
                        nextType();
                    }
                }
                case VALUE -> startValue(src.getByte(p++) & 0xFF);
                case VALUE_BYTES -> {
                    final int take = (int) Math.min(bytesLeft, end - p);
                    p += take;
                    bytesLeft -= take;
                    if (bytesLeft == 0) {
                        nextValue();
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        return p - offset;
    }

    /** Takes one byte of a length-encoded integer; true when it is whole. */
    private boolean lenenc(final int b) {
        if (lenencBytes < 0) {
            if (b < 0xFB) {
                lenencValue = b;
                lenencBytes = -1;
                return true;
            }
            if (b == 0xFB || b == 0xFF) {
                state = State.MALFORMED; // NULL or an ERR marker: no length
                return false;
            }
            lenencBytes = b == 0xFC ? 2 : b == 0xFD ? 3 : 8;
            lenencShift = 0;
            lenencValue = 0;
            return false;
        }
        lenencValue |= (long) b << lenencShift;
        lenencShift += 8;
        if (--lenencBytes == 0) {
            lenencBytes = -1;
            return true;
        }
        return false;
    }

    private void onLenenc() {
        switch (state) {
            case COUNT -> {
                if (lenencValue > MAX_ATTRIBUTES) {
                    state = State.MALFORMED;
                    return;
                }
                count = (int) lenencValue;
                state = State.SET_COUNT;
            }
            case SET_COUNT -> {
                if (count == 0) {
                    state = State.TEXT;
                } else {
                    index = 0;
                    state = State.NULL_BITMAP;
                }
            }
            case NAME_LENGTH -> {
                bytesLeft = lenencValue;
                if (bytesLeft == 0) {
                    nextType();
                } else {
                    state = State.NAME;
                }
            }
            case VALUE_LENGTH -> {
                bytesLeft = lenencValue;
                if (bytesLeft == 0) {
                    nextValue();
                } else {
                    state = State.VALUE_BYTES;
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void nextType() {
        if (++index < count) {
            fixedLeft = 2;
            state = State.TYPE;
        } else {
            index = -1;
            nextValue();
        }
    }

    /** On to the next value that was sent (not null), or to the text. */
    private void nextValue() {
        do {
            index++;
        } while (index < count && (nullBitmap[index >>> 3] & (1 << (index & 7))) != 0);
        if (index >= count) {
            state = State.TEXT;
            return;
        }
        final int size = fixedSize(types[index]);
        if (size > 0) {
            bytesLeft = size;
            state = State.VALUE_BYTES;
        } else if (size == 0) {
            nextValue();
        } else {
            state = size == DATE_LENGTH ? State.VALUE : State.VALUE_LENGTH;
        }
    }

    /** The first byte of a date or time value: its length. */
    private void startValue(final int length) {
        bytesLeft = length;
        if (length == 0) {
            nextValue();
        } else {
            state = State.VALUE_BYTES;
        }
    }

    private static final int DATE_LENGTH = -1;
    private static final int LENENC_LENGTH = -2;

    /** A binary-protocol value's size by its type: bytes, or how its length is told. */
    private static int fixedSize(final int type) {
        return switch (type) {
            case 0x01 -> 1; // TINY
            case 0x02, 0x0D -> 2; // SHORT, YEAR
            case 0x03, 0x04, 0x09 -> 4; // LONG, FLOAT, INT24
            case 0x05, 0x08 -> 8; // DOUBLE, LONGLONG
            case 0x06 -> 0; // NULL
            case 0x07, 0x0A, 0x0B, 0x0C -> DATE_LENGTH; // TIMESTAMP, DATE, TIME, DATETIME
            default -> LENENC_LENGTH; // strings, decimals, blobs, JSON, bit, enum, set, geometry
        };
    }
}
