package spyglass.mysql;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Cuts one direction's byte stream into logical MySQL packets: 3-byte little-endian payload length,
 * 1-byte sequence id, payload. The stream may be split at any byte (headers included), so the header
 * is gathered byte by byte. Physical packets of exactly 0xFFFFFF bytes are joined with what follows
 * into one logical packet.
 *
 * <p>A packet that lies whole in the chunk it starts in is framed in one step and left where it
 * is: {@link #wholeInChunk()} and {@link #chunk()} let the caller read it in place. A packet split
 * over chunks also goes, as it arrives, to the {@link PayloadListener} if there is one.
 *
 * <p>Only a bounded prefix of each logical packet is kept, in a reused buffer that grows on demand up
 * to its cap (so a connection that only ever sends short statements never holds 64 KiB); the rest is
 * counted. Pull style: {@link #feed} stops at the end of each logical packet so the caller can act on
 * it (and change its mind about the rest of the chunk: TLS starts right after an SSLRequest).
 */
final class PacketFramer {
    private static final int INITIAL_KEEP = 1024;

    private final int keepCap;
    private int keepLimit;
    private final UnsafeBuffer kept = new UnsafeBuffer(new byte[0]);
    private byte[] keptArray;
    private final byte[] header = new byte[MysqlProtocol.HEADER_LENGTH];

    private int headerFilled;
    private boolean inPayload;
    private int physicalRemaining;
    private boolean continues;
    private boolean keep = true;

    private boolean complete;
    private int physicalPackets;
    private int firstSequence;
    private int lastSequence;
    private long payloadLength;
    private int keptLength;
    private long wireBytes;
    private long firstTimestamp;
    private long lastTimestamp;

    private PayloadListener listener;
    private boolean wholeInChunk;
    private DirectBuffer chunk;
    private int chunkPayloadOffset;

    PacketFramer(final int keepCap) {
        this.keepCap = keepCap;
        this.keepLimit = keepCap;
        this.keptArray = new byte[Math.min(keepCap, INITIAL_KEEP)];
        kept.wrap(keptArray);
    }

    /**
     * Consumes bytes until the current logical packet completes or the chunk ends.
     *
     * @return bytes consumed; when {@link #complete()} turns true the packet is ready, and
     * {@link #next()} must be called before feeding again
     */
    int feed(final DirectBuffer src, final int offset, final int length, final long timestampNanos) {
        if (!inPayload && headerFilled == 0 && physicalPackets == 0 && length >= MysqlProtocol.HEADER_LENGTH) {
            // The usual case: a whole packet, header and payload, inside this chunk.
            final int word = src.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN);
            final int len = word & 0xFF_FFFF;
            if (len < MysqlProtocol.MAX_PACKET_PAYLOAD && len <= length - MysqlProtocol.HEADER_LENGTH) {
                firstTimestamp = timestampNanos;
                lastTimestamp = timestampNanos;
                firstSequence = word >>> 24;
                lastSequence = firstSequence;
                physicalPackets = 1;
                payloadLength = len;
                wireBytes = MysqlProtocol.HEADER_LENGTH + len;
                if (keep && len > 0) {
                    keepBytes(src, offset + MysqlProtocol.HEADER_LENGTH, len);
                }
                wholeInChunk = true;
                chunk = src;
                chunkPayloadOffset = offset + MysqlProtocol.HEADER_LENGTH;
                complete = true;
                return MysqlProtocol.HEADER_LENGTH + len;
            }
        }
        int consumed = 0;
        while (consumed < length) {
            if (!inPayload) {
                if (headerFilled == 0 && physicalPackets == 0) {
                    firstTimestamp = timestampNanos;
                    lastTimestamp = timestampNanos;
                }
                final int word;
                if (headerFilled == 0 && length - consumed >= MysqlProtocol.HEADER_LENGTH) {
                    // The usual case: the whole header is in this chunk, read it at once.
                    word = src.getInt(offset + consumed, java.nio.ByteOrder.LITTLE_ENDIAN);
                    consumed += MysqlProtocol.HEADER_LENGTH;
                    wireBytes += MysqlProtocol.HEADER_LENGTH;
                    headerFilled = MysqlProtocol.HEADER_LENGTH;
                } else {
                    header[headerFilled++] = src.getByte(offset + consumed);
                    consumed++;
                    wireBytes++;
                    word = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16 | (header[3] & 0xFF) << 24;
                }
                noteArrival(timestampNanos);
                if (headerFilled == MysqlProtocol.HEADER_LENGTH) {
                    headerFilled = 0;
                    final int len = word & 0xFF_FFFF;
                    final int sequence = word >>> 24;
                    if (physicalPackets == 0) {
                        firstSequence = sequence;
                    }
                    lastSequence = sequence;
                    physicalPackets++;
                    physicalRemaining = len;
                    continues = len == MysqlProtocol.MAX_PACKET_PAYLOAD;
                    if (len > 0) {
                        inPayload = true;
                    } else if (!continues) {
                        complete = true;
                        return consumed;
                    }
                }
            } else {
                final int take = Math.min(physicalRemaining, length - consumed);
                if (keep) {
                    keepBytes(src, offset + consumed, take);
                }
                if (listener != null && take > 0) {
                    listener.onPayload(src, offset + consumed, take, payloadLength);
                }
                consumed += take;
                physicalRemaining -= take;
                payloadLength += take;
                wireBytes += take;
                noteArrival(timestampNanos);
                if (physicalRemaining == 0) {
                    inPayload = false;
                    if (!continues) {
                        complete = true;
                        return consumed;
                    }
                }
            }
        }
        return consumed;
    }

    /** Keeps at most {@code limit} bytes (never more than the cap) of packets from now on. */
    void keepLimit(final int limit) {
        keepLimit = Math.min(limit, keepCap);
    }

    private void keepBytes(final DirectBuffer src, final int offset, final int n) {
        final int room = keepLimit - keptLength;
        if (room <= 0) {
            return;
        }
        final int k = Math.min(room, n);
        if (keptLength + k > keptArray.length) {
            // Grows at most log2(cap / 1 KiB) times per pooled connection: warm-up, not steady state.
            final byte[] bigger = new byte[Math.min(keepCap, Math.max(keptLength + k, keptArray.length * 2))];
            System.arraycopy(keptArray, 0, bigger, 0, keptLength);
            keptArray = bigger;
            kept.wrap(keptArray);
        }
        src.getBytes(offset, keptArray, keptLength, k);
        keptLength += k;
    }

    /** Who hears the payload of packets split over chunks; null for nobody. */
    void listener(final PayloadListener listener) {
        this.listener = listener;
    }

    /**
     * Whether the completed packet lay whole, with its header, in the last chunk fed: its payload
     * is then {@link #chunk()}{@code [}{@link #chunkPayloadOffset()}{@code , + payloadLength())},
     * readable until the next feed. False for a packet split over chunks.
     */
    boolean wholeInChunk() {
        return wholeInChunk;
    }

    DirectBuffer chunk() {
        return chunk;
    }

    int chunkPayloadOffset() {
        return chunkPayloadOffset;
    }

    /** Forgets the completed packet; the stream position is kept. */
    void next() {
        wholeInChunk = false;
        chunk = null;
        complete = false;
        physicalPackets = 0;
        payloadLength = 0;
        keptLength = 0;
        wireBytes = 0;
        firstSequence = lastSequence = 0;
    }

    /** Forgets everything, mid-packet state included: the stream position is lost (gap, resync). */
    void reset() {
        next();
        headerFilled = 0;
        inPayload = false;
        physicalRemaining = 0;
        continues = false;
        keep = true;
    }

    /** Whether payload bytes are copied into the kept buffer (off for LOCAL INFILE contents). */
    void keep(final boolean keep) {
        this.keep = keep;
    }

    /** True when no byte of a next packet has been seen. */
    boolean atPacketBoundary() {
        return headerFilled == 0 && !inPayload && physicalPackets == 0;
    }

    boolean complete() {
        return complete;
    }

    int firstSequence() {
        return firstSequence;
    }

    int lastSequence() {
        return lastSequence;
    }

    /** Logical payload length, continuations joined, headers excluded. */
    long payloadLength() {
        return payloadLength;
    }

    UnsafeBuffer kept() {
        return kept;
    }

    int keptLength() {
        return keptLength;
    }

    /** Bytes on the wire for this logical packet: payload plus every physical header. */
    long wireBytes() {
        return wireBytes;
    }

    int physicalPackets() {
        return physicalPackets;
    }

    long firstTimestamp() {
        return firstTimestamp;
    }

    long lastTimestamp() {
        return lastTimestamp;
    }

    /** First payload byte, or -1 for an empty packet. */
    int firstByte() {
        return keptLength > 0 ? keptArray[0] & 0xFF : -1;
    }

    /**
     * Bytes held back by reassembly arrive with their own, earlier capture time: a packet is
     * complete when its last byte arrived, whichever order the bytes are handed over in.
     */
    private void noteArrival(final long timestampNanos) {
        if (timestampNanos > lastTimestamp) {
            lastTimestamp = timestampNanos;
        }
        if (timestampNanos < firstTimestamp) {
            firstTimestamp = timestampNanos;
        }
    }
}
