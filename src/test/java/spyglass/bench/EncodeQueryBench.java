package spyglass.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;
import spyglass.event.ServerStatus;
import spyglass.output.CaptureRecordEncoder;

/**
 * Nanoseconds to encode one {@code query} record like sysbench's point select, the hot path of
 * {@code spyglass read}: warm-up of 5 s, then 5 rounds of 2 M encodes, median printed.
 *
 * <pre>
 *   java -cp target/classes:target/test-classes:AGRONA \
 *     --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -XX:+UseSerialGC spyglass.bench.EncodeQueryBench
 * </pre>
 *
 * The timestamp advances 40 us per record (25 k queries/s, as in the capture of bench/RESULTS.md),
 * so the second changes every 25 000 records; rows, latency and digest vary too.
 * Not a unit test: a tool run by hand.
 */
public final class EncodeQueryBench {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = Integer.getInteger("rounds", 5);
    private static final int PER_ROUND = 2_000_000;
    private static final long STEP_NANOS = 40_000L;

    private EncodeQueryBench() {
    }

    private static void set(final spyglass.event.TextField f, final String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        f.set(b, 0, b.length);
    }

    public static void main(final String[] args) {
        final ConnectionInfo c = new ConnectionInfo();
        set(c.id, "127.0.0.1:51044>127.0.0.1:3306");
        set(c.client, "127.0.0.1:51044");
        set(c.server, "127.0.0.1:3306");
        set(c.user, "spy");
        set(c.db, "sbtest");
        set(c.serverVersion, "10.11.19-MariaDB");
        c.threadId = 1234;

        final QueryEvent q = new QueryEvent(4096);
        q.connection = c;
        q.command = "query";
        final byte[] sql = "SELECT c FROM sbtest1 WHERE id=?".getBytes(StandardCharsets.UTF_8);
        q.sql.putBytes(0, sql);
        q.sqlLength = sql.length;
        q.hasDigest = true;
        q.digest = 0x7C3A91F0E2D45B68L;
        q.latencyNanos = 48_123;
        q.ttfbNanos = 41_900;
        q.transferNanos = 6_223;
        q.thinkNanos = 112_345;
        q.rows = 1;
        q.affectedRows = -1;
        q.bytesIn = 41;
        q.bytesOut = 211;
        q.warnings = 0;
        q.serverStatus = ServerStatus.AUTOCOMMIT;
        q.serverStatusKnown = true;
        q.params = -1;
        final long start = Instant.parse("2026-11-23T22:26:45.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789L;

        final CaptureRecordEncoder enc = new CaptureRecordEncoder();
        long sink = 0;
        long i = 0;
        encode(enc, q, start, 0);
        System.out.print("line (" + enc.length() + " bytes): " + new String(enc.buffer(), 0, enc.length(), StandardCharsets.UTF_8));

        // An argument overrides the warm-up, in seconds (quick experiments only).
        final long warmUpNanos = args.length > 0 ? (long) (Double.parseDouble(args[0]) * 1e9) : 5_000_000_000L;
        final long warmEnd = System.nanoTime() + warmUpNanos;
        while (System.nanoTime() < warmEnd) {
            for (int k = 0; k < 100_000; k++, i++) {
                sink += encode(enc, q, start, i);
            }
        }
        final double[] ns = new double[ROUNDS];
        final double[] cpu = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            final long c0 = THREADS.getCurrentThreadCpuTime();
            final long t0 = System.nanoTime();
            for (int k = 0; k < PER_ROUND; k++, i++) {
                sink += encode(enc, q, start, i);
            }
            ns[r] = (double) (System.nanoTime() - t0) / PER_ROUND;
            cpu[r] = (double) (THREADS.getCurrentThreadCpuTime() - c0) / PER_ROUND;
            System.out.printf("round %d: %.1f ns/record wall, %.1f ns/record thread CPU%n", r + 1, ns[r], cpu[r]);
        }
        Arrays.sort(ns);
        Arrays.sort(cpu);
        System.out.printf("best: %.1f ns/record wall, %.1f ns/record thread CPU%n", ns[0], cpu[0]);
        System.out.printf("median: %.1f ns/record wall, %.1f ns/record thread CPU (sink %d)%n", ns[ROUNDS / 2], cpu[ROUNDS / 2], sink);
    }

    private static int encode(final CaptureRecordEncoder enc, final QueryEvent q, final long start, final long i) {
        q.timestampNanos = start + i * STEP_NANOS;
        q.latencyNanos = 40_000 + (i & 0x3FFF);
        q.digest = 0x7C3A91F0E2D45B68L + (i & 7);
        enc.encodeQuery(q);
        return enc.length() + enc.buffer()[enc.length() / 2];
    }
}
