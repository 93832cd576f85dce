package spyglass.tcp;

import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The table-wide pool that holds segments which arrived ahead of their turn.
 *
 * <p>Memory is a set of fixed-size chunks carved from slabs that are allocated on first need and
 * kept for the table's life, so once warm, storing and freeing never allocate. A stored piece
 * (one contiguous byte range of one direction) is a chain of chunks; the piece is named by its
 * first chunk, which lets its metadata live in flat arrays indexed by chunk number instead of in
 * objects. Pieces of one direction form a sorted singly linked list through {@link #pieceNext}.
 */
final class OutOfOrderStore {
    static final int NONE = -1;
    private static final int SLAB_BYTES = 256 * 1024;

    final int chunkSize;
    final int maxChunks;
    private final int chunksPerSlab;
    private final UnsafeBuffer[] slabs;
    private int freeCount;
    private int createdChunks;
    private int chunksInUse;

    // Per-chunk arrays grow (by doubling, up to maxChunks) only when the high-water mark rises.
    private int[] freeChunks = new int[0];
    private int[] chunkNext = new int[0];
    private long[] pieceSeq = new long[0];
    private int[] pieceLength = new int[0];
    private long[] pieceTimestamp = new long[0];
    private int[] pieceNext = new int[0];

    OutOfOrderStore(final int chunkSize, final long totalBytes) {
        this.chunkSize = chunkSize;
        this.maxChunks = (int) Math.min(totalBytes / chunkSize, 1 << 26);
        this.chunksPerSlab = Math.max(1, Math.min(SLAB_BYTES / chunkSize, Math.max(1, maxChunks)));
        this.slabs = new UnsafeBuffer[(maxChunks + chunksPerSlab - 1) / chunksPerSlab];
    }

    private void growMetadata(final int capacity) {
        freeChunks = Arrays.copyOf(freeChunks, capacity);
        chunkNext = Arrays.copyOf(chunkNext, capacity);
        pieceSeq = Arrays.copyOf(pieceSeq, capacity);
        pieceLength = Arrays.copyOf(pieceLength, capacity);
        pieceTimestamp = Arrays.copyOf(pieceTimestamp, capacity);
        pieceNext = Arrays.copyOf(pieceNext, capacity);
    }

    int chunksFor(final int length) {
        return (length + chunkSize - 1) / chunkSize;
    }

    int availableChunks() {
        return maxChunks - chunksInUse;
    }

    int chunksInUse() {
        return chunksInUse;
    }

    /** Copies {@code length} bytes into a new piece. The caller has checked {@link #availableChunks()}. */
    int storePiece(final long seq, final DirectBuffer src, final int offset, final int length, final long timestampNanos) {
        final int first = allocateChunk();
        int chunk = first;
        int copied = 0;
        while (true) {
            final int n = Math.min(chunkSize, length - copied);
            src.getBytes(offset + copied, buffer(chunk), chunkOffset(chunk), n);
            copied += n;
            if (copied == length) {
                chunkNext[chunk] = NONE;
                break;
            }
            final int next = allocateChunk();
            chunkNext[chunk] = next;
            chunk = next;
        }
        pieceSeq[first] = seq;
        pieceLength[first] = length;
        pieceTimestamp[first] = timestampNanos;
        pieceNext[first] = NONE;
        return first;
    }

    void freePiece(final int piece) {
        int chunk = piece;
        while (chunk != NONE) {
            final int next = chunkNext[chunk];
            freeChunks[freeCount++] = chunk;
            chunksInUse--;
            chunk = next;
        }
    }

    long pieceSeq(final int piece) {
        return pieceSeq[piece];
    }

    int pieceLength(final int piece) {
        return pieceLength[piece];
    }

    long pieceTimestamp(final int piece) {
        return pieceTimestamp[piece];
    }

    int pieceNext(final int piece) {
        return pieceNext[piece];
    }

    void pieceNext(final int piece, final int next) {
        pieceNext[piece] = next;
    }

    int chunkNext(final int chunk) {
        return chunkNext[chunk];
    }

    UnsafeBuffer buffer(final int chunk) {
        return slabs[chunk / chunksPerSlab];
    }

    int chunkOffset(final int chunk) {
        return (chunk % chunksPerSlab) * chunkSize;
    }

    private int allocateChunk() {
        chunksInUse++;
        if (freeCount > 0) {
            return freeChunks[--freeCount];
        }
        final int chunk = createdChunks++;
        if (chunk == chunkNext.length) {
            // Warm-up only: metadata follows the high-water mark of chunks ever used.
            growMetadata((int) Math.min(maxChunks, Math.max(chunksPerSlab, 2L * chunk)));
        }
        final int slab = chunk / chunksPerSlab;
        if (slabs[slab] == null) {
            // Warm-up only: a slab is made the first time a chunk in it is needed, then kept.
            slabs[slab] = new UnsafeBuffer(new byte[chunksPerSlab * chunkSize]);
        }
        return chunk;
    }
}
