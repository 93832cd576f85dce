package spyglass.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowHashTest {
    private static TcpSegment segment(final long srcLow, final int srcPort, final long dstLow, final int dstPort) {
        final TcpSegment s = new TcpSegment();
        s.srcAddressLow = srcLow;
        s.srcPort = srcPort;
        s.dstAddressLow = dstLow;
        s.dstPort = dstPort;
        return s;
    }

    @Test
    void bothDirectionsHashAlike() {
        final long client = AddressFormat.ipv4MappedLow(0x0A000001);
        final long server = AddressFormat.ipv4MappedLow(0x0A000002);
        for (int port = 1024; port < 5000; port++) {
            assertEquals(FlowHash.symmetric(segment(client, port, server, 3306)),
                FlowHash.symmetric(segment(server, 3306, client, port)));
        }
        final TcpSegment v6 = new TcpSegment();
        v6.srcAddressHigh = 0x2001_0db8_0000_0000L;
        v6.srcAddressLow = 1;
        v6.srcPort = 40000;
        v6.dstAddressHigh = 0x2001_0db8_0000_0000L;
        v6.dstAddressLow = 2;
        v6.dstPort = 3306;
        assertEquals(FlowHash.symmetric(v6), FlowHash.symmetric(v6.dstAddressHigh, v6.dstAddressLow, 3306,
            v6.srcAddressHigh, v6.srcAddressLow, 40000));
    }

    @Test
    void distinctConnectionsDiffer() {
        final long client = AddressFormat.ipv4MappedLow(0x0A000001);
        final long server = AddressFormat.ipv4MappedLow(0x0A000002);
        assertNotEquals(FlowHash.symmetric(segment(client, 50000, server, 3306)),
            FlowHash.symmetric(segment(client, 50001, server, 3306)));
        // Swapping only the ports (not the addresses) is a different connection.
        assertNotEquals(FlowHash.symmetric(segment(client, 50000, server, 3306)),
            FlowHash.symmetric(segment(client, 3306, server, 50000)));
        final Set<Integer> seen = new HashSet<>();
        for (int port = 0; port < 65536; port++) {
            seen.add(FlowHash.symmetric(segment(client, port, server, 3306)));
        }
        assertTrue(seen.size() > 65530, "collisions: " + (65536 - seen.size()));
    }

    /** Sequential client ports (the usual case) spread evenly over a few workers. */
    @Test
    void spreadsEvenlyOverWorkers() {
        final long server = AddressFormat.ipv4MappedLow(0x0A000002);
        for (final int workers : new int[] {2, 3, 4, 8}) {
            final int[] counts = new int[workers];
            final int flows = 40_000;
            for (int i = 0; i < flows; i++) {
                final long client = AddressFormat.ipv4MappedLow(0x0A000100 + i / 1000);
                counts[Math.floorMod(FlowHash.symmetric(segment(client, 32768 + i % 1000, server, 3306)), workers)]++;
            }
            for (final int count : counts) {
                final double share = count / (double) flows;
                assertTrue(Math.abs(share - 1.0 / workers) < 0.02, workers + " workers: " + java.util.Arrays.toString(counts));
            }
        }
    }
}
