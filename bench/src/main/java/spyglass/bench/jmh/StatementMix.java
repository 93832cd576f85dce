package spyglass.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A fixed workload of SQL statements, packed back to back in one array: statement {@code i} is
 * {@code bytes[offset(i), offset(i) + length(i))}. Built from a fixed seed, so the benchmark and
 * the pt-fingerprint baseline ({@link DumpMix}) see byte-identical statements.
 *
 * <p>Two workloads:
 * <ul>
 * <li>{@code point}: sysbench's {@code oltp_point_select} alone, {@code SELECT c FROM sbtestN WHERE id=N}.
 * <li>{@code mix}: what a busy OLTP server sees. Half of it is sysbench's {@code oltp_read_write}
 *     (its nine shapes in its proportions: ten point selects to one of each range select, two
 *     updates, a delete and an insert, with random numbers and sysbench's 119- and 59-character
 *     strings); the other half is ORM and application SQL: Hibernate-style selects, inserts and
 *     updates with comments, IN lists, a reporting join, JSON functions, hex and charset
 *     literals, strings with backslash escapes and doubled quotes, 10-row INSERTs and, once in
 *     twenty cycles, a 100-row INSERT of about 10 KB.
 * </ul>
 *
 * <p>No statement starts with a comment and none holds {@code ;\n}: pt-fingerprint splits its input
 * on {@code ;\n} and silently skips a statement that does not start with a word character, so
 * either would make the baseline do less work than spyglass.
 */
public final class StatementMix {
    /** Statements in each workload. */
    public static final int STATEMENTS = 8192;

    private final String name;
    private final byte[] bytes;
    private final int[] offsets;
    private final int[] lengths;
    private final int maxLength;

    private StatementMix(String name, byte[][] statements) {
        int total = 0;
        int max = 0;
        for (byte[] s : statements) {
            total += s.length;
            max = Math.max(max, s.length);
        }
        this.name = name;
        this.bytes = new byte[total];
        this.offsets = new int[statements.length];
        this.lengths = new int[statements.length];
        this.maxLength = max;
        int at = 0;
        for (int i = 0; i < statements.length; i++) {
            System.arraycopy(statements[i], 0, bytes, at, statements[i].length);
            offsets[i] = at;
            lengths[i] = statements[i].length;
            at += statements[i].length;
        }
    }

    /** The workload called {@code name}: {@code mix} or {@code point}. */
    public static StatementMix named(String name) {
        return switch (name) {
            case "mix" -> mix(43, STATEMENTS);
            case "point" -> point(42, STATEMENTS);
            default -> throw new IllegalArgumentException("no workload " + name + " (mix, point)");
        };
    }

    public static StatementMix point(long seed, int count) {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            out[i] = utf8("SELECT c FROM sbtest" + (1 + random.nextInt(4)) + " WHERE id=" + (1 + random.nextInt(10000)));
        }
        return new StatementMix("point", out);
    }

    public static StatementMix mix(long seed, int count) {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            out[i] = utf8(mixStatement(random, i));
        }
        return new StatementMix("mix", out);
    }

    public String name() {
        return name;
    }

    public int count() {
        return offsets.length;
    }

    /** Bytes of SQL in the whole workload, separators not counted. */
    public int totalBytes() {
        return bytes.length;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The packed statements; do not modify. */
    public byte[] bytes() {
        return bytes;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    private static String mixStatement(SplittableRandom random, int i) {
        final String t = "sbtest" + (1 + random.nextInt(4));
        final int id = 1 + random.nextInt(10000);
        // A cycle of 40: slots 0-17 are one oltp_read_write transaction (10 point selects, 4 range
        // selects, 2 updates, delete, insert), slots 18-19 pad sysbench to half the mix, and
        // slots 20-39 are application SQL.
        return switch (i % 40) {
            case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 18, 19 -> "SELECT c FROM " + t + " WHERE id=" + id;
            case 10 -> "SELECT c FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99);
            case 11 -> "SELECT SUM(k) FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99);
            case 12 -> "SELECT c FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99) + " ORDER BY c";
            case 13 -> "SELECT DISTINCT c FROM " + t + " WHERE id BETWEEN " + id + " AND " + (id + 99) + " ORDER BY c";
            case 14 -> "UPDATE " + t + " SET k=k+1 WHERE id=" + id;
            case 15 -> "UPDATE " + t + " SET c='" + sysbenchString(random, 10) + "' WHERE id=" + id;
            case 16 -> "DELETE FROM " + t + " WHERE id=" + id;
            case 17 -> "INSERT INTO " + t + " (id, k, c, pad) VALUES (" + id + ", " + random.nextInt(10000)
                + ", '" + sysbenchString(random, 10) + "', '" + sysbenchString(random, 5) + "')";
            case 20, 30 -> "select user0_.id as id1_4_0_, user0_.created_at as created_2_4_0_, user0_.email as email3_4_0_, "
                + "user0_.name as name4_4_0_, user0_.status as status5_4_0_ from users user0_ where user0_.email='"
                + "user" + id + "@example.com' and user0_.status='ACTIVE'";
            case 21, 31 -> "select /* load com.example.Order */ order0_.id as id1_2_, order0_.total as total2_2_ from "
                + "orders order0_ where order0_.customer_id in (" + inList(random, id, 3 + random.nextInt(6))
                + ") and order0_.created_at >= '2024-01-0" + (1 + random.nextInt(9)) + " 00:00:00' "
                + "order by order0_.created_at desc limit 50";
            case 22 -> "insert into customer (created_at, email, name, note, status, version, id) values ('2024-0"
                + (1 + random.nextInt(9)) + "-1" + random.nextInt(10) + " 12:34:56.789', 'user" + id
                + "@example.com', '" + name(random) + "', '" + note(random) + "', 'ACTIVE', 0, " + (100000 + id) + ")";
            case 23 -> "update orders set status='PAID', total=" + random.nextInt(100000) + "." + random.nextInt(100)
                + ", version=" + (1 + random.nextInt(20)) + " where id=" + id + " and version=" + random.nextInt(20);
            case 24, 34 -> "SELECT o.id, o.status, SUM(l.qty * l.price) AS amount FROM orders o JOIN order_lines l ON "
                + "l.order_id = o.id WHERE o.customer_id = " + id + " AND o.status IN ('NEW', 'PAID', 'SHIPPED') "
                + "AND o.created_at BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY o.id, o.status "
                + "HAVING amount > 100.50 ORDER BY amount DESC LIMIT 20";
            case 25 -> multiRowInsert(random, 10);
            case 26 -> "SELECT p.id, p.name, p.price FROM products p WHERE p.id IN (" + inList(random, id, 50)
                + ") AND p.deleted = FALSE";
            case 27 -> "UPDATE profiles SET settings = JSON_SET(settings, '$.theme', 'dark', '$.lang', 'en-GB'), "
                + "updated_at = NOW() WHERE user_id = " + id + " AND settings->>'$.theme' <> 'dark'";
            case 28 -> "INSERT INTO sessions (token, user_id, ip, agent, expires_at) VALUES (0x"
                + hex(random, 32) + ", " + id + ", _binary'" + (10 + random.nextInt(200)) + ".0.0." + random.nextInt(256)
                + "', _utf8mb4'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/" + (100 + random.nextInt(30))
                + ".0', NOW() + INTERVAL 30 MINUTE) ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at)";
            case 29 -> "SELECT COUNT(*) FROM events WHERE user_id = " + id + " AND kind = 'login' AND created_at > "
                + "'2024-06-01' -- dashboard widget " + random.nextInt(100);
            case 32 -> "SELECT id, name FROM customers WHERE name LIKE '" + name(random).substring(0, 3)
                + "%' AND score >= -1.5e3 AND balance < .5 ORDER BY name LIMIT 25 OFFSET " + random.nextInt(1000);
            case 33 -> "DELETE FROM sessions WHERE expires_at < '2024-06-0" + (1 + random.nextInt(9)) + " 00:00:00' LIMIT 1000";
            case 35 -> (i / 40) % 20 == 0 ? multiRowInsert(random, 100) : multiRowInsert(random, 10);
            case 36 -> "SELECT `order`.id, `order`.`status` FROM `shop`.`order` WHERE `order`.customer_id = " + id
                + " AND `order`.created_at >= DATE_SUB(NOW(), INTERVAL 7 DAY)";
            case 37 -> "update customer set name='" + name(random) + "', note='" + note(random) + "', version="
                + (1 + random.nextInt(20)) + " where id=" + (100000 + id) + " and version=" + random.nextInt(20);
            case 38 -> "SELECT c FROM " + t + " WHERE id IN (" + inList(random, id, 10) + ")";
            default -> "select count(*) as col_0_0_ from orders order0_ where order0_.status=? and order0_.customer_id=?";
        };
    }

    private static String inList(SplittableRandom random, int first, int n) {
        final StringBuilder b = new StringBuilder().append(first);
        for (int k = 1; k < n; k++) {
            b.append(", ").append(1 + random.nextInt(100000));
        }
        return b.toString();
    }

    private static String multiRowInsert(SplittableRandom random, int rows) {
        final StringBuilder b = new StringBuilder("INSERT INTO events (user_id, kind, payload, created_at) VALUES ");
        for (int r = 0; r < rows; r++) {
            b.append(r == 0 ? "" : ", ").append('(').append(random.nextInt(100000)).append(", '")
                .append(KINDS[random.nextInt(KINDS.length)]).append("', '");
            switch (random.nextInt(4)) {
                case 0 -> b.append(sysbenchString(random, 3));
                case 1 -> b.append("{\\\"page\\\": \\\"/cart/").append(random.nextInt(1000))
                    .append("\\\", \\\"ref\\\": \\\"it''s\\\"}");
                case 2 -> b.append(note(random));
                default -> b.append("C:\\\\Users\\\\").append(name(random)).append("\\\\file").append(random.nextInt(99));
            }
            b.append("', NOW())");
        }
        return b.toString();
    }

    private static final String[] KINDS = {"click", "view", "purchase", "login"};
    private static final String[] NAMES = {"O\\'Brien", "D''Arcy", "Müller", "Smith", "García", "Nguyen", "Ødegård"};

    private static String name(SplittableRandom random) {
        return NAMES[random.nextInt(NAMES.length)];
    }

    /** Free text with an escaped newline, tab and quote, as drivers send it. */
    private static String note(SplittableRandom random) {
        return "line one\\nline two\\tcol " + random.nextInt(1000) + " \\\"quoted\\\" and it''s";
    }

    private static String hex(SplittableRandom random, int digits) {
        final StringBuilder b = new StringBuilder(digits);
        for (int k = 0; k < digits; k++) {
            b.append(Character.forDigit(random.nextInt(16), 16));
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
