package spyglass.tcp;

import org.agrona.DirectBuffer;

/**
 * Turns one direction's segments into an ordered byte stream with explicit gaps.
 *
 * <p>Sequence numbers are unsigned 32-bit values held in longs; every comparison goes through
 * {@link #diff}, the signed 32-bit distance, so wrap-around at 2^32 needs no special case.
 *
 * <p>States of a direction: not yet <em>established</em> (no reference point: a flow picked up
 * mid-stream before this side sent data), established (expected sequence {@link #nextSequence()}
 * known), and <em>finished</em> (everything up to and including its FIN delivered).
 * Segments ahead of the expected sequence wait in the table's {@link OutOfOrderStore}, bounded per
 * direction; when the bound is hit, or when the peer acknowledges bytes never seen, the missing
 * range is given up as a gap so the listener hears about the loss at once instead of at close.
 */
public final class StreamReassembler {
    private static final long SEQ_MASK = 0xFFFF_FFFFL;
    /** An ACK further ahead than this is not believed (garbage or a different connection). */
    private static final int MAX_ACK_JUMP = 1 << 30;

    private final TcpFlow flow;
    private final boolean fromClient;
    private final TcpFlowListener listener;
    private final OutOfOrderStore store;
    private final TcpCounters counters;
    private final int maxChunks;

    private boolean established;
    private boolean synSeen;
    private boolean finSeen;
    private boolean finished;
    private long initialSequence;
    private long nextSeq;
    private long finSeq;
    private long deliveredBytes;
    private int head = OutOfOrderStore.NONE;
    private int chunksHeld;

    StreamReassembler(final TcpFlow flow, final boolean fromClient, final TcpFlowListener listener,
                      final OutOfOrderStore store, final TcpCounters counters, final int maxChunks) {
        this.flow = flow;
        this.fromClient = fromClient;
        this.listener = listener;
        this.store = store;
        this.counters = counters;
        this.maxChunks = maxChunks;
    }

    static int diff(final long a, final long b) {
        return (int) (a - b);
    }

    static long add(final long seq, final long n) {
        return (seq + n) & SEQ_MASK;
    }

    public boolean isEstablished() {
        return established;
    }

    public boolean isFinished() {
        return finished;
    }

    /** The next sequence number expected (meaningful once established). */
    public long nextSequence() {
        return nextSeq;
    }

    public long deliveredBytes() {
        return deliveredBytes;
    }

    /** Bytes of out-of-order storage this direction holds, in whole chunks. */
    public int bufferedBytes() {
        return chunksHeld * store.chunkSize;
    }

    boolean synSeen() {
        return synSeen;
    }

    long initialSequence() {
        return initialSequence;
    }

    /** True once this direction sent data or a FIN: a new SYN from it then means a new connection. */
    boolean carriedDataOrClosed() {
        return deliveredBytes > 0 || head != OutOfOrderStore.NONE || finSeen;
    }

    /** One segment sent by this direction. {@code seq} is the raw sequence number of the segment. */
    void onSegment(final long rawSeq, final boolean syn, final boolean fin, final DirectBuffer buffer,
                   final int offset, final int rawLength, final long timestampNanos) {
        long seq = rawSeq;
        int length = rawLength;
        if (syn) {
            if (!established) {
                established = true;
                synSeen = true;
                initialSequence = seq;
                nextSeq = add(seq, 1);
            } else if (length == 0 && !fin) {
                counters.retransmittedSegments++;
                return;
            }
            seq = add(seq, 1);
        }
        if (!established) {
            if (length == 0 && !fin) {
                return; // a pure ACK gives no reference point for this direction's data
            }
            established = true;
            nextSeq = seq;
        }
        if (finished) {
            if (length > 0 || fin) {
                counters.retransmittedSegments++;
            }
            return;
        }
        long end = add(seq, length);
        if (fin && !finSeen) {
            finSeen = true;
            finSeq = end;
        }
        if (finSeen && length > 0 && diff(end, finSeq) > 0) {
            // Nothing can follow a FIN: bytes beyond it are not part of this stream.
            length = Math.max(0, length - diff(end, finSeq));
            end = add(seq, length);
        }
        if (length > 0) {
            if (diff(end, nextSeq) <= 0) {
                counters.retransmittedSegments++;
            } else {
                if (diff(seq, nextSeq) > 0) {
                    counters.outOfOrderSegments++;
                }
                accept(seq, buffer, offset, length, timestampNanos);
            }
        } else if (!fin && diff(seq, nextSeq) < 0) {
            counters.retransmittedSegments++; // keep-alive or zero-window probe at expected-1
        }
        checkFin();
    }

    /**
     * The other direction acknowledged {@code ack}: bytes of this direction before it reached the
     * receiver, so any of them not seen here were lost before capture and will not be resent.
     */
    void onPeerAck(final long ack, final long timestampNanos) {
        if (!established || finished) {
            return;
        }
        final int ahead = diff(ack, nextSeq);
        if (ahead <= 0 || ahead > MAX_ACK_JUMP) {
            return;
        }
        long target = ack;
        if (head != OutOfOrderStore.NONE && diff(store.pieceSeq(head), target) < 0) {
            target = store.pieceSeq(head);
        }
        if (finSeen && diff(finSeq, target) < 0) {
            target = finSeq;
        }
        final int missing = diff(target, nextSeq);
        if (missing > 0) {
            gap(missing, timestampNanos);
            nextSeq = target;
            drain();
        }
        checkFin();
    }

    /** Gives up on every hole: delivers all stored data with gaps before it (flow about to close). */
    void flush(final long timestampNanos) {
        while (head != OutOfOrderStore.NONE) {
            final long pieceStart = store.pieceSeq(head);
            gap(diff(pieceStart, nextSeq), timestampNanos);
            nextSeq = pieceStart;
            drain();
        }
        checkFin();
    }

    /** Frees all storage and forgets all state: the flow is being recycled. */
    void reset() {
        releasePieces();
        established = false;
        synSeen = false;
        finSeen = false;
        finished = false;
        initialSequence = 0;
        nextSeq = 0;
        finSeq = 0;
        deliveredBytes = 0;
    }

    private void accept(long seq, final DirectBuffer buffer, int offset, int length, final long timestampNanos) {
        while (true) {
            final long end = add(seq, length);
            if (diff(end, nextSeq) <= 0) {
                return;
            }
            final int ahead = diff(seq, nextSeq);
            if (ahead <= 0) {
                deliver(buffer, offset - ahead, length + ahead, timestampNanos);
                nextSeq = end;
                drain();
                return;
            }
            final long stoppedAt = storeAhead(seq, buffer, offset, length, timestampNanos);
            if (stoppedAt == end) {
                return;
            }
            // Out of room: give up the hole before the first thing we hold, deliver what that
            // makes contiguous, then retry the part of this segment that did not fit.
            counters.outOfOrderOverflows++;
            long gapTo = stoppedAt;
            if (head != OutOfOrderStore.NONE && diff(store.pieceSeq(head), stoppedAt) < 0) {
                gapTo = store.pieceSeq(head);
            }
            gap(diff(gapTo, nextSeq), timestampNanos);
            nextSeq = gapTo;
            drain();
            final int consumed = diff(stoppedAt, seq);
            seq = stoppedAt;
            offset += consumed;
            length -= consumed;
        }
    }

    /**
     * Stores the parts of [seq, seq+length) not already held, keeping the list sorted and free of
     * overlaps. Returns seq+length when all of it is held, else the sequence where room ran out.
     */
    private long storeAhead(final long seq, final DirectBuffer buffer, final int offset, final int length,
                            final long timestampNanos) {
        final long end = add(seq, length);
        int prev = OutOfOrderStore.NONE;
        int cur = head;
        long s = seq;
        while (diff(end, s) > 0) {
            while (cur != OutOfOrderStore.NONE && diff(pieceEnd(cur), s) <= 0) {
                prev = cur;
                cur = store.pieceNext(cur);
            }
            if (cur != OutOfOrderStore.NONE && diff(store.pieceSeq(cur), s) <= 0) {
                s = pieceEnd(cur); // already held
                prev = cur;
                cur = store.pieceNext(cur);
                continue;
            }
            long holeEnd = end;
            if (cur != OutOfOrderStore.NONE && diff(store.pieceSeq(cur), end) < 0) {
                holeEnd = store.pieceSeq(cur);
            }
            final int len = diff(holeEnd, s);
            final int needed = store.chunksFor(len);
            if (chunksHeld + needed > maxChunks || store.availableChunks() < needed) {
                return s;
            }
            final int piece = store.storePiece(s, buffer, offset + diff(s, seq), len, timestampNanos);
            chunksHeld += needed;
            store.pieceNext(piece, cur);
            if (prev == OutOfOrderStore.NONE) {
                head = piece;
            } else {
                store.pieceNext(prev, piece);
            }
            prev = piece;
            s = holeEnd;
        }
        return end;
    }

    /** Delivers stored pieces that the expected sequence has reached, in order, freeing them. */
    private void drain() {
        while (head != OutOfOrderStore.NONE) {
            final int piece = head;
            final long start = store.pieceSeq(piece);
            if (diff(start, nextSeq) > 0) {
                return;
            }
            final int length = store.pieceLength(piece);
            final int skip = diff(nextSeq, start);
            if (skip < length) {
                deliverPiece(piece, skip, length);
                nextSeq = add(start, length);
            }
            head = store.pieceNext(piece);
            chunksHeld -= store.chunksFor(length);
            store.freePiece(piece);
        }
    }

    private void deliverPiece(final int piece, final int skipBytes, final int length) {
        final int chunkSize = store.chunkSize;
        final long timestampNanos = store.pieceTimestamp(piece);
        int chunk = piece;
        int remaining = length;
        int skip = skipBytes;
        while (skip >= chunkSize) {
            chunk = store.chunkNext(chunk);
            skip -= chunkSize;
            remaining -= chunkSize;
        }
        while (remaining > 0) {
            final int inChunk = Math.min(chunkSize, remaining);
            deliver(store.buffer(chunk), store.chunkOffset(chunk) + skip, inChunk - skip, timestampNanos);
            remaining -= inChunk;
            skip = 0;
            chunk = store.chunkNext(chunk);
        }
    }

    private void deliver(final DirectBuffer buffer, final int offset, final int length, final long timestampNanos) {
        deliveredBytes += length;
        listener.onData(flow, fromClient, buffer, offset, length, timestampNanos);
    }

    private void gap(final int missing, final long timestampNanos) {
        if (missing <= 0) {
            return;
        }
        counters.gaps++;
        counters.gapBytes += missing;
        listener.onGap(flow, fromClient, missing, timestampNanos);
    }

    private void checkFin() {
        if (finSeen && !finished && diff(nextSeq, finSeq) >= 0) {
            finished = true;
            nextSeq = add(finSeq, 1);
            releasePieces();
        }
    }

    private long pieceEnd(final int piece) {
        return add(store.pieceSeq(piece), store.pieceLength(piece));
    }

    private void releasePieces() {
        while (head != OutOfOrderStore.NONE) {
            final int piece = head;
            head = store.pieceNext(piece);
            store.freePiece(piece);
        }
        chunksHeld = 0;
    }
}
