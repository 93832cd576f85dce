package spyglass.mysql;

import io.airlift.compress.zstd.ZstdDecompressor;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The compressed-protocol layer of one direction: it sits between TCP reassembly and
 * {@link PacketFramer} and turns compressed packets back into the ordinary packet stream.
 *
 * <p>A compressed packet (MySQL internals, "Compressed Packet") is a 7-byte header: int&lt;3&gt;
 * length of the payload on the wire, int&lt;1&gt; compressed sequence id (counted apart from the
 * ordinary one), int&lt;3&gt; length of the payload before compression, where 0 means the payload
 * was sent as is. A compressed payload is one zlib stream (CLIENT_COMPRESS) or one zstd frame
 * (CLIENT_ZSTD_COMPRESSION_ALGORITHM) that must inflate to exactly that length. The inflated bytes
 * of consecutive compressed packets are the ordinary stream: packets may span compressed packets
 * and a compressed packet may hold several, so this layer knows nothing of ordinary packets.
 *
 * <p>Chunks may split anything anywhere. Payloads sent as is go downstream in place, piece by piece
 * as they arrive; compressed ones are gathered (in place when a byte array holds them whole) and
 * inflated into a reused buffer. Both buffers grow on demand up to the cap. Malformed input is
 * counted and puts the layer {@link State#OUT_OF_STEP}: the stream position is lost, so bytes are
 * dropped until {@link #reset()}.
 */
final class CompressedStream {
    /** The protocol's own bound: both lengths in the header are int&lt;3&gt;. */
    static final int MAX_PAYLOAD = 0xFF_FFFF;
    static final int HEADER_LENGTH = 7;
    /** Little-endian first word of every zstd frame (RFC 8878, 3.1.1). */
    static final int ZSTD_MAGIC = 0xFD2F_B528;

    private static final int INITIAL_BUFFER = 1024;

    enum Algorithm { ZLIB, ZSTD }

    enum State {
        /** Gathering the 7-byte header of the next compressed packet. */
        HEADER,
        /** Passing a payload that was sent as is downstream as it arrives. */
        RAW_PAYLOAD,
        /** Gathering a compressed payload before inflating it. */
        COMPRESSED_PAYLOAD,
        /** Malformed input was seen: every byte is dropped until {@link #reset()}. */
        OUT_OF_STEP
    }

    /** Receives the ordinary packet stream, in order. */
    interface PlainListener {
        /**
         * {@code buffer[offset, offset + length)} are the next bytes of the ordinary stream, readable
         * only during the call. The timestamps are the earliest and latest capture times of the
         * chunks that carried them (for a compressed payload: all of its compressed packet).
         */
        void onPlain(DirectBuffer buffer, int offset, int length, long firstTimestampNanos, long lastTimestampNanos);
    }

    private final PlainListener listener;
    private final int cap;
    private Algorithm algorithm;

    private State state = State.HEADER;
    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerFilled;
    private int payloadLength;
    private int plainLength;
    private int remaining;
    private long firstTimestamp;
    private long lastTimestamp;

    private byte[] gathered = new byte[0];
    private int gatheredLength;
    private byte[] plain = new byte[0];
    private final UnsafeBuffer plainView = new UnsafeBuffer(plain);

    // Made on first use: a connection that never compresses, or only uses one algorithm, pays nothing.
    private Inflater inflater;
    private ZstdDecompressor zstd;

    private int lastSequence = -1;
    private long packets;
    private long malformed;
    private long droppedBytes;

    /** A layer with the protocol's own cap, 2^24-1 bytes per payload either side of compression. */
    CompressedStream(final Algorithm algorithm, final PlainListener listener) {
        this(algorithm, listener, MAX_PAYLOAD);
    }

    /** @param cap the largest payload accepted, compressed or not; at most {@link #MAX_PAYLOAD} */
    CompressedStream(final Algorithm algorithm, final PlainListener listener, final int cap) {
        if (cap < 1 || cap > MAX_PAYLOAD) {
            throw new IllegalArgumentException("cap must be in [1, 2^24-1]: " + cap);
        }
        this.algorithm = algorithm;
        this.listener = listener;
        this.cap = cap;
    }

    /** The connection learns the algorithm from the handshake; it applies to the next payload inflated. */
    void algorithm(final Algorithm algorithm) {
        this.algorithm = algorithm;
    }

    Algorithm algorithm() {
        return algorithm;
    }

    /** Consumes the whole chunk; what it completes goes downstream before this returns. */
    void feed(final DirectBuffer src, final int offset, final int length, final long timestampNanos) {
        int pos = offset;
        final int end = offset + length;
        while (pos < end) {
            switch (state) {
                case HEADER -> pos = readHeader(src, pos, end, timestampNanos);
                case RAW_PAYLOAD -> {
                    final int take = Math.min(remaining, end - pos);
                    noteArrival(timestampNanos);
                    listener.onPlain(src, pos, take, timestampNanos, timestampNanos);
                    pos += take;
                    remaining -= take;
                    if (remaining == 0) {
                        state = State.HEADER;
                    }
                }
                case COMPRESSED_PAYLOAD -> pos = gather(src, pos, end, timestampNanos);
                case OUT_OF_STEP -> {
                    droppedBytes += end - pos;
                    pos = end;
                }
            }
        }
    }

    private int readHeader(final DirectBuffer src, final int pos, final int end, final long timestampNanos) {
        if (headerFilled == 0) {
            firstTimestamp = timestampNanos;
            lastTimestamp = timestampNanos;
        } else {
            noteArrival(timestampNanos);
        }
        final int next;
        if (headerFilled == 0 && end - pos >= HEADER_LENGTH) {
            src.getBytes(pos, header, 0, HEADER_LENGTH);
            next = pos + HEADER_LENGTH;
        } else {
            header[headerFilled++] = src.getByte(pos);
            if (headerFilled < HEADER_LENGTH) {
                return pos + 1;
            }
            next = pos + 1;
        }
        headerFilled = 0;
        payloadLength = int3(header, 0);
        lastSequence = header[3] & 0xFF;
        plainLength = int3(header, 4);
        packets++;
        if (payloadLength > cap || plainLength > cap || (payloadLength == 0 && plainLength > 0)) {
            fallOutOfStep();
            return next;
        }
        remaining = payloadLength;
        if (payloadLength == 0) {
            return next; // an empty packet: nothing to hand down
        }
        if (plainLength == 0) {
            state = State.RAW_PAYLOAD;
            return next;
        }
        if (src.byteArray() != null && end - next >= payloadLength) {
            // The usual case: the whole payload lies in this chunk's array; inflate it in place.
            final int at = src.wrapAdjustment() + next;
            inflateAndDeliver(src.byteArray(), at, payloadLength);
            return next + payloadLength;
        }
        state = State.COMPRESSED_PAYLOAD;
        gatheredLength = 0;
        if (gathered.length < payloadLength) {
            // Grows at most log2(cap / 1 KiB) times per connection: warm-up, not steady state.
            gathered = new byte[grow(gathered.length, payloadLength)];
        }
        return next;
    }

    private int gather(final DirectBuffer src, final int pos, final int end, final long timestampNanos) {
        final int take = Math.min(remaining, end - pos);
        src.getBytes(pos, gathered, gatheredLength, take);
        gatheredLength += take;
        remaining -= take;
        noteArrival(timestampNanos);
        if (remaining == 0) {
            state = State.HEADER;
            inflateAndDeliver(gathered, 0, gatheredLength);
        }
        return pos + take;
    }

    private void inflateAndDeliver(final byte[] input, final int offset, final int length) {
        if (inflate(algorithm, input, offset, length, plainLength) != plainLength) {
            fallOutOfStep();
            return;
        }
        listener.onPlain(plainView, 0, plainLength, firstTimestamp, lastTimestamp);
    }

    /**
     * Inflates into {@link #plain}, with one byte of room past {@code expected} so that a payload
     * longer than its header says is caught.
     *
     * @return bytes produced, or -1 when the payload is malformed or does not end where it should
     */
    private int inflate(final Algorithm how, final byte[] input, final int offset, final int length, final int expected) {
        if (plain.length < expected + 1) {
            plain = new byte[grow(plain.length, expected + 1)];
            plainView.wrap(plain);
        }
        return how == Algorithm.ZSTD ? unzstd(input, offset, length, expected) : unzlib(input, offset, length, expected);
    }

    private int unzlib(final byte[] input, final int offset, final int length, final int expected) {
        if (inflater == null) {
            inflater = new Inflater();
        }
        final Inflater z = inflater;
        z.reset();
        z.setInput(input, offset, length);
        int produced = 0;
        try {
            while (produced <= expected && !z.finished()) {
                final int n = z.inflate(plain, produced, expected + 1 - produced);
                if (n == 0 && !z.finished()) {
                    return -1; // truncated, or asks for a preset dictionary MySQL never uses
                }
                produced += n;
            }
        } catch (final DataFormatException e) {
            return -1; // only on malformed input: rare, counted by the caller
        }
        // Trailing bytes after the zlib stream are as wrong as a short one.
        return z.finished() && z.getRemaining() == 0 ? produced : -1;
    }

    private int unzstd(final byte[] input, final int offset, final int length, final int expected) {
        if (zstd == null) {
            zstd = new ZstdDecompressor();
        }
        try {
            return zstd.decompress(input, offset, length, plain, 0, expected + 1);
        } catch (final RuntimeException e) {
            // MalformedInputException, and whatever else crafted input provokes: never fatal here.
            return -1;
        }
    }

    private void fallOutOfStep() {
        malformed++;
        state = State.OUT_OF_STEP;
        headerFilled = 0;
        remaining = 0;
        gatheredLength = 0;
    }

    /**
     * Forgets the position in the stream: the next byte fed is taken as the first of a compressed
     * header. Call on a TCP gap, and to leave {@link State#OUT_OF_STEP}. Counters and buffers stay.
     */
    void reset() {
        state = State.HEADER;
        headerFilled = 0;
        remaining = 0;
        gatheredLength = 0;
        payloadLength = 0;
        plainLength = 0;
    }

    State state() {
        return state;
    }

    boolean outOfStep() {
        return state == State.OUT_OF_STEP;
    }

    /** True when no byte of a next compressed packet has been seen. */
    boolean atPacketBoundary() {
        return state == State.HEADER && headerFilled == 0;
    }

    /** The sequence id of the last compressed header read, or -1 before any; never checked here. */
    int lastSequence() {
        return lastSequence;
    }

    /** Compressed headers read, malformed ones included. */
    long packets() {
        return packets;
    }

    /** Malformed compressed packets: each one put the layer out of step. */
    long malformed() {
        return malformed;
    }

    /** Bytes dropped while out of step. */
    long droppedBytes() {
        return droppedBytes;
    }

    /** Bytes the reused buffers hold now (gathered + inflated), for memory accounting. */
    long bufferBytes() {
        return (long) gathered.length + plain.length;
    }

    /**
     * Whether a chunk seen mid-stream, with no handshake to tell, is one compressed packet that
     * holds one client command: exactly one whole compressed packet (7 + its length == length),
     * whose payload, inflated (zstd when it starts with the zstd magic, zlib otherwise) or taken as
     * is, is exactly one whole ordinary packet with sequence id 0 and a command byte in 0x01..0x1f
     * or 0xfa (MariaDB's COM_STMT_BULK_EXECUTE). 0x00 (COM_SLEEP) is left out: clients never send
     * it, and a stray zero is the likeliest false positive.
     *
     * <p>Uses this layer's inflaters and output buffer, never its gathered payload, and changes
     * nothing else: it may be called between feeds. Allocates only when a buffer must grow.
     */
    boolean looksCompressed(final DirectBuffer b, final int offset, final int length) {
        if (length < HEADER_LENGTH + MysqlProtocol.HEADER_LENGTH + 1) {
            return false;
        }
        final int wire = b.getInt(offset, ByteOrder.LITTLE_ENDIAN) & 0xFF_FFFF;
        final int before = b.getInt(offset + 3, ByteOrder.LITTLE_ENDIAN) >>> 8;
        if (wire + HEADER_LENGTH != length || wire > cap || before > cap) {
            return false;
        }
        final int payload = offset + HEADER_LENGTH;
        if (before == 0) {
            return isOneCommand(b, payload, wire);
        }
        if (before < MysqlProtocol.HEADER_LENGTH + 1) {
            return false;
        }
        final byte[] array;
        final int at;
        if (b.byteArray() != null) {
            array = b.byteArray();
            at = b.wrapAdjustment() + payload;
        } else if (state != State.COMPRESSED_PAYLOAD) {
            // Off-heap chunk: the gathering buffer is free unless a payload is being gathered.
            if (gathered.length < wire) {
                gathered = new byte[grow(gathered.length, wire)];
            }
            b.getBytes(payload, gathered, 0, wire);
            array = gathered;
            at = 0;
        } else {
            return false;
        }
        final Algorithm how = wire >= 4 && b.getInt(payload, ByteOrder.LITTLE_ENDIAN) == ZSTD_MAGIC
            ? Algorithm.ZSTD : Algorithm.ZLIB;
        return inflate(how, array, at, wire, before) == before && isOneCommand(plainView, 0, before);
    }

    /**
     * Which algorithm compressed the payload of the compressed packet at {@code offset}, or null when
     * it was sent as is (or is too short to tell): a zstd frame starts with its magic number.
     */
    static Algorithm algorithmOf(final DirectBuffer b, final int offset, final int length) {
        if (length < HEADER_LENGTH + 4 || b.getInt(offset + 3, ByteOrder.LITTLE_ENDIAN) >>> 8 == 0) {
            return null;
        }
        return b.getInt(offset + HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN) == ZSTD_MAGIC ? Algorithm.ZSTD : Algorithm.ZLIB;
    }

    private static boolean isOneCommand(final DirectBuffer b, final int offset, final int length) {
        if (length < MysqlProtocol.HEADER_LENGTH + 1) {
            return false;
        }
        final int word = b.getInt(offset, ByteOrder.LITTLE_ENDIAN);
        if ((word & 0xFF_FFFF) + MysqlProtocol.HEADER_LENGTH != length || word >>> 24 != 0) {
            return false;
        }
        final int command = b.getByte(offset + MysqlProtocol.HEADER_LENGTH) & 0xFF;
        return (command >= 0x01 && command <= 0x1f) || command == 0xfa;
    }

    /**
     * Bytes held back by reassembly arrive with their own, earlier capture time: the span is from
     * the earliest to the latest, whichever order they are handed over in.
     */
    private void noteArrival(final long timestampNanos) {
        if (timestampNanos > lastTimestamp) {
            lastTimestamp = timestampNanos;
        }
        if (timestampNanos < firstTimestamp) {
            firstTimestamp = timestampNanos;
        }
    }

    private int grow(final int current, final int needed) {
        // plain needs cap + 1 at most: the byte of room that catches an over-long payload.
        return Math.min(cap + 1, Math.max(needed, Math.max(INITIAL_BUFFER, current * 2)));
    }

    private static int int3(final byte[] b, final int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16;
    }
}
