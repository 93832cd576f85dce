package spyglass.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import spyglass.redact.SqlRedactor;

/**
 * Throughput of {@link SqlRedactor#redact} on short statements, single thread.
 *
 * <pre>
 *   mvn -o -q test-compile
 *   java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *     -cp target/classes:target/test-classes:AGRONA spyglass.bench.RedactBench [point|mix|both] [warmupSeconds] [roundSeconds]
 * </pre>
 *
 * Two workloads: "point" is sysbench's point select alone ({@code SELECT c FROM sbtest1 WHERE
 * id=N}, what {@code oltp_point_select} sends); "mix" is sysbench's nine oltp_read_write shapes
 * with random numbers and 120-character strings (half the statements are point selects, as in
 * oltp_read_write), plus a few Hibernate-style and longer statements. Each workload is warmed up
 * (5 s), then timed for 5 rounds; the median round is printed, by the thread's CPU time (steadier
 * than wall time on a shared machine) and by wall time. Run one workload per JVM for figures to
 * compare: the JIT compiles for what it saw first. Not a unit test: a tool run by hand.
 */
public final class RedactBench {
    private static final int STATEMENTS = 8192;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private RedactBench() {
    }

    public static void main(String[] args) {
        final String which = args.length > 0 ? args[0] : "both";
        final double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        final double round = args.length > 2 ? Double.parseDouble(args[2]) : 2;
        if (which.equals("point") || which.equals("both")) {
            run("point", point(new SplittableRandom(42)), warmup, round);
        }
        if (which.equals("mix") || which.equals("both")) {
            run("mix", mix(new SplittableRandom(43)), warmup, round);
        }
    }

    private static void run(String name, List<byte[]> statements, double warmupSeconds, double roundSeconds) {
        int total = 0;
        for (byte[] s : statements) {
            total += s.length;
        }
        final byte[] all = new byte[total];
        final int[] offsets = new int[statements.size()];
        final int[] lengths = new int[statements.size()];
        int at = 0;
        for (int i = 0; i < statements.size(); i++) {
            final byte[] s = statements.get(i);
            System.arraycopy(s, 0, all, at, s.length);
            offsets[i] = at;
            lengths[i] = s.length;
            at += s.length;
        }
        final UnsafeBuffer src = new UnsafeBuffer(all);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[64 * 1024]);
        final SqlRedactor redactor = new SqlRedactor();

        long sink = 0;
        final long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmupEnd) {
            sink += pass(redactor, src, offsets, lengths, dst);
        }
        final double[] cpuNs = new double[5];
        final double[] wallNs = new double[5];
        for (int r = 0; r < 5; r++) {
            final long roundNanos = (long) (roundSeconds * 1e9);
            final long start = System.nanoTime();
            final long cpuStart = THREADS.getCurrentThreadCpuTime();
            long passes = 0;
            long now;
            do {
                sink += pass(redactor, src, offsets, lengths, dst);
                passes++;
                now = System.nanoTime();
            } while (now - start < roundNanos);
            final double cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
            cpuNs[r] = cpu / (passes * offsets.length);
            wallNs[r] = (double) (now - start) / (passes * offsets.length);
        }
        Arrays.sort(cpuNs);
        Arrays.sort(wallNs);
        final double bytesPerStatement = (double) total / offsets.length;
        System.out.printf("%-5s %5d statements, %5.1f bytes avg | cpu: median %6.1f ns/statement %6.1f MB/s"
                + " (rounds %.1f..%.1f) | wall: median %6.1f ns/statement %6.1f MB/s  [sink %d]%n",
            name, offsets.length, bytesPerStatement, cpuNs[2], bytesPerStatement / cpuNs[2] * 1e3,
            cpuNs[0], cpuNs[4], wallNs[2], bytesPerStatement / wallNs[2] * 1e3, sink & 0xF);
    }

    private static long pass(SqlRedactor redactor, UnsafeBuffer src, int[] offsets, int[] lengths, UnsafeBuffer dst) {
        long sink = 0;
        for (int i = 0; i < offsets.length; i++) {
            sink += redactor.redact(src, offsets[i], lengths[i], dst, 0, dst.capacity());
            sink ^= redactor.digest();
        }
        return sink;
    }

    private static List<byte[]> point(SplittableRandom random) {
        final List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < STATEMENTS; i++) {
            out.add(bytes("SELECT c FROM sbtest" + (1 + random.nextInt(4)) + " WHERE id=" + (1 + random.nextInt(10000))));
        }
        return out;
    }

    private static List<byte[]> mix(SplittableRandom random) {
        final List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < STATEMENTS; i++) {
            final String t = "sbtest" + (1 + random.nextInt(4));
            final int id = 1 + random.nextInt(10000);
            final int k = (i % 20);
            final String sql = switch (k) {
                case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 -> "SELECT c FROM " + t + " WHERE id=" + id;
                case 10 -> "SELECT c FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99);
                case 11 -> "SELECT SUM(k) FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99);
                case 12 -> "SELECT c FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99) + " ORDER BY c";
                case 13 -> "SELECT DISTINCT c FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99)
                    + " ORDER BY c";
                case 14 -> "UPDATE " + t + " SET k=k+1 WHERE id=" + id;
                case 15 -> "UPDATE " + t + " SET c='" + sysbenchString(random, 10) + "' WHERE id=" + id;
                case 16 -> "DELETE FROM " + t + " WHERE id=" + id;
                case 17 -> "INSERT INTO " + t + " (id, k, c, pad) VALUES (" + id + ", " + random.nextInt(10000)
                    + ", '" + sysbenchString(random, 10) + "', '" + sysbenchString(random, 5) + "')";
                case 18 -> (i & 1) == 0
                    ? "select user0_.id as id1_4_0_, user0_.created_at as created_2_4_0_, user0_.email as email3_4_0_, "
                        + "user0_.name as name4_4_0_, user0_.status as status5_4_0_ from users user0_ where user0_.email='"
                        + "user" + id + "@example.com' and user0_.status='ACTIVE'"
                    : "/* load com.example.Order */ select order0_.id as id1_2_, order0_.total as total2_2_ from "
                        + "orders order0_ where order0_.customer_id in (" + id + ", " + (id + 7) + ", " + (id + 13)
                        + ") and order0_.created_at >= '2024-01-0" + (1 + random.nextInt(9)) + " 00:00:00' "
                        + "order by order0_.created_at desc limit 50";
                default -> (i & 1) == 0
                    ? multiRowInsert(random, 10)
                    : "SELECT o.id, o.status, SUM(l.qty * l.price) AS amount FROM orders o JOIN order_lines l ON "
                        + "l.order_id = o.id WHERE o.customer_id = " + id + " AND o.status IN ('NEW', 'PAID', 'SHIPPED') "
                        + "AND o.created_at BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY o.id, o.status "
                        + "HAVING amount > 100.50 ORDER BY amount DESC LIMIT 20";
            };
            out.add(bytes(sql));
        }
        return out;
    }

    private static String multiRowInsert(SplittableRandom random, int rows) {
        final StringBuilder b = new StringBuilder("INSERT INTO events (user_id, kind, payload, created_at) VALUES ");
        for (int r = 0; r < rows; r++) {
            b.append(r == 0 ? "" : ", ").append('(').append(random.nextInt(100000)).append(", 'click', '")
                .append(sysbenchString(random, 3)).append("', NOW())");
        }
        return b.toString();
    }

    /** sysbench's c/pad values: groups of 11 digits joined by '-' (c: 10 groups, 119 chars; pad: 5 groups, 59). */
    private static String sysbenchString(SplittableRandom random, int groups) {
        final StringBuilder b = new StringBuilder();
        for (int g = 0; g < groups; g++) {
            if (g > 0) {
                b.append('-');
            }
            for (int d = 0; d < 11; d++) {
                b.append((char) ('0' + random.nextInt(10)));
            }
        }
        return b.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
