package spyglass.tcp;

import org.agrona.DirectBuffer;
import spyglass.packet.AddressFormat;
import spyglass.packet.TcpSegment;

/**
 * The bounded set of TCP connections one worker follows, and the entry point of the per-packet path.
 *
 * <p>Lookup is open addressing with linear probing over a power-of-two array sized for a load of
 * at most one half, keyed on (ip version, client address, client port, server address, server
 * port) with a seeded 64-bit mix and a full key compare; removal shifts entries back instead of
 * leaving tombstones, so probe lengths stay short however long the capture runs. Flows come from a
 * pool filled lazily up to {@code maxFlows}; a doubly linked list in last-use order gives O(1)
 * eviction of the least recently used flow when the table is full, and lets idle expiry look only
 * at the old end.
 *
 * <p>A flow opens on a SYN or on a segment carrying data. Bare ACK/FIN/RST segments of no known
 * flow open nothing: they are mostly the tail of a connection just closed.
 *
 * <p>Single-threaded: one worker owns a table and everything in it.
 */
public final class FlowTable {
    private static final long SEQ_MASK = 0xFFFF_FFFFL;

    private final TcpFlowListener listener;
    private final TcpCounters counters = new TcpCounters();
    private final long[] serverPortBits = new long[65_536 / 64];
    private final int maxFlows;
    private final long idleTimeoutNanos;
    private final int maxChunksPerDirection;
    private final OutOfOrderStore store;
    private final long hashSeed;

    private final TcpFlow[] slots;
    private final int slotMask;
    private final TcpFlow[] pool;
    private int pooled;
    private int active;
    /** Most and least recently used ends of the LRU list. */
    private TcpFlow newest;
    private TcpFlow oldest;

    // The key of the segment being handled, oriented client -> server.
    private int keyVersion;
    private long keyClientHigh;
    private long keyClientLow;
    private int keyClientPort;
    private long keyServerHigh;
    private long keyServerLow;
    private int keyServerPort;
    private int keyHash;

    public FlowTable(final TcpFlowListener listener, final FlowTableOptions options) {
        if (listener == null || options == null) {
            throw new IllegalArgumentException("listener and options are required");
        }
        this.listener = listener;
        for (final int port : options.serverPorts()) {
            serverPortBits[port >>> 6] |= 1L << port;
        }
        this.maxFlows = options.maxFlows();
        this.idleTimeoutNanos = options.idleTimeoutNanos();
        this.maxChunksPerDirection = options.outOfOrderBytesPerDirection() / options.chunkSize();
        this.store = new OutOfOrderStore(options.chunkSize(), options.outOfOrderBytesTotal());
        // A per-table seed keeps crafted address/port choices from lining up in one probe run.
        this.hashSeed = mix(System.nanoTime() ^ System.identityHashCode(this));
        final int capacity = Integer.highestOneBit(Math.max(2, maxFlows) * 2 - 1) << 1;
        this.slots = new TcpFlow[capacity];
        this.slotMask = capacity - 1;
        this.pool = new TcpFlow[maxFlows];
    }

    public TcpCounters counters() {
        return counters;
    }

    public int activeFlows() {
        return active;
    }

    /** Bytes of out-of-order storage held across all flows, in whole chunks. */
    public long outOfOrderBytesInUse() {
        return (long) store.chunksInUse() * store.chunkSize;
    }

    /** The per-packet entry point. */
    public void onSegment(final TcpSegment segment) {
        counters.segments++;
        if (!wellFormed(segment)) {
            counters.malformedSegments++;
            return;
        }
        final int srcPort = segment.srcPort;
        final int dstPort = segment.dstPort;
        final boolean srcServer = isServerPort(srcPort);
        final boolean dstServer = isServerPort(dstPort);
        if (!srcServer && !dstServer) {
            counters.ignoredSegments++;
            return;
        }
        final int flags = segment.flags;
        final boolean syn = (flags & TcpSegment.SYN) != 0;
        final boolean ack = (flags & TcpSegment.ACK) != 0;
        final boolean fin = (flags & TcpSegment.FIN) != 0;
        final boolean rst = (flags & TcpSegment.RST) != 0;

        boolean fromClient;
        TcpFlow flow;
        if (srcServer != dstServer) {
            fromClient = dstServer;
            setKey(segment, fromClient);
            flow = find();
        } else {
            // Both ports are server ports: an existing flow decides, else the SYN, else the lower port.
            setKey(segment, true);
            flow = find();
            fromClient = true;
            if (flow == null) {
                setKey(segment, false);
                flow = find();
                fromClient = false;
                if (flow == null) {
                    fromClient = clientSends(segment, syn, ack);
                    setKey(segment, fromClient);
                }
            }
        }

        final long timestampNanos = segment.timestampNanos;
        final long seq = segment.sequence & SEQ_MASK;
        if (flow != null && syn && !ack && fromClient && isPortReuse(flow.clientStream, seq)) {
            counters.portReuses++;
            close(flow, FlowCloseReason.FIN, timestampNanos, true);
            flow = null; // the key fields still hold this segment's key
        }
        final int length = segment.payloadLength;
        if (flow == null) {
            if (!syn && length == 0) {
                counters.strayControlSegments++;
                return;
            }
            flow = open(syn && !ack && fromClient, timestampNanos);
        } else {
            touch(flow);
        }

        if (timestampNanos > flow.lastSeenNanos) {
            flow.lastSeenNanos = timestampNanos;
        }
        if (fromClient) {
            flow.packetsFromClient++;
            flow.bytesFromClient += length;
        } else {
            flow.packetsFromServer++;
            flow.bytesFromServer += length;
        }

        final StreamReassembler own = fromClient ? flow.clientStream : flow.serverStream;
        final StreamReassembler peer = fromClient ? flow.serverStream : flow.clientStream;
        if (ack) {
            peer.onPeerAck(segment.acknowledgement & SEQ_MASK, timestampNanos);
        }
        final DirectBuffer payload = length > 0 ? segment.payloadBuffer : null;
        own.onSegment(seq, syn, fin, payload, segment.payloadOffset, length, timestampNanos);

        if (rst) {
            close(flow, FlowCloseReason.RST, timestampNanos, false);
        } else if (own.isFinished() && peer.isFinished()) {
            close(flow, FlowCloseReason.FIN, timestampNanos, false);
        }
    }

    /**
     * Closes flows that have seen no packet for longer than the idle timeout. Walks the LRU list from
     * its old end and stops at the first flow still alive, so a call costs little when nothing expires.
     */
    public void expireIdle(final long nowNanos) {
        while (oldest != null && nowNanos - oldest.lastSeenNanos > idleTimeoutNanos) {
            counters.flowsExpired++;
            close(oldest, FlowCloseReason.IDLE, nowNanos, true);
        }
    }

    /** End of capture: every flow delivers what it still holds (with gaps before it) and closes. */
    public void closeAll(final long nowNanos) {
        while (oldest != null) {
            close(oldest, FlowCloseReason.END_OF_CAPTURE, nowNanos, true);
        }
    }

    private boolean wellFormed(final TcpSegment segment) {
        if (segment.ipVersion != 4 && segment.ipVersion != 6) {
            return false;
        }
        if ((segment.srcPort & ~0xFFFF) != 0 || (segment.dstPort & ~0xFFFF) != 0) {
            return false;
        }
        final int length = segment.payloadLength;
        if (length < 0) {
            return false;
        }
        if (length > 0) {
            final DirectBuffer buffer = segment.payloadBuffer;
            return buffer != null && segment.payloadOffset >= 0
                    && (long) segment.payloadOffset + length <= buffer.capacity();
        }
        return true;
    }

    private boolean isServerPort(final int port) {
        return (serverPortBits[port >>> 6] & (1L << port)) != 0;
    }

    /** For a segment between two server ports of no known flow: is its sender the client? */
    private static boolean clientSends(final TcpSegment segment, final boolean syn, final boolean ack) {
        if (syn && !ack) {
            return true;
        }
        if (segment.srcPort != segment.dstPort) {
            return segment.srcPort > segment.dstPort;
        }
        final int high = Long.compareUnsigned(segment.srcAddressHigh, segment.dstAddressHigh);
        return high != 0 ? high > 0 : Long.compareUnsigned(segment.srcAddressLow, segment.dstAddressLow) > 0;
    }

    private static boolean isPortReuse(final StreamReassembler client, final long seq) {
        return client.carriedDataOrClosed() && (!client.synSeen() || client.initialSequence() != seq);
    }

    private void setKey(final TcpSegment segment, final boolean fromClient) {
        keyVersion = segment.ipVersion;
        if (fromClient) {
            keyClientHigh = segment.srcAddressHigh;
            keyClientLow = segment.srcAddressLow;
            keyClientPort = segment.srcPort;
            keyServerHigh = segment.dstAddressHigh;
            keyServerLow = segment.dstAddressLow;
            keyServerPort = segment.dstPort;
        } else {
            keyClientHigh = segment.dstAddressHigh;
            keyClientLow = segment.dstAddressLow;
            keyClientPort = segment.dstPort;
            keyServerHigh = segment.srcAddressHigh;
            keyServerLow = segment.srcAddressLow;
            keyServerPort = segment.srcPort;
        }
        long h = hashSeed ^ ((long) keyVersion << 32 | (long) keyClientPort << 16 | keyServerPort);
        h = mix(h ^ keyClientHigh);
        h = mix(h ^ keyClientLow);
        h = mix(h ^ keyServerHigh);
        h = mix(h ^ keyServerLow);
        keyHash = (int) (h ^ (h >>> 32));
    }

    /** The 64-bit finaliser of SplitMix64: every input bit affects every output bit. */
    private static long mix(final long value) {
        long z = value + 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private TcpFlow find() {
        int i = keyHash & slotMask;
        TcpFlow f;
        while ((f = slots[i]) != null) {
            if (f.hash == keyHash && f.clientPort == keyClientPort && f.serverPort == keyServerPort
                    && f.clientAddressLow == keyClientLow && f.serverAddressLow == keyServerLow
                    && f.clientAddressHigh == keyClientHigh && f.serverAddressHigh == keyServerHigh
                    && f.ipVersion == keyVersion) {
                return f;
            }
            i = (i + 1) & slotMask;
        }
        return null;
    }

    private void insert(final TcpFlow flow) {
        int i = flow.hash & slotMask;
        while (slots[i] != null) {
            i = (i + 1) & slotMask;
        }
        slots[i] = flow;
    }

    /** Backward-shift deletion: entries after the hole that may live in it move up, no tombstones. */
    private void remove(final TcpFlow flow) {
        int hole = flow.hash & slotMask;
        while (slots[hole] != flow) {
            hole = (hole + 1) & slotMask;
        }
        slots[hole] = null;
        int j = hole;
        while (true) {
            j = (j + 1) & slotMask;
            final TcpFlow f = slots[j];
            if (f == null) {
                return;
            }
            final int home = f.hash & slotMask;
            // f may move into the hole unless its home lies cyclically in (hole, j].
            final boolean homeBetween = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeBetween) {
                slots[hole] = f;
                slots[j] = null;
                hole = j;
            }
        }
    }

    private TcpFlow open(final boolean handshakeSeen, final long timestampNanos) {
        if (active >= maxFlows) {
            counters.flowsEvicted++;
            close(oldest, FlowCloseReason.EVICTED, timestampNanos, true);
        }
        final TcpFlow flow = acquire();
        flow.ipVersion = keyVersion;
        flow.clientAddressHigh = keyClientHigh;
        flow.clientAddressLow = keyClientLow;
        flow.clientPort = keyClientPort;
        flow.serverAddressHigh = keyServerHigh;
        flow.serverAddressLow = keyServerLow;
        flow.serverPort = keyServerPort;
        flow.hash = keyHash;
        flow.handshakeSeen = handshakeSeen;
        flow.clientTextLength = AddressFormat.formatEndpoint(keyClientHigh, keyClientLow, keyClientPort, flow.clientText, 0);
        flow.serverTextLength = AddressFormat.formatEndpoint(keyServerHigh, keyServerLow, keyServerPort, flow.serverText, 0);
        flow.firstSeenNanos = timestampNanos;
        flow.lastSeenNanos = timestampNanos;
        insert(flow);
        linkNewest(flow);
        active++;
        counters.flowsOpened++;
        listener.onFlowOpen(flow, handshakeSeen, timestampNanos);
        return flow;
    }

    private TcpFlow acquire() {
        if (pooled > 0) {
            final TcpFlow flow = pool[--pooled];
            pool[pooled] = null;
            return flow;
        }
        // Warm-up only: the pool grows to at most maxFlows flows, each made once and reused.
        final TcpFlow flow = new TcpFlow();
        flow.clientStream = new StreamReassembler(flow, true, listener, store, counters, maxChunksPerDirection);
        flow.serverStream = new StreamReassembler(flow, false, listener, store, counters, maxChunksPerDirection);
        return flow;
    }

    private void close(final TcpFlow flow, final FlowCloseReason reason, final long timestampNanos, final boolean flush) {
        try {
            if (flush) {
                flow.clientStream.flush(timestampNanos);
                flow.serverStream.flush(timestampNanos);
            }
            counters.flowsClosed++;
            listener.onFlowClose(flow, reason, timestampNanos);
        } finally {
            // Whatever the listener did, the table stays consistent.
            remove(flow);
            unlink(flow);
            active--;
            flow.recycle();
            pool[pooled++] = flow;
        }
    }

    private void touch(final TcpFlow flow) {
        if (flow != newest) {
            unlink(flow);
            linkNewest(flow);
        }
    }

    private void linkNewest(final TcpFlow flow) {
        flow.lruNewer = null;
        flow.lruOlder = newest;
        if (newest != null) {
            newest.lruNewer = flow;
        } else {
            oldest = flow;
        }
        newest = flow;
    }

    private void unlink(final TcpFlow flow) {
        final TcpFlow newer = flow.lruNewer;
        final TcpFlow older = flow.lruOlder;
        if (newer != null) {
            newer.lruOlder = older;
        } else {
            newest = older;
        }
        if (older != null) {
            older.lruNewer = newer;
        } else {
            oldest = newer;
        }
        flow.lruNewer = null;
        flow.lruOlder = null;
    }
}
