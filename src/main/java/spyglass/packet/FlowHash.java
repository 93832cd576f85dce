package spyglass.packet;

/**
 * A direction-independent hash of a TCP connection's two endpoints: both directions of one
 * connection land on the same worker, and distinct connections spread evenly.
 *
 * <p>Each endpoint is mixed on its own, then the two are combined with an order-independent
 * operation (addition) and mixed again, so swapping source and destination cannot change the value.
 */
public final class FlowHash {
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private FlowHash() {
    }

    public static int symmetric(final TcpSegment s) {
        return symmetric(s.srcAddressHigh, s.srcAddressLow, s.srcPort, s.dstAddressHigh, s.dstAddressLow, s.dstPort);
    }

    public static int symmetric(final long aHigh, final long aLow, final int aPort,
                                final long bHigh, final long bLow, final int bPort) {
        final long a = endpoint(aHigh, aLow, aPort);
        final long b = endpoint(bHigh, bLow, bPort);
        final long h = mix(a + b);
        return (int) (h ^ (h >>> 32));
    }

    private static long endpoint(final long high, final long low, final int port) {
        return mix(mix(high ^ GOLDEN) + low + ((port & 0xFFFFL) << 48 | (port & 0xFFFFL)) * GOLDEN);
    }

    /** The 64-bit finaliser of MurmurHash3: every input bit affects every output bit. */
    private static long mix(final long value) {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }
}
