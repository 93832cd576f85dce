package spyglass.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.packet.AddressFormat;
import spyglass.packet.TcpSegment;

/** The hot-path rule, measured: once warm, segments through the table allocate nothing. */
class FlowTableAllocationTest {
    private static final int FLOWS = 8;
    private static final int SEGMENT = 100;

    private static final class CountingListener implements TcpFlowListener {
        long opens;
        long bytes;
        long gaps;
        long closes;

        @Override
        public void onFlowOpen(final TcpFlow flow, final boolean handshakeSeen, final long timestampNanos) {
            opens++;
        }

        @Override
        public void onData(final TcpFlow flow, final boolean fromClient, final DirectBuffer buffer, final int offset,
                           final int length, final long timestampNanos) {
            bytes += length;
        }

        @Override
        public void onGap(final TcpFlow flow, final boolean fromClient, final long missingBytes, final long timestampNanos) {
            gaps++;
        }

        @Override
        public void onFlowClose(final TcpFlow flow, final FlowCloseReason reason, final long timestampNanos) {
            closes++;
        }
    }

    private final CountingListener listener = new CountingListener();
    private final FlowTable table = new FlowTable(listener, new FlowTableOptions().maxFlows(FLOWS * 2));
    private final TcpSegment segment = new TcpSegment();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[4096]);
    private final long[] clientSeq = new long[FLOWS];
    private final long[] serverSeq = new long[FLOWS];
    private long now = 1_000_000_000L;
    private int sent;

    private void send(final int flow, final boolean fromClient, final long seq, final long ack, final int flags,
                      final int length) {
        final TcpSegment s = segment;
        s.timestampNanos = now;
        now += 10_000;
        s.ipVersion = 4;
        final long client = AddressFormat.ipv4MappedLow(0x0A00_0001 + flow);
        final long server = AddressFormat.ipv4MappedLow(0x0A00_00FE);
        s.srcAddressHigh = 0;
        s.dstAddressHigh = 0;
        s.srcAddressLow = fromClient ? client : server;
        s.dstAddressLow = fromClient ? server : client;
        s.srcPort = fromClient ? 40_000 + flow : 3306;
        s.dstPort = fromClient ? 3306 : 40_000 + flow;
        s.sequence = seq & 0xFFFF_FFFFL;
        s.acknowledgement = ack & 0xFFFF_FFFFL;
        s.flags = flags;
        s.payloadBuffer = payload;
        s.payloadOffset = 0;
        s.payloadLength = length;
        s.wireLength = 54 + length;
        table.onSegment(s);
        sent++;
    }

    private void connect(final int flow) {
        clientSeq[flow] = 0xFFFF_0000L + flow * 7919L; // some flows wrap during the run
        serverSeq[flow] = 1000;
        send(flow, true, clientSeq[flow], 0, TcpSegment.SYN, 0);
        send(flow, false, serverSeq[flow], clientSeq[flow] + 1, TcpSegment.SYN | TcpSegment.ACK, 0);
        clientSeq[flow]++;
        serverSeq[flow]++;
    }

    /** Requests and responses on all flows; every 5th request arrives as two reordered segments. */
    private void run(final int segments) {
        final int target = sent + segments;
        int round = 0;
        while (sent < target) {
            for (int f = 0; f < FLOWS; f++) {
                final long c = clientSeq[f];
                final long sv = serverSeq[f];
                if (round % 5 == 0) {
                    send(f, true, c + SEGMENT, sv, TcpSegment.ACK, SEGMENT);
                    send(f, true, c, sv, TcpSegment.ACK, SEGMENT);
                    clientSeq[f] = c + 2 * SEGMENT;
                } else {
                    send(f, true, c, sv, TcpSegment.ACK | TcpSegment.PSH, SEGMENT);
                    clientSeq[f] = c + SEGMENT;
                }
                send(f, false, sv, clientSeq[f], TcpSegment.ACK | TcpSegment.PSH, 3 * SEGMENT);
                serverSeq[f] = sv + 3 * SEGMENT;
            }
            round++;
            if (round % 500 == 0) {
                // Churn: one flow resets and reconnects, so pooled flows are reused under measurement.
                final int f = (round / 500) % FLOWS;
                send(f, true, clientSeq[f], serverSeq[f], TcpSegment.RST, 0);
                connect(f);
            }
            if (round % 100 == 0) {
                table.expireIdle(now);
            }
        }
    }

    @Test
    void warmSegmentsAllocateNothing() {
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int f = 0; f < FLOWS; f++) {
            connect(f);
        }
        run(200_000);
        final long bytesBefore = listener.bytes;
        final int sentBefore = sent;
        final long before = threads.getCurrentThreadAllocatedBytes();
        run(100_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        final int measured = sent - sentBefore;
        assertTrue(measured >= 100_000);
        assertTrue(allocated < measured, "allocated " + allocated + " bytes over " + measured + " segments");
        assertEquals(0, listener.gaps);
        assertEquals(0, table.counters().gaps());
        assertTrue(listener.bytes - bytesBefore > 100L * measured);
        assertTrue(table.counters().outOfOrderSegments() > 0);
        assertEquals(FLOWS, table.activeFlows());
        assertEquals(listener.opens - listener.closes, table.activeFlows());
    }
}
