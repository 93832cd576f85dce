package spyglass.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static spyglass.tcp.Wire.ACK;
import static spyglass.tcp.Wire.FIN;
import static spyglass.tcp.Wire.PSH;
import static spyglass.tcp.Wire.RST;
import static spyglass.tcp.Wire.SYN;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.packet.TcpSegment;

class FlowTableTest {
    private static final int CLIENT = 0x0A00_0001;
    private static final int SERVER = 0x0A00_0002;

    private final RecordingListener rec = new RecordingListener();

    private FlowTable table(final FlowTableOptions options) {
        return new FlowTable(rec, options);
    }

    private FlowTable table() {
        return table(new FlowTableOptions());
    }

    /** SYN (ISN 1000), SYN-ACK (ISN 5000), ACK: client data starts at 1001, server data at 5001. */
    private static void handshake(final FlowTable t, final Wire w) {
        t.onSegment(w.client(1000, 0, SYN, ""));
        t.onSegment(w.server(5000, 1001, SYN | ACK, ""));
        t.onSegment(w.client(1001, 5001, ACK, ""));
    }

    @Test
    void handshakeThenInOrderConversationInBothDirections() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        handshake(t, w);
        t.onSegment(w.server(5001, 1001, ACK | PSH, "greeting"));
        t.onSegment(w.client(1001, 5009, ACK | PSH, "login"));
        t.onSegment(w.server(5009, 1006, ACK | PSH, "ok"));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 handshake", "data S greeting", "data C login", "data S ok"),
                rec.take());
        final TcpFlow flow = rec.lastOpened;
        assertEquals(3, flow.packetsFromClient());
        assertEquals(3, flow.packetsFromServer());
        assertEquals(5, flow.bytesFromClient());
        assertEquals(10, flow.bytesFromServer());
        assertEquals(1_000_000_000L, flow.firstSeenNanos());
        assertEquals(1_000_005_000L, flow.lastSeenNanos());
        assertEquals(50_000, flow.clientPort());
        assertEquals(3306, flow.serverPort());
        assertEquals(4, flow.ipVersion());
        assertEquals(1, t.activeFlows());
        assertEquals(6, t.counters().segments());
        assertEquals(1, t.counters().flowsOpened());
        assertEquals(0, t.counters().gaps());
    }

    @Test
    void midStreamPickupStartsEachDirectionAtItsFirstData() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        t.onSegment(w.client(300, 7000, ACK, ""));              // bare ACK of an unknown flow: opens nothing
        assertEquals(0, t.activeFlows());
        assertEquals(1, t.counters().strayControlSegments());
        t.onSegment(w.server(7000, 300, ACK | PSH, "hello"));   // opens mid-stream
        t.onSegment(w.client(300, 7005, ACK, ""));              // no data yet: client still unestablished
        t.onSegment(w.client(300, 7005, ACK | PSH, "query"));
        t.onSegment(w.server(7005, 305, ACK | PSH, "rows"));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 midstream", "data S hello", "data C query", "data S rows"),
                rec.take());
        assertEquals(4, rec.lastOpened.packetsFromClient() + rec.lastOpened.packetsFromServer());
    }

    @Test
    void synAckFirstIsNotAHandshakeButStartsTheServerStream() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        t.onSegment(w.server(5000, 1001, SYN | ACK, ""));
        t.onSegment(w.server(5002, 1001, ACK, "x"));           // one byte missing at 5001
        t.onSegment(w.server(5001, 1001, ACK, "g"));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 midstream", "data S g", "data S x"), rec.take());
    }

    @Test
    void finFromBothSidesClosesAndTheLastAckOpensNothing() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        handshake(t, w);
        t.onSegment(w.client(1001, 5001, ACK | PSH, "quit"));
        t.onSegment(w.client(1005, 5001, FIN | ACK, ""));
        assertEquals(1, t.activeFlows());
        t.onSegment(w.server(5001, 1006, FIN | ACK, ""));
        assertEquals(0, t.activeFlows());
        t.onSegment(w.client(1006, 5002, ACK, ""));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 handshake", "data C quit", "close 10.0.0.1:50000 FIN"),
                rec.take());
        assertEquals(0, t.activeFlows());
        assertEquals(1, t.counters().flowsClosed());
        assertEquals(1, t.counters().strayControlSegments());
    }

    @Test
    void finWithDataCarriedAndMissingBytesBeforeTheFinIsResolvedByTheAck() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        handshake(t, w);
        t.onSegment(w.client(1001, 5001, ACK, "abc"));
        // 1004..1007 "def" lost; FIN segment carries "gh" at 1007, FIN at 1009
        t.onSegment(w.client(1007, 5001, FIN | ACK, "gh"));
        t.onSegment(w.server(5001, 1010, FIN | ACK, ""));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 handshake", "data C abc", "gap C 3", "data C gh",
                "close 10.0.0.1:50000 FIN"), rec.take());
        assertEquals(0, t.outOfOrderBytesInUse());
    }

    @Test
    void rstClosesAtOnceWithoutDeliveringWhatIsNotContiguous() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        handshake(t, w);
        t.onSegment(w.client(1001, 5001, ACK, "abc"));
        t.onSegment(w.client(1010, 5001, ACK, "later"));
        assertEquals(2048, t.outOfOrderBytesInUse());
        t.onSegment(w.server(5001, 1004, RST | ACK, ""));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 handshake", "data C abc", "close 10.0.0.1:50000 RST"),
                rec.take());
        assertEquals(0, t.activeFlows());
        assertEquals(0, t.outOfOrderBytesInUse());
        t.onSegment(w.server(5001, 1004, RST, ""));
        assertEquals(List.of(), rec.take());
    }

    @Test
    void idleFlowsExpireFromTheOldEndOnly() {
        final long second = 1_000_000_000L;
        final FlowTable t = table(new FlowTableOptions().idleTimeoutNanos(second));
        final Wire a = Wire.ipv4(CLIENT, 40_001, SERVER, 3306);
        final Wire b = Wire.ipv4(CLIENT, 40_002, SERVER, 3306);
        a.now = 10 * second;
        b.now = 10 * second + second / 2;
        t.onSegment(a.client(1, 1, ACK, "a"));
        t.onSegment(a.client(2, 1, FIN | ACK, ""));               // half closed, then quiet
        t.onSegment(b.client(1, 1, ACK, "b"));
        t.expireIdle(11 * second + 1000);                        // exactly the timeout: not longer
        assertEquals(2, t.activeFlows());
        t.expireIdle(11 * second + 1001);
        assertEquals(1, t.activeFlows());
        t.expireIdle(11 * second + second / 2);
        assertEquals(1, t.activeFlows());
        t.expireIdle(12 * second);
        assertEquals(List.of("open 10.0.0.1:40001>10.0.0.2:3306 midstream", "data C a",
                "open 10.0.0.1:40002>10.0.0.2:3306 midstream", "data C b",
                "close 10.0.0.1:40001 IDLE", "close 10.0.0.1:40002 IDLE"), rec.take());
        assertEquals(2, t.counters().flowsExpired());
        assertEquals(2, t.counters().flowsClosed());
        assertEquals(0, t.activeFlows());
    }

    @Test
    void leastRecentlyUsedFlowIsEvictedWhenTheTableIsFull() {
        final FlowTable t = table(new FlowTableOptions().maxFlows(3));
        final Wire[] w = new Wire[5];
        for (int i = 1; i <= 4; i++) {
            w[i] = Wire.ipv4(CLIENT, i, SERVER, 3306);
        }
        t.onSegment(w[1].client(100, 1, ACK, "1"));
        t.onSegment(w[2].client(100, 1, ACK, "2"));
        t.onSegment(w[3].client(100, 1, ACK, "3"));
        t.onSegment(w[1].client(101, 1, ACK, "1"));              // flow 1 is now the newest
        rec.take();
        t.onSegment(w[4].client(100, 1, ACK, "4"));
        assertEquals(List.of("close 10.0.0.1:2 EVICTED", "open 10.0.0.1:4>10.0.0.2:3306 midstream", "data C 4"),
                rec.take());
        t.onSegment(w[2].client(101, 1, ACK, "2"));              // comes back as a new flow, evicts 3
        assertEquals(List.of("close 10.0.0.1:3 EVICTED", "open 10.0.0.1:2>10.0.0.2:3306 midstream", "data C 2"),
                rec.take());
        assertEquals(3, t.activeFlows());
        assertEquals(2, t.counters().flowsEvicted());
        assertEquals(5, t.counters().flowsOpened());
    }

    @Test
    void evictionFlushesStoredDataWithAGap() {
        final FlowTable t = table(new FlowTableOptions().maxFlows(1));
        final Wire a = Wire.ipv4(CLIENT, 1, SERVER, 3306);
        final Wire b = Wire.ipv4(CLIENT, 2, SERVER, 3306);
        t.onSegment(a.client(100, 1, ACK, "ab"));
        t.onSegment(a.client(105, 1, ACK, "fg"));
        t.onSegment(b.client(100, 1, ACK, "z"));
        assertEquals(List.of("open 10.0.0.1:1>10.0.0.2:3306 midstream", "data C ab", "gap C 3", "data C fg",
                "close 10.0.0.1:1 EVICTED", "open 10.0.0.1:2>10.0.0.2:3306 midstream", "data C z"), rec.take());
    }

    @Test
    void newSynWithAnotherIsnOnAUsedFlowIsPortReuse() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        handshake(t, w);
        t.onSegment(w.client(1000, 0, SYN, ""));                 // retransmitted SYN, same ISN: same flow
        assertEquals(1, t.counters().retransmittedSegments());
        t.onSegment(w.client(1001, 5001, ACK, "old"));
        final TcpFlow old = rec.lastOpened;
        t.onSegment(w.client(1000, 0, SYN, ""));                 // same ISN after data: still a retransmission
        assertEquals(0, t.counters().portReuses());
        t.onSegment(w.client(90_000, 0, SYN, ""));
        t.onSegment(w.server(70_000, 90_001, SYN | ACK, ""));
        t.onSegment(w.client(90_001, 70_001, ACK, "new"));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 handshake", "data C old", "close 10.0.0.1:50000 FIN",
                "open 10.0.0.1:50000>10.0.0.2:3306 handshake", "data C new"), rec.take());
        assertEquals(1, t.counters().portReuses());
        assertEquals(1, t.activeFlows());
        assertSame(old, rec.lastOpened);                         // the pooled object carries the new flow
        assertEquals(2, rec.lastOpened.packetsFromClient());
        assertEquals(1, rec.lastOpened.packetsFromServer());
        assertEquals(3, rec.lastOpened.bytesFromClient());
        assertEquals(2, t.counters().retransmittedSegments());
    }

    @Test
    void ipv6FlowsAreKeyedAndFormattedLikeIpv4() {
        final FlowTable t = table();
        final long net = 0x2001_0db8_0000_0000L;
        final Wire w = Wire.ipv6(net, 1, 50_000, net, 2, 3306);
        final Wire other = Wire.ipv6(net, 3, 50_000, net, 2, 3306);
        t.onSegment(w.client(1, 1, ACK, "six"));
        t.onSegment(other.client(1, 1, ACK, "other"));
        t.onSegment(w.server(1, 4, ACK, "reply"));
        assertEquals(List.of("open [2001:db8::1]:50000>[2001:db8::2]:3306 midstream", "data C six",
                "open [2001:db8::3]:50000>[2001:db8::2]:3306 midstream", "data C other", "data S reply"), rec.take());
        assertEquals(2, t.activeFlows());
    }

    @Test
    void ipv4AndIpv6WithTheSameBitsAreDifferentFlows() {
        final FlowTable t = table();
        final Wire v4 = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        final Wire v6 = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        v6.ipVersion = 6;
        t.onSegment(v4.client(1, 1, ACK, "a"));
        t.onSegment(v6.client(1, 1, ACK, "b"));
        assertEquals(2, t.activeFlows());
    }

    @Test
    void segmentWithNoServerPortIsIgnoredAndCounted() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 8080);
        t.onSegment(w.client(1, 0, SYN, ""));
        t.onSegment(w.client(2, 1, ACK, "GET /"));
        assertEquals(List.of(), rec.take());
        assertEquals(2, t.counters().ignoredSegments());
        assertEquals(2, t.counters().segments());
        assertEquals(0, t.activeFlows());
    }

    @Test
    void whenBothPortsAreServerPortsTheSynDecidesElseTheLowerPort() {
        final FlowTable t = table(new FlowTableOptions().serverPorts(3306, 3307));
        final Wire w = Wire.ipv4(CLIENT, 3306, SERVER, 3307);   // client sits on 3306 here
        t.onSegment(w.client(10, 0, SYN, ""));
        t.onSegment(w.server(20, 11, SYN | ACK, ""));
        t.onSegment(w.server(21, 11, ACK, "hi"));
        t.onSegment(w.client(11, 23, ACK, "yo"));
        final Wire m = Wire.ipv4(CLIENT, 3307, SERVER, 3306);
        t.onSegment(m.server(500, 1, ACK, "s"));                 // 3306 side is the server by the lower port
        t.onSegment(m.client(1, 501, ACK, "c"));
        assertEquals(List.of("open 10.0.0.1:3306>10.0.0.2:3307 handshake", "data S hi", "data C yo",
                "open 10.0.0.1:3307>10.0.0.2:3306 midstream", "data S s", "data C c"), rec.take());
        assertEquals(2, t.activeFlows());
    }

    @Test
    void malformedSegmentsAreCountedAndSkipped() {
        final FlowTable t = table();
        final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);
        TcpSegment s = w.client(1, 1, ACK, "abc");
        s.payloadLength = 100;                                   // beyond the buffer
        t.onSegment(s);
        s = w.client(1, 1, ACK, "abc");
        s.payloadLength = -1;
        t.onSegment(s);
        s = w.client(1, 1, ACK, "abc");
        s.payloadBuffer = null;
        t.onSegment(s);
        s = w.client(1, 1, ACK, "abc");
        s.ipVersion = 5;
        t.onSegment(s);
        s = w.client(1, 1, ACK, "abc");
        s.dstPort = 3306 + 65_536;
        t.onSegment(s);
        s = w.client(1, 1, ACK, "abc");
        s.payloadOffset = -4;
        t.onSegment(s);
        s = w.client(1, 1, ACK, "abc");
        s.payloadOffset = Integer.MAX_VALUE;
        t.onSegment(s);
        assertEquals(7, t.counters().malformedSegments());
        assertEquals(0, t.activeFlows());
        assertEquals(List.of(), rec.take());
        s = w.client(5, 1, ACK, "ok");
        s.sequence = 0xFFFF_FFFF_0000_0005L;                     // junk above 32 bits is masked, not fatal
        t.onSegment(s);
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 midstream", "data C ok"), rec.take());
    }

    @Test
    void closeAllFlushesHeldDataWithGapsThenClosesEveryFlow() {
        final FlowTable t = table();
        final Wire a = Wire.ipv4(CLIENT, 1, SERVER, 3306);
        final Wire b = Wire.ipv4(CLIENT, 2, SERVER, 3306);
        t.onSegment(a.client(100, 1, ACK, "ab"));
        t.onSegment(a.client(110, 1, ACK, "kl"));
        t.onSegment(a.client(105, 1, ACK, "fg"));
        t.onSegment(b.server(100, 1, ACK, "s"));
        rec.take();
        t.closeAll(99);
        assertEquals(List.of("gap C 3", "data C fg", "gap C 3", "data C kl", "close 10.0.0.1:1 END_OF_CAPTURE",
                "close 10.0.0.1:2 END_OF_CAPTURE"), rec.take());
        assertEquals(0, t.activeFlows());
        assertEquals(0, t.outOfOrderBytesInUse());
        assertEquals(2, t.counters().gaps());
        assertEquals(6, t.counters().gapBytes());
    }

    @Test
    void optionsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new FlowTableOptions().maxFlows(0));
        assertThrows(IllegalArgumentException.class, () -> new FlowTableOptions().serverPorts(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new FlowTableOptions().serverPorts(70_000));
        assertThrows(IllegalArgumentException.class, () -> new FlowTableOptions().idleTimeoutNanos(0));
        assertThrows(IllegalArgumentException.class, () -> new FlowTableOptions().chunkSize(8));
        assertThrows(IllegalArgumentException.class, () -> new FlowTableOptions().outOfOrderBytesTotal(-1));
        final FlowTableOptions defaults = new FlowTableOptions();
        assertEquals(3306, defaults.serverPorts()[0]);
        assertEquals(65_536, defaults.maxFlows());
        assertEquals(900_000_000_000L, defaults.idleTimeoutNanos());
        assertEquals(256 * 1024, defaults.outOfOrderBytesPerDirection());
        assertEquals(64L * 1024 * 1024, defaults.outOfOrderBytesTotal());
    }

    /**
     * Random opens and closes against a model set: proves lookup survives backward-shift deletion
     * (a flow must never be lost or duplicated in the table).
     */
    @Test
    void openAndCloseChurnKeepsTheHashTableConsistent() {
        final FlowTable t = table(new FlowTableOptions().maxFlows(256));
        rec.logData = false;
        final Random random = new Random(42);
        final Set<Integer> open = new HashSet<>();
        final Wire[] wires = new Wire[200];
        final long[] seq = new long[200];
        for (int i = 0; i < wires.length; i++) {
            // Few distinct addresses and ports so many keys share probe runs.
            wires[i] = Wire.ipv4(CLIENT + (i % 7), 1000 + i / 7, SERVER, 3306);
            seq[i] = 1;
        }
        long expectedOpens = 0;
        for (int step = 0; step < 20_000; step++) {
            final int k = random.nextInt(wires.length);
            if (random.nextInt(10) < 3) {
                t.onSegment(wires[k].client(seq[k], 1, RST, ""));
                open.remove(k);
            } else {
                if (open.add(k)) {
                    expectedOpens++;
                }
                t.onSegment(wires[k].client(seq[k], 1, ACK, "x"));
                seq[k]++;
            }
            assertEquals(open.size(), t.activeFlows());
        }
        assertEquals(expectedOpens, t.counters().flowsOpened());
        assertEquals(0, t.counters().gaps());
        assertEquals(0, t.counters().flowsEvicted());
    }

    @Test
    void flowObjectsAreRecycledAfterClose() {
        final FlowTable t = table();
        final Wire a = Wire.ipv4(CLIENT, 1, SERVER, 3306);
        final Wire b = Wire.ipv4(CLIENT, 2, SERVER, 3306);
        t.onSegment(a.client(1, 1, ACK, "a"));
        final TcpFlow first = rec.lastOpened;
        first.attach("state");
        t.onSegment(a.client(2, 1, RST, ""));
        t.onSegment(b.client(1, 1, ACK, "b"));
        assertSame(first, rec.lastOpened);
        assertEquals(null, first.attachment());
        assertEquals(1, first.packetsFromClient());
        assertEquals(2, first.clientPort());
        t.onSegment(a.client(1, 1, ACK, "a"));
        assertNotSame(first, rec.lastOpened);
    }
}
