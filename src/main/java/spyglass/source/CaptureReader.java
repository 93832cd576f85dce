package spyglass.source;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * The pcap / pcapng record parser shared by the file and the stream source. It knows nothing about
 * where the bytes live: each {@link #step} is shown a window of the input starting at a record
 * boundary and either consumes one record (delivering it when it is a frame), asks for more bytes,
 * reports a clean end, or throws a {@link CaptureFileException} that says where and what is wrong.
 *
 * <p>States: {@link #FORMAT_UNKNOWN} until the first bytes are seen, then {@link #PCAP} or
 * {@link #PCAPNG} for the rest of the input. Nothing is allocated per record; exceptions are
 * only built for damage, which ends the input.
 */
final class CaptureReader {
    /** {@link #step} result: the input ended cleanly at a record boundary. */
    static final int END = -1;
    /** {@link #step} result: the record is not complete in the window; {@link #needed()} says how much is. */
    static final int NEED_MORE = 0;

    /** No real frame is larger (64 KiB loopback MTU, 256 KiB snap length): a larger one is damage. */
    static final int MAX_FRAME = 256 * 1024;

    private static final int FORMAT_UNKNOWN = 0;
    private static final int PCAP = 1;
    private static final int PCAPNG = 2;

    private static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    private static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    private static final int PCAP_MAGIC_MODIFIED = 0xA1B2CD34;
    private static final int PCAP_GLOBAL_HEADER = 24;
    private static final int PCAP_RECORD_HEADER = 16;

    private static final int BLOCK_SHB = 0x0A0D0D0A;
    private static final int BLOCK_IDB = 1;
    private static final int BLOCK_PB = 2;
    private static final int BLOCK_SPB = 3;
    private static final int BLOCK_EPB = 6;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int BLOCK_HEADER = 8;
    private static final int BLOCK_MIN = 12;
    private static final int SHB_MIN = 28;
    private static final int IDB_MIN = 20;
    private static final int EPB_MIN = 32;
    private static final int PB_MIN = 32;
    private static final int SPB_MIN = 16;
    private static final int OPT_END = 0;
    private static final int OPT_IF_TSRESOL = 9;
    private static final int OPT_IF_TSOFFSET = 14;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    };

    /** How a pcapng interface's timestamp units become nanoseconds. */
    private static final int TS_MULTIPLY = 0;
    private static final int TS_DIVIDE = 1;
    private static final int TS_BINARY = 2;

    private final String name;

    private int format = FORMAT_UNKNOWN;
    private ByteOrder order = ByteOrder.BIG_ENDIAN;
    /** pcap: link type of every frame; nanosecond or microsecond fractions. */
    private int pcapLinkType;
    private long pcapFractionToNanos;

    /** pcapng: per interface of the current section, grown when an IDB is met (never per frame). */
    private int interfaceCount;
    private int[] linkTypes = new int[4];
    private int[] snapLengths = new int[4];
    private int[] tsKinds = new int[4];
    private long[] tsFactors = new long[4];
    private long[] tsOffsetNanos = new long[4];

    /** Frames seen (delivered or skipped), records / blocks seen: for messages. */
    private long frameNumber;
    private long recordNumber;
    private long malformedFrames;
    private boolean delivered;
    private int needed;

    CaptureReader(final String name) {
        this.name = name;
    }

    /** True when the last successful {@link #step} delivered a frame. */
    boolean delivered() {
        return delivered;
    }

    /** After {@link #NEED_MORE}: the bytes the current record needs from its start. */
    int needed() {
        return needed;
    }

    long malformedFrames() {
        return malformedFrames;
    }

    /**
     * Parses the record at {@code buffer[index, index + available)}, which starts at {@code position}
     * in the input.
     *
     * @param atEnd the window reaches the end of the input: an incomplete record is damage
     * @return bytes consumed (a record, delivered or skipped), {@link #NEED_MORE} or {@link #END}
     */
    int step(final DirectBuffer buffer, final int index, final int available, final long position,
             final boolean atEnd, final FrameHandler handler) {
        delivered = false;
        return switch (format) {
            case PCAP -> pcapRecord(buffer, index, available, position, atEnd, handler);
            case PCAPNG -> pcapngBlock(buffer, index, available, position, atEnd, handler);
            default -> detect(buffer, index, available, position, atEnd, handler);
        };
    }

    private int detect(final DirectBuffer buffer, final int index, final int available, final long position,
                       final boolean atEnd, final FrameHandler handler) {
        if (available < 4) {
            if (!atEnd) {
                return needMore(4);
            }
            throw notACapture(buffer, index, available);
        }
        final int magic = buffer.getInt(index, ByteOrder.BIG_ENDIAN);
        if (magic == BLOCK_SHB) {
            format = PCAPNG;
            return pcapngBlock(buffer, index, available, position, atEnd, handler);
        }
        final int swapped = Integer.reverseBytes(magic);
        if (magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (swapped == PCAP_MAGIC_MICROS || swapped == PCAP_MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else {
            throw notACapture(buffer, index, available);
        }
        if (available < PCAP_GLOBAL_HEADER) {
            if (!atEnd) {
                return needMore(PCAP_GLOBAL_HEADER);
            }
            throw damage(name + ": the pcap file header is cut short: " + available + " of its 24 bytes are present");
        }
        pcapFractionToNanos = (magic == PCAP_MAGIC_NANOS || swapped == PCAP_MAGIC_NANOS) ? 1 : 1000;
        pcapLinkType = buffer.getInt(index + 20, order) & 0xFFFF;
        format = PCAP;
        return PCAP_GLOBAL_HEADER;
    }

    private int pcapRecord(final DirectBuffer buffer, final int index, final int available, final long position,
                           final boolean atEnd, final FrameHandler handler) {
        if (available < PCAP_RECORD_HEADER) {
            if (!atEnd) {
                return needMore(PCAP_RECORD_HEADER);
            }
            if (available == 0) {
                return END;
            }
            throw damage(where(position) + " is cut short: " + available
                + " bytes of its 16-byte header remain (the file was probably still being written)");
        }
        final int capturedLength = buffer.getInt(index + 8, order);
        final int originalLength = buffer.getInt(index + 12, order);
        if (capturedLength < 0 || capturedLength > MAX_FRAME) {
            throw damage(where(position) + " is damaged: header says " + (capturedLength & 0xFFFF_FFFFL)
                + " bytes, more than any frame (" + MAX_FRAME + ")");
        }
        final int recordLength = PCAP_RECORD_HEADER + capturedLength;
        if (available < recordLength) {
            if (!atEnd) {
                return needMore(recordLength);
            }
            throw damage(where(position) + " is cut short: header says " + capturedLength + " bytes, "
                + (available - PCAP_RECORD_HEADER) + " remain (the file was probably still being written)");
        }
        recordNumber++;
        frameNumber++;
        final long seconds = buffer.getInt(index, order) & 0xFFFF_FFFFL;
        final long fraction = buffer.getInt(index + 4, order) & 0xFFFF_FFFFL;
        final long timestamp = seconds * NANOS_PER_SECOND + fraction * pcapFractionToNanos;
        handler.onFrame(buffer, index + PCAP_RECORD_HEADER, capturedLength,
            Math.max(originalLength, capturedLength), timestamp, pcapLinkType);
        delivered = true;
        return recordLength;
    }

    private int pcapngBlock(final DirectBuffer buffer, final int index, final int available, final long position,
                            final boolean atEnd, final FrameHandler handler) {
        if (available < BLOCK_MIN) {
            if (!atEnd) {
                return needMore(BLOCK_MIN);
            }
            if (available == 0) {
                return END;
            }
            throw damage(whereBlock(position) + " is cut short: " + available
                + " bytes of a block remain (the file was probably still being written)");
        }
        final int type;
        if (buffer.getInt(index, ByteOrder.BIG_ENDIAN) == BLOCK_SHB) {
            // A new section may change the byte order: its magic says which.
            final int magic = buffer.getInt(index + 8, ByteOrder.BIG_ENDIAN);
            if (magic == BYTE_ORDER_MAGIC) {
                order = ByteOrder.BIG_ENDIAN;
            } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
                order = ByteOrder.LITTLE_ENDIAN;
            } else {
                throw damage(whereBlock(position) + " is a section header with byte-order magic 0x"
                    + Integer.toHexString(magic) + ", which is neither 1a2b3c4d nor 4d3c2b1a: the file is damaged");
            }
            type = BLOCK_SHB;
        } else {
            type = buffer.getInt(index, order);
        }
        final int length = buffer.getInt(index + 4, order);
        final int minimum = type == BLOCK_SHB ? SHB_MIN : BLOCK_MIN;
        if (length < minimum || (length & 3) != 0) {
            throw damage(whereBlock(position) + " (type " + (type & 0xFFFF_FFFFL) + ") is damaged: it says it is "
                + (length & 0xFFFF_FFFFL) + " bytes long, which no block can be");
        }
        if (available < length) {
            if (!atEnd) {
                return needMore(length);
            }
            throw damage(whereBlock(position) + " is cut short: header says " + length + " bytes, " + available
                + " remain (the file was probably still being written)");
        }
        final int trailer = buffer.getInt(index + length - 4, order);
        if (trailer != length) {
            throw damage(whereBlock(position) + " is damaged: it says it is " + length + " bytes long at its start and "
                + (trailer & 0xFFFF_FFFFL) + " at its end");
        }
        recordNumber++;
        switch (type) {
            case BLOCK_SHB -> section(buffer, index, position);
            case BLOCK_IDB -> interfaceDescription(buffer, index, length, position);
            case BLOCK_EPB -> packet(buffer, index, length, handler, true);
            case BLOCK_PB -> packet(buffer, index, length, handler, false);
            case BLOCK_SPB -> simplePacket(buffer, index, length, handler);
            default -> {
                // Name resolution, statistics, journal, custom and future blocks carry no frames.
            }
        }
        return length;
    }

    private void section(final DirectBuffer buffer, final int index, final long position) {
        final int major = buffer.getShort(index + 12, order) & 0xFFFF;
        if (major != 1) {
            throw damage(whereBlock(position) + " is a section header of pcapng version " + major
                + ", which spyglass does not read (only version 1)");
        }
        interfaceCount = 0;
    }

    private void interfaceDescription(final DirectBuffer buffer, final int index, final int length, final long position) {
        if (length < IDB_MIN) {
            throw damage(whereBlock(position) + " is an interface description of " + length
                + " bytes, too short to hold one");
        }
        int resolution = 6;
        long offsetSeconds = 0;
        final int end = index + length - 4;
        int option = index + 16;
        // Options are walked defensively: a damaged option list ends the walk, not the file.
        while (option + 4 <= end) {
            final int code = buffer.getShort(option, order) & 0xFFFF;
            final int optionLength = buffer.getShort(option + 2, order) & 0xFFFF;
            if (code == OPT_END || option + 4 + optionLength > end) {
                break;
            }
            if (code == OPT_IF_TSRESOL && optionLength >= 1) {
                resolution = buffer.getByte(option + 4) & 0xFF;
            } else if (code == OPT_IF_TSOFFSET && optionLength >= 8) {
                offsetSeconds = buffer.getLong(option + 4, order);
            }
            option += 4 + ((optionLength + 3) & ~3);
        }
        final int id = interfaceCount;
        if (id == linkTypes.length) {
            final int size = id * 2;
            linkTypes = java.util.Arrays.copyOf(linkTypes, size);
            snapLengths = java.util.Arrays.copyOf(snapLengths, size);
            tsKinds = java.util.Arrays.copyOf(tsKinds, size);
            tsFactors = java.util.Arrays.copyOf(tsFactors, size);
            tsOffsetNanos = java.util.Arrays.copyOf(tsOffsetNanos, size);
        }
        linkTypes[id] = buffer.getShort(index + 8, order) & 0xFFFF;
        snapLengths[id] = buffer.getInt(index + 12, order);
        if ((resolution & 0x80) != 0) {
            final int shift = resolution & 0x7F;
            if (shift > 63) {
                throw damage(whereBlock(position) + " declares a timestamp resolution of 2^-" + shift
                    + " seconds, which spyglass cannot use");
            }
            tsKinds[id] = TS_BINARY;
            tsFactors[id] = shift;
        } else if (resolution <= 9) {
            tsKinds[id] = TS_MULTIPLY;
            tsFactors[id] = POWERS_OF_TEN[9 - resolution];
        } else if (resolution - 9 < POWERS_OF_TEN.length) {
            tsKinds[id] = TS_DIVIDE;
            tsFactors[id] = POWERS_OF_TEN[resolution - 9];
        } else {
            throw damage(whereBlock(position) + " declares a timestamp resolution of 10^-" + resolution
                + " seconds, which spyglass cannot use");
        }
        tsOffsetNanos[id] = offsetSeconds * NANOS_PER_SECOND;
        interfaceCount = id + 1;
    }

    /** Enhanced (32-bit interface id) and obsolete (16-bit interface id) packet blocks. */
    private void packet(final DirectBuffer buffer, final int index, final int length, final FrameHandler handler,
                        final boolean enhanced) {
        frameNumber++;
        if (length < (enhanced ? EPB_MIN : PB_MIN)) {
            malformedFrames++;
            return;
        }
        final int interfaceId = enhanced ? buffer.getInt(index + 8, order) : buffer.getShort(index + 8, order) & 0xFFFF;
        final long units = (buffer.getInt(index + 12, order) & 0xFFFF_FFFFL) << 32
            | (buffer.getInt(index + 16, order) & 0xFFFF_FFFFL);
        final int capturedLength = buffer.getInt(index + 20, order);
        final int originalLength = buffer.getInt(index + 24, order);
        // The block's own framing is sound, so a bad frame inside it is skipped, not fatal.
        if (interfaceId < 0 || interfaceId >= interfaceCount || capturedLength < 0
            || capturedLength > MAX_FRAME || capturedLength > length - EPB_MIN) {
            malformedFrames++;
            return;
        }
        handler.onFrame(buffer, index + 28, capturedLength, Math.max(originalLength, capturedLength),
            timestamp(interfaceId, units), linkTypes[interfaceId]);
        delivered = true;
    }

    private void simplePacket(final DirectBuffer buffer, final int index, final int length, final FrameHandler handler) {
        frameNumber++;
        if (interfaceCount == 0 || length < SPB_MIN) {
            malformedFrames++;
            return;
        }
        final int originalLength = buffer.getInt(index + 8, order);
        int capturedLength = Math.min(length - SPB_MIN, MAX_FRAME);
        if (originalLength >= 0 && originalLength < capturedLength) {
            capturedLength = originalLength;
        }
        if (snapLengths[0] > 0 && snapLengths[0] < capturedLength) {
            capturedLength = snapLengths[0];
        }
        handler.onFrame(buffer, index + 12, capturedLength, Math.max(originalLength, capturedLength), 0L, linkTypes[0]);
        delivered = true;
    }

    private long timestamp(final int interfaceId, final long units) {
        final long factor = tsFactors[interfaceId];
        final long nanos = switch (tsKinds[interfaceId]) {
            case TS_MULTIPLY -> units * factor;
            case TS_DIVIDE -> Long.divideUnsigned(units, factor);
            default -> {
                final int shift = (int) factor;
                if (shift == 0) {
                    yield units * NANOS_PER_SECOND;
                }
                // Whole seconds, then the binary fraction scaled to nanoseconds without overflow.
                yield (units >>> shift) * NANOS_PER_SECOND
                    + Math.unsignedMultiplyHigh(units << (64 - shift), NANOS_PER_SECOND);
            }
        };
        return nanos + tsOffsetNanos[interfaceId];
    }

    private int needMore(final int bytes) {
        needed = bytes;
        return NEED_MORE;
    }

    /** "capture.pcap: record 12 at byte 3456". */
    String where(final long position) {
        return name + ": record " + (recordNumber + 1) + " at byte " + position;
    }

    private String whereBlock(final long position) {
        return name + ": block " + (recordNumber + 1) + " at byte " + position + " (after frame " + frameNumber + ")";
    }

    /** The message for a record the reader could not hold: the source's buffer is too small for it. */
    CaptureFileException tooLarge(final long position, final int bytes, final int capacity) {
        final String at = format == PCAPNG ? whereBlock(position) : where(position);
        return damage(at + " needs " + bytes + " bytes, more than the " + capacity + "-byte read buffer holds");
    }

    private static CaptureFileException damage(final String message) {
        return new CaptureFileException(message);
    }

    private CaptureFileException notACapture(final DirectBuffer buffer, final int index, final int available) {
        if (available == 0) {
            return damage(name + " is empty: not a pcap or pcapng file");
        }
        final int shown = Math.min(available, 16);
        final StringBuilder hex = new StringBuilder();
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            final int b = buffer.getByte(index + i) & 0xFF;
            if (i > 0) {
                hex.append(' ');
            }
            hex.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            text.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
        }
        final int first = buffer.getByte(index) & 0xFF;
        final int second = available > 1 ? buffer.getByte(index + 1) & 0xFF : -1;
        final int magic = available >= 4 ? buffer.getInt(index, ByteOrder.BIG_ENDIAN) : 0;
        final String hint;
        if (first == 0x1F && second == 0x8B) {
            hint = " - it looks gzip-compressed: gunzip it first";
        } else if (first == '{') {
            hint = " - it looks like JSON Lines: a spyglass capture file already, readable as it is (read takes pcap and pcapng)";
        } else if (magic == PCAP_MAGIC_MODIFIED || Integer.reverseBytes(magic) == PCAP_MAGIC_MODIFIED) {
            hint = " - it is the old 'modified pcap' format: convert it with 'editcap -F pcap'";
        } else {
            hint = "";
        }
        return damage(name + " is not a pcap or pcapng file: it starts with " + hex + " (\"" + text + "\")" + hint);
    }
}
