package spyglass.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static spyglass.tcp.Wire.ACK;
import static spyglass.tcp.Wire.FIN;
import static spyglass.tcp.Wire.SYN;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamReassemblyTest {
    private static final int CLIENT = 0x0A00_0001;
    private static final int SERVER = 0x0A00_0002;

    private final RecordingListener rec = new RecordingListener();
    private final Wire w = Wire.ipv4(CLIENT, 50_000, SERVER, 3306);

    /** A table whose client stream starts at {@code isn + 1} (the SYN was seen). */
    private FlowTable withSyn(final FlowTableOptions options, final long isn) {
        final FlowTable t = new FlowTable(rec, options);
        t.onSegment(w.client(isn, 0, SYN, ""));
        rec.take();
        return t;
    }

    private FlowTable withSyn(final long isn) {
        return withSyn(new FlowTableOptions(), isn);
    }

    private static void permute(final int[] a, final int k, final List<int[]> out) {
        if (k == a.length) {
            out.add(a.clone());
            return;
        }
        for (int i = k; i < a.length; i++) {
            int x = a[k];
            a[k] = a[i];
            a[i] = x;
            permute(a, k + 1, out);
            x = a[k];
            a[k] = a[i];
            a[i] = x;
        }
    }

    @Test
    void everyPermutationOfFiveSegmentsGivesTheSameStream() {
        final String[] parts = {"alpha", "bravo!", "c", "delta-delta", "echo"};
        final long[] starts = new long[parts.length];
        long seq = 1001;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = seq;
            seq += parts[i].length();
        }
        final List<int[]> orders = new ArrayList<>();
        permute(new int[] {0, 1, 2, 3, 4}, 0, orders);
        assertEquals(120, orders.size());
        for (final int[] order : orders) {
            rec.client.reset();
            final FlowTable t = withSyn(1000);
            for (final int i : order) {
                t.onSegment(w.client(starts[i], 0, ACK, parts[i]));
            }
            assertEquals("alphabravo!cdelta-deltaecho", rec.clientStream());
            assertEquals(0, t.counters().gaps());
            assertEquals(0, t.counters().retransmittedSegments());
            assertEquals(0, t.outOfOrderBytesInUse());
            int ahead = 0;
            int expected = 0;
            final boolean[] seen = new boolean[5];
            for (final int i : order) {
                seen[i] = true;
                if (i != expected) {
                    ahead++;
                }
                while (expected < 5 && seen[expected]) {
                    expected++;
                }
            }
            assertEquals(ahead, t.counters().outOfOrderSegments());
        }
    }

    @Test
    void duplicatesAndOverlapsAreTakenOnce() {
        final FlowTable t = withSyn(0);
        t.onSegment(w.client(1, 0, ACK, "0123456789"));
        t.onSegment(w.client(1, 0, ACK, "0123456789"));           // duplicate
        t.onSegment(w.client(6, 0, ACK, "56789ABCDE"));           // overlaps the start: trimmed
        t.onSegment(w.client(21, 0, ACK, "KLMNO"));               // ahead: stored
        t.onSegment(w.client(19, 0, ACK, "IJKLMNOP"));            // overlaps the stored piece on both sides
        t.onSegment(w.client(21, 0, ACK, "KLM"));                 // inside what is stored
        t.onSegment(w.client(16, 0, ACK, "FGH"));
        assertEquals(List.of("data C 0123456789", "data C ABCDE", "data C FGH", "data C IJ", "data C KLMNO", "data C P"),
                rec.take());
        assertEquals("0123456789ABCDEFGHIJKLMNOP", rec.clientStream());
        assertEquals(1, t.counters().retransmittedSegments());
        assertEquals(3, t.counters().outOfOrderSegments());
        assertEquals(0, t.outOfOrderBytesInUse());
    }

    @Test
    void randomSegmentationWithRetransmissionsAndReorderingRebuildsTheExactStream() {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            text.append((char) ('a' + i % 26));
        }
        final String data = text.toString();
        final Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            rec.client.reset();
            rec.logData = false;
            final long isn = random.nextBoolean() ? 0xFFFF_FF00L + random.nextInt(200) : random.nextInt(1 << 30);
            final FlowTable t = withSyn(new FlowTableOptions().chunkSize(64), isn);
            final List<int[]> segments = new ArrayList<>();
            for (int pos = 0; pos < data.length(); ) {
                final int len = Math.min(1 + random.nextInt(80), data.length() - pos);
                segments.add(new int[] {pos, len});
                pos += len;
            }
            final int extra = random.nextInt(10);
            for (int e = 0; e < extra; e++) {                     // retransmissions cut differently
                final int pos = random.nextInt(data.length());
                segments.add(new int[] {pos, Math.min(1 + random.nextInt(120), data.length() - pos)});
            }
            Collections.shuffle(segments, random);
            for (final int[] s : segments) {
                t.onSegment(w.client(isn + 1 + s[0], 0, ACK, data.substring(s[0], s[0] + s[1])));
            }
            assertEquals(data, rec.clientStream(), "round " + round);
            assertEquals(0, t.counters().gaps());
            assertEquals(0, t.outOfOrderBytesInUse());
        }
    }

    @Test
    void lostSegmentIsAGapOfExactlyItsLengthOnceThePeerAcksPastIt() {
        final FlowTable t = withSyn(0);
        t.onSegment(w.server(100, 1, SYN | ACK, ""));
        t.onSegment(w.client(1, 101, ACK, "aaaa"));
        // "bbb" at 5 is lost before capture
        t.onSegment(w.client(8, 101, ACK, "cc"));
        t.onSegment(w.server(101, 5, ACK, ""));                    // lags: nothing
        assertEquals(List.of("data C aaaa"), rec.take());
        t.onSegment(w.server(101, 10, ACK, ""));
        t.onSegment(w.client(10, 101, ACK, "dd"));
        assertEquals(List.of("gap C 3", "data C cc", "data C dd"), rec.take());
        assertEquals("aaaa###ccdd", rec.clientStream());
        assertEquals(1, t.counters().gaps());
        assertEquals(3, t.counters().gapBytes());
        t.onSegment(w.client(5, 101, ACK, "bbb"));                 // the late copy is old now
        assertEquals(1, t.counters().retransmittedSegments());
        assertEquals(List.of(), rec.take());
    }

    @Test
    void ackBeyondTheExpectedSequenceDeclaresTheGapAtOnce() {
        final FlowTable t = withSyn(0);
        t.onSegment(w.server(100, 1, SYN | ACK, ""));
        t.onSegment(w.client(1, 101, ACK, "aaaa"));
        // "bbbbbb" (5..11) lost, nothing stored after it
        t.onSegment(w.server(101, 11, ACK, "resp"));
        t.onSegment(w.client(11, 105, ACK, "cc"));
        assertEquals(List.of("data C aaaa", "gap C 6", "data S resp", "data C cc"), rec.take());
        assertEquals(6, t.counters().gapBytes());
    }

    @Test
    void ackOfADirectionWithNoReferencePointIsIgnored() {
        final FlowTable t = new FlowTable(rec, new FlowTableOptions());
        t.onSegment(w.server(100, 50, ACK, "greet"));             // mid-stream, client side unknown
        t.onSegment(w.server(105, 90, ACK, "more"));
        t.onSegment(w.client(90, 109, ACK, "q"));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 midstream", "data S greet", "data S more", "data C q"),
                rec.take());
        assertEquals(0, t.counters().gaps());
    }

    @Test
    void directionBudgetOverflowGivesUpTheFirstHole() {
        final FlowTable t = withSyn(new FlowTableOptions().chunkSize(64).outOfOrderBytesPerDirection(128), 0);
        final String a = "A".repeat(50);
        final String b = "B".repeat(50);
        final String c = "C".repeat(50);
        t.onSegment(w.client(1, 0, ACK, "x".repeat(10)));
        t.onSegment(w.client(21, 0, ACK, a));
        t.onSegment(w.client(101, 0, ACK, b));
        assertEquals(128, t.outOfOrderBytesInUse());
        t.onSegment(w.client(201, 0, ACK, c));                     // no room: gap 11..21, A drains
        assertEquals(List.of("data C xxxxxxxxxx", "gap C 10", "data C " + a), rec.take());
        assertEquals(1, t.counters().outOfOrderOverflows());
        assertEquals(128, t.outOfOrderBytesInUse());               // B and C held
        t.onSegment(w.client(71, 0, ACK, "y".repeat(30)));
        assertEquals(List.of("data C " + "y".repeat(30), "data C " + b), rec.take());
        t.onSegment(w.client(151, 0, ACK, "z".repeat(50)));
        assertEquals(List.of("data C " + "z".repeat(50), "data C " + c), rec.take());
        assertEquals(1, t.counters().gaps());
        assertEquals(0, t.outOfOrderBytesInUse());
    }

    @Test
    void segmentLargerThanTheWholeBudgetIsDeliveredAfterAGap() {
        final FlowTable t = withSyn(new FlowTableOptions().chunkSize(64).outOfOrderBytesPerDirection(128), 0);
        t.onSegment(w.client(1, 0, ACK, "ab"));
        t.onSegment(w.client(11, 0, ACK, "Z".repeat(200)));
        assertEquals(List.of("data C ab", "gap C 8", "data C " + "Z".repeat(200)), rec.take());
        assertEquals(1, t.counters().outOfOrderOverflows());
    }

    @Test
    void globalPoolExhaustionOverflowsAFlowThatHoldsNothing() {
        final FlowTableOptions options = new FlowTableOptions().chunkSize(64).outOfOrderBytesTotal(128);
        final FlowTable t = new FlowTable(rec, options);
        final Wire other = Wire.ipv4(CLIENT, 50_001, SERVER, 3306);
        t.onSegment(w.client(1, 0, ACK, "a"));
        t.onSegment(w.client(10, 0, ACK, "F".repeat(100)));       // 2 chunks: the whole pool
        t.onSegment(other.client(1, 0, ACK, "b"));
        t.onSegment(other.client(5, 0, ACK, "g"));
        assertEquals(List.of("open 10.0.0.1:50000>10.0.0.2:3306 midstream", "data C a",
                "open 10.0.0.1:50001>10.0.0.2:3306 midstream", "data C b", "gap C 3", "data C g"), rec.take());
        assertEquals(1, t.counters().outOfOrderOverflows());
        assertEquals(128, t.outOfOrderBytesInUse());
        t.onSegment(w.client(2, 0, ACK, "12345678"));
        assertEquals(List.of("data C 12345678", "data C " + "F".repeat(64), "data C " + "F".repeat(36)), rec.take());
        assertEquals(0, t.outOfOrderBytesInUse());
    }

    @Test
    void sequenceNumbersWrapAroundAt2To32() {
        final long isn = 0xFFFF_FFF0L;
        final FlowTable t = withSyn(isn);                           // data starts at 0xFFFFFFF1
        t.onSegment(w.server(500, isn + 1, SYN | ACK, ""));
        t.onSegment(w.client(5, 0, ACK, "KLMNO"));                  // after the wrap
        t.onSegment(w.client(0xFFFF_FFF1L, 0, ACK, "0123456789"));  // ends at 0xFFFFFFFB
        t.onSegment(w.client(0xFFFF_FFFBL, 0, ACK, "ABCDEFGHIJ"));  // crosses 2^32, ends at 5
        t.onSegment(w.client(0xFFFF_FFFBL, 0, ACK, "ABCDEFGHIJ"));  // retransmission across the wrap
        assertEquals("0123456789ABCDEFGHIJKLMNO", rec.clientStream());
        assertEquals(1, t.counters().retransmittedSegments());
        // "PQRST" at 10 lost; the server acknowledges up to 15
        t.onSegment(w.server(501, 15, ACK, ""));
        t.onSegment(w.client(15, 501, ACK | FIN, "UV"));
        t.onSegment(w.server(501, 18, ACK | FIN, ""));
        assertEquals(List.of("data C 0123456789", "data C ABCDEFGHIJ", "data C KLMNO", "gap C 5", "data C UV",
                "close 10.0.0.1:50000 FIN"), rec.take());
    }

    @Test
    void ackGapAcrossTheWrap() {
        final FlowTable t = withSyn(0xFFFF_FFFDL);                 // data starts at 0xFFFFFFFE
        t.onSegment(w.server(9, 0xFFFF_FFFEL, SYN | ACK, ""));
        t.onSegment(w.server(10, 3, ACK, ""));                     // 0xFFFFFFFE..3 lost: 5 bytes
        assertEquals(List.of("gap C 5"), rec.take());
    }

    @Test
    void keepAliveAndZeroWindowProbesAreRetransmissionsNotData() {
        final FlowTable t = withSyn(0);
        t.onSegment(w.client(1, 0, ACK, "abc"));
        t.onSegment(w.client(3, 0, ACK, "c"));                     // 1-byte keep-alive at expected-1
        t.onSegment(w.client(3, 0, ACK, ""));                      // 0-byte probe at expected-1
        t.onSegment(w.client(4, 0, ACK, ""));                      // pure ACK: not counted
        assertEquals("abc", rec.clientStream());
        assertEquals(2, t.counters().retransmittedSegments());
    }

    @Test
    void dataBeyondAFinIsNotPartOfTheStream() {
        final FlowTable t = withSyn(0);
        t.onSegment(w.client(1, 0, ACK | FIN, "ab"));              // FIN at 3
        t.onSegment(w.client(3, 0, ACK, "zz"));
        t.onSegment(w.client(1, 0, ACK, "abcd"));
        assertEquals("ab", rec.clientStream());
        assertEquals(2, t.counters().retransmittedSegments());
    }

    @Test
    void finArrivingBeforeTheLastDataWaitsForIt() {
        final FlowTable t = withSyn(0);
        t.onSegment(w.server(100, 1, SYN | ACK, ""));
        t.onSegment(w.client(4, 101, ACK | FIN, ""));              // FIN at 4, "abc" still to come
        t.onSegment(w.server(101, 1, ACK | FIN, ""));              // server done, client not yet
        assertEquals(1, t.activeFlows());
        t.onSegment(w.client(1, 102, ACK, "abc"));
        assertEquals(List.of("data C abc", "close 10.0.0.1:50000 FIN"), rec.take());
        assertEquals(0, t.activeFlows());
    }

    @Test
    void storedDataKeepsItsOwnTimestamp() {
        final FlowTable t = withSyn(0);
        w.now = 5_000;
        t.onSegment(w.client(4, 0, ACK, "def"));                   // at 5000
        t.onSegment(w.client(1, 0, ACK, "abc"));                   // at 6000
        assertEquals(List.of(6_000L, 5_000L), rec.dataTimestamps);
    }
}
