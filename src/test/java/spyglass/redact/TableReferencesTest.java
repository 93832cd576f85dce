package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redacted statement and the exact references expected, in order of first appearance, written
 * {@code table} or {@code schema.table}; a name that is not a plain word is written backquoted
 * ({@code `my table`}, {@code `a``b`}) so that the list is unambiguous.
 */
class TableReferencesTest {
    static final String[][] CASES = {
        // ---- sysbench oltp_read_write
        {"SELECT c FROM sbtest1 WHERE id=?", "sbtest1"},
        {"SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c", "sbtest1"},
        {"SELECT DISTINCT c FROM sbtest3 WHERE id BETWEEN ? AND ? ORDER BY c", "sbtest3"},
        {"SELECT SUM(k) FROM sbtest4 WHERE id BETWEEN ? AND ?", "sbtest4"},
        {"UPDATE sbtest2 SET k=k+? WHERE id=?", "sbtest2"},
        {"UPDATE sbtest1 SET c=? WHERE id=?", "sbtest1"},
        {"DELETE FROM sbtest1 WHERE id=?", "sbtest1"},
        {"INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)", "sbtest1"},
        {"BEGIN", ""},
        {"COMMIT", ""},

        // ---- Hibernate
        {"select u1_0.id,u1_0.email,u1_0.name from users u1_0 where u1_0.email=?", "users"},
        {"select o1_0.id,o1_0.total,u1_0.id,u1_0.name from orders o1_0 left join users u1_0 on u1_0.id=o1_0.user_id "
            + "where o1_0.id=?", "orders, users"},
        {"insert into users (email,name,id) values (?,?,?)", "users"},
        {"update users set email=?,name=? where id=?", "users"},
        {"delete from users where id=?", "users"},
        {"select user0_.id as id1_0_, user0_.name as name2_0_ from users user0_ where user0_.id in "
            + "(select o1_.user_id from orders o1_ where o1_.total>?) limit ?", "users, orders"},
        {"select next_val as id_val from hibernate_sequence for update", "hibernate_sequence"},
        {"update hibernate_sequence set next_val= ? where next_val=?", "hibernate_sequence"},
        {"select count(*) from users u1_0 join user_roles r1_0 on u1_0.id=r1_0.user_id join roles r1_1 "
            + "on r1_1.id=r1_0.role_id", "users, user_roles, roles"},
        {"select u1_0.id from users u1_0 where u1_0.id=? limit ? offset ?", "users"},

        // ---- FROM lists and aliases
        {"SELECT * FROM a, b", "a, b"},
        {"SELECT * FROM a x, b AS y WHERE x.id = y.id", "a, b"},
        {"SELECT * FROM a x, b AS y, `c` z", "a, b, c"},

        // ---- joins of every kind
        {"SELECT * FROM a INNER JOIN b ON a.id = b.id LEFT JOIN c USING (id) RIGHT OUTER JOIN d ON d.x = c.x "
            + "CROSS JOIN e NATURAL JOIN f STRAIGHT_JOIN g ON g.y = f.y", "a, b, c, d, e, f, g"},
        {"SELECT * FROM a NATURAL LEFT OUTER JOIN b", "a, b"},
        {"SELECT * FROM a JOIN b JOIN c ON b.x = c.x ON a.x = b.x", "a, b, c"},
        {"SELECT * FROM a LEFT JOIN (b, c) ON (b.x = a.x AND c.y = a.y)", "a, b, c"},
        {"SELECT * FROM (a JOIN b ON a.x = b.x) JOIN c ON c.y = a.y", "a, b, c"},
        {"SELECT * FROM a JOIN b ON b.id = (SELECT MAX(id) FROM c) JOIN d ON d.id = b.id", "a, b, c, d"},
        {"SELECT STRAIGHT_JOIN a.x FROM t1 a, t2 b", "t1, t2"},

        // ---- UPDATE
        {"UPDATE a, b SET a.x = b.x WHERE a.id = b.id", "a, b"},
        {"UPDATE LOW_PRIORITY IGNORE t SET x = ?", "t"},
        {"UPDATE a JOIN b ON a.id = b.id SET a.x = ?", "a, b"},
        {"UPDATE t SET x = (SELECT MAX(y) FROM u) WHERE id IN (SELECT id FROM v)", "t, u, v"},

        // ---- INSERT and REPLACE
        {"INSERT LOW_PRIORITY IGNORE INTO t (a) VALUES (?)", "t"},
        {"INSERT DELAYED t VALUES (?)", "t"},
        {"INSERT HIGH_PRIORITY INTO db.t SET a = ?", "db.t"},
        {"REPLACE INTO t (a, b) VALUES (?, ?)", "t"},
        {"REPLACE t SELECT * FROM u", "t, u"},
        {"INSERT INTO t(a,b) VALUES (?,?) ON DUPLICATE KEY UPDATE b = VALUES(b)", "t"},
        {"INSERT INTO t VALUES (?) AS new ON DUPLICATE KEY UPDATE a = new.a", "t"},
        {"INSERT INTO t (a) SELECT x FROM u WHERE y IN (SELECT y FROM v)", "t, u, v"},
        {"INSERT INTO t PARTITION (p0) VALUES (?)", "t"},
        {"INSERT INTO t TABLE u", "t, u"},

        // ---- DELETE, one table and many
        {"DELETE LOW_PRIORITY QUICK IGNORE FROM t WHERE id = ?", "t"},
        {"DELETE a FROM a JOIN b ON a.id = b.id WHERE b.x = ?", "a, b"},
        {"DELETE a, b FROM a INNER JOIN b INNER JOIN c WHERE a.id = b.id AND b.id = c.id", "a, b, c"},
        {"DELETE FROM a USING a, b WHERE a.id = b.id", "a, b"},
        {"DELETE FROM a USING a JOIN b ON a.id = b.id", "a, b"},
        {"DELETE x FROM a AS x WHERE x.id = ?", "a"},

        // ---- the TABLE statement
        {"TABLE t", "t"},
        {"TABLE db.t ORDER BY a LIMIT ?", "db.t"},
        {"TABLE a UNION TABLE b", "a, b"},

        // ---- DDL and table maintenance
        {"CREATE TABLE t (id INT PRIMARY KEY, c VARCHAR(?))", "t"},
        {"CREATE TEMPORARY TABLE IF NOT EXISTS db.t (a INT)", "db.t"},
        {"CREATE TABLE t LIKE u", "t, u"},
        {"CREATE TABLE t (LIKE u)", "t, u"},
        {"CREATE TABLE t AS SELECT * FROM u JOIN v ON u.id = v.id", "t, u, v"},
        {"CREATE TABLE c (id INT, p INT, FOREIGN KEY (p) REFERENCES parent (id) ON DELETE CASCADE)", "c, parent"},
        {"CREATE VIEW v AS SELECT a FROM t", "t"},
        {"CREATE TABLE t (a INT, INDEX i (a) USING HASH) ENGINE=MEMORY", "t"},
        {"ALTER TABLE t ADD COLUMN c INT, ADD INDEX i (c)", "t"},
        {"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES db.parent(id)", "t, db.parent"},
        {"DROP TABLE IF EXISTS a, db.b, `c`", "a, db.b, c"},
        {"DROP TEMPORARY TABLE t", "t"},
        {"TRUNCATE TABLE t", "t"},
        {"TRUNCATE t", "t"},
        {"RENAME TABLE a TO b, db.c TO db.d", "a, b, db.c, db.d"},
        {"ANALYZE TABLE a, b", "a, b"},
        {"ANALYZE NO_WRITE_TO_BINLOG TABLE t", "t"},
        {"OPTIMIZE LOCAL TABLE t", "t"},
        {"CHECK TABLE a, b FOR UPGRADE", "a, b"},
        {"REPAIR TABLE t QUICK", "t"},
        {"CHECKSUM TABLE t", "t"},
        {"CREATE INDEX i ON t (c)", "t"},
        {"CREATE UNIQUE INDEX i USING BTREE ON db.t (c)", "db.t"},
        {"DROP INDEX i ON t", "t"},
        {"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.c = ?", "t"},
        {"LOAD DATA LOCAL INFILE ? IGNORE INTO TABLE t FIELDS TERMINATED BY ? IGNORE ? LINES", "t"},

        // ---- LOCK and FLUSH
        {"LOCK TABLES t READ, t2 WRITE", "t, t2"},
        {"LOCK TABLE t AS x READ LOCAL, db.u LOW_PRIORITY WRITE", "t, db.u"},
        {"UNLOCK TABLES", ""},
        {"FLUSH TABLES a, b WITH READ LOCK", "a, b"},
        {"FLUSH TABLES WITH READ LOCK", ""},

        // ---- DESCRIBE, EXPLAIN, ANALYZE
        {"DESCRIBE t", "t"},
        {"DESC db.t", "db.t"},
        {"EXPLAIN t", "t"},
        {"DESCRIBE t c", "t"},
        {"EXPLAIN SELECT * FROM t WHERE id = ?", "t"},
        {"EXPLAIN FORMAT=JSON SELECT * FROM t", "t"},
        {"EXPLAIN ANALYZE SELECT * FROM t", "t"},
        {"EXPLAIN EXTENDED UPDATE t SET a = ?", "t"},
        {"ANALYZE FORMAT=JSON SELECT * FROM t", "t"},
        {"EXPLAIN FOR CONNECTION ?", ""},

        // ---- SHOW
        {"SHOW CREATE TABLE t", "t"},
        {"SHOW CREATE TABLE `db`.`t`", "db.t"},
        {"SHOW COLUMNS FROM t", "t"},
        {"SHOW FULL COLUMNS FROM t FROM db", "db.t"},
        {"SHOW INDEX FROM t IN db", "db.t"},
        {"SHOW KEYS IN db.t WHERE Non_unique = ?", "db.t"},
        {"SHOW FIELDS FROM t LIKE ?", "t"},
        {"SHOW TABLES FROM db", ""},
        {"SHOW TABLE STATUS FROM db LIKE ?", ""},
        {"SHOW TABLES", ""},
        {"SHOW CREATE VIEW v", ""},
        {"SHOW VARIABLES LIKE ?", ""},

        // ---- subqueries and derived tables
        {"SELECT a FROM t WHERE x IN (SELECT id FROM t2)", "t, t2"},
        {"SELECT (SELECT COUNT(*) FROM u WHERE u.t_id = t.id) AS n FROM t", "u, t"},
        {"SELECT * FROM t WHERE EXISTS (SELECT ? FROM u WHERE u.id = t.id)", "t, u"},
        {"SELECT d.x FROM (SELECT x FROM t) AS d", "t"},
        {"SELECT * FROM (SELECT x FROM t) d, u", "t, u"},
        {"SELECT * FROM a JOIN (SELECT id FROM b) AS bb ON bb.id = a.id", "a, b"},
        {"SELECT * FROM (SELECT * FROM (SELECT * FROM t) x) y", "t"},
        {"SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.id = a.id) AS l", "a, b"},
        {"SET @x = (SELECT a FROM t LIMIT ?)", "t"},

        // ---- common table expressions
        {"WITH c AS (SELECT a FROM t) SELECT a FROM c", "t"},
        {"WITH RECURSIVE r (n) AS (SELECT ? UNION ALL SELECT n + ? FROM r WHERE n < ?) SELECT * FROM r", ""},
        {"WITH a AS (SELECT * FROM t1), b AS (SELECT * FROM a JOIN t2 ON a.id = t2.id) "
            + "SELECT * FROM b JOIN t3 ON b.id = t3.id", "t1, t2, t3"},
        {"WITH c AS (SELECT id FROM t) UPDATE u JOIN c ON c.id = u.id SET u.x = ?", "t, u"},
        {"WITH c AS (SELECT id FROM t) DELETE FROM u WHERE id IN (SELECT id FROM c)", "t, u"},
        {"WITH c AS (SELECT id FROM t) DELETE FROM u USING u, c WHERE u.id = c.id", "t, u"},
        {"WITH c AS (SELECT ? AS x) SELECT * FROM db.c", "db.c"},
        {"WITH C AS (SELECT ?) SELECT * FROM c", ""},
        {"WITH c AS (SELECT ?) SELECT * FROM c; SELECT * FROM c", "c"},
        {"SELECT a FROM t GROUP BY a WITH ROLLUP", "t"},

        // ---- UNION and friends
        {"SELECT a FROM t1 UNION SELECT a FROM t2 UNION ALL SELECT a FROM db.t3", "t1, t2, db.t3"},
        {"(SELECT a FROM t1) UNION (SELECT a FROM t2) ORDER BY a", "t1, t2"},
        {"SELECT a FROM t1 EXCEPT SELECT a FROM t2", "t1, t2"},

        // ---- schema qualifiers
        {"SELECT * FROM db.t", "db.t"},
        {"SELECT * FROM `db`.`t`", "db.t"},
        {"SELECT * FROM db.`t`", "db.t"},
        {"SELECT * FROM `db`.t", "db.t"},
        {"SELECT * FROM db . t", "db.t"},
        {"SELECT * FROM db.2019_sales", "db.2019_sales"},
        {"SELECT * FROM 2fa_codes", "2fa_codes"},
        {"SELECT * FROM db.order", "db.order"},

        // ---- backquoted names
        {"SELECT * FROM `my table`", "`my table`"},
        {"SELECT * FROM `a.b`", "`a.b`"},
        {"SELECT * FROM `db.x`.`t.y`", "`db.x`.`t.y`"},
        {"SELECT * FROM `名前` JOIN tâble ON ?", "名前, tâble"},
        {"SELECT * FROM `a``b`", "`a``b`"},
        {"SELECT * FROM ```` JOIN `` ON ?", "````"},
        {"SELECT * FROM `order` JOIN `group` ON `order`.g = `group`.id", "order, group"},
        {"INSERT INTO `select` (`from`) VALUES (?)", "select"},

        // ---- not tables
        {"SELECT ? FROM DUAL", ""},
        {"SELECT ?", ""},
        {"SELECT a INTO @v FROM t", "t"},
        {"SELECT a FROM t INTO @v", "t"},
        {"SELECT a FROM t INTO OUTFILE ?", "t"},
        {"SELECT a INTO DUMPFILE ? FROM t", "t"},
        {"SELECT * FROM json_table(?, ? COLUMNS (id INT PATH ?)) AS jt", ""},
        {"SELECT * FROM t, JSON_TABLE(t.j, ? COLUMNS (x INT PATH ?)) AS jt, u", "t, u"},
        {"SELECT * FROM t PARTITION (p0, p1) WHERE a = ?", "t"},
        {"SELECT * FROM t PARTITION (p0) AS x JOIN u ON u.id = x.id", "t, u"},
        {"SELECT * FROM t USE INDEX (i) WHERE a = ?", "t"},
        {"SELECT * FROM t FORCE INDEX (PRIMARY) JOIN u IGNORE KEY FOR JOIN (k) ON u.id = t.id", "t, u"},
        {"SELECT * FROM t AS x USE INDEX FOR ORDER BY (i1, i2) ORDER BY a", "t"},
        {"SELECT TRIM(LEADING ? FROM name) FROM t", "t"},
        {"SELECT EXTRACT(YEAR FROM d), SUBSTRING(s FROM ? FOR ?) FROM t", "t"},
        {"SELECT a FROM t FOR UPDATE OF t SKIP LOCKED", "t"},
        {"SELECT a FROM t LOCK IN SHARE MODE", "t"},
        {"CALL p(?)", ""},
        {"GRANT SELECT ON db.t TO ?@?", ""},
        {"SELECT @from, :table FROM t", "t"},

        // ---- comments, hints, executable comments
        {"SELECT /*+ BKA(t2) */ a FROM t1 /* */ JOIN t2 ON t1.id = t2.id # \n WHERE ? --\n", "t1, t2"},
        {"SELECT /*! STRAIGHT_JOIN */ a FROM t1, t2", "t1, t2"},
        {"/*!40101 SELECT a FROM t */", "t"},
        {"SELECT * FROM t1 /*!50001 JOIN t2 ON t1.id = t2.id */ WHERE ?", "t1, t2"},
        {"SELECT * FROM t1 /*M!100101 , t2 */", "t1, t2"},

        // ---- case, duplicates, several statements
        {"select * from A join B on a.x = b.x", "A, B"},
        {"SeLeCt * FrOm t", "t"},
        {"SELECT * FROM t JOIN t AS t2 ON t.id = t2.p JOIN `t` t3 ON ?", "t"},
        {"SELECT * FROM db.t, t, `db`.`t`", "db.t, t"},
        {"SELECT * FROM a; SELECT * FROM b;", "a, b"},
        {"SHOW TABLES; SELECT * FROM a", "a"},
        {"GRANT SELECT ON t TO u; DELETE FROM a", "a"},

        // ---- more shapes
        {"INSERT INTO t SELECT * FROM u UNION SELECT * FROM v", "t, u, v"},
        {"SELECT * FROM t1 AS a JOIN t2 AS b USING (id) WHERE a.x = ANY (SELECT x FROM t3)", "t1, t2, t3"},
        {"DELETE FROM t WHERE id IN (SELECT id FROM (SELECT id FROM t2) x)", "t, t2"},
        {"INSERT INTO t (a) VALUES (?) ON DUPLICATE KEY UPDATE a = (SELECT x FROM u)", "t, u"},
        {"SELECT a, ROW_NUMBER() OVER w FROM t WINDOW w AS (ORDER BY a)", "t"},
        {"HANDLER t OPEN", "t"},
    };

    static Stream<Arguments> cases() {
        return Stream.of(CASES).map(c -> Arguments.of(c[0], c[1]));
    }

    private final TableReferences refs = new TableReferences();

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findsExactlyTheTables(final String sql, final String expected) {
        assertEquals(expected, extract(refs, sql));
        assertEquals(0, refs.dropped());
    }

    @Test
    void positionsPointIntoTheInputAtItsOffset() {
        final String sql = "SELECT * FROM `db`.`a``b` JOIN c ON ?";
        final byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        final byte[] padded = new byte[text.length + 10];
        System.arraycopy(text, 0, padded, 7, text.length);
        final UnsafeBuffer in = new UnsafeBuffer(padded);

        assertEquals(2, refs.extract(in, 7, text.length));
        assertTrue(refs.hasSchema(0));
        assertEquals(7 + sql.indexOf("`db`"), refs.schemaOffset(0));
        assertEquals(4, refs.schemaLength(0));
        assertTrue(refs.schemaQuoted(0));
        assertEquals(7 + sql.indexOf("`a``b`"), refs.tableOffset(0));
        assertEquals(6, refs.tableLength(0));
        assertTrue(refs.tableQuoted(0));

        final UnsafeBuffer out = new UnsafeBuffer(new byte[32]);
        assertEquals(3, refs.copyTable(0, out, 5));
        assertEquals("a`b", out.getStringWithoutLengthUtf8(5, 3));
        assertEquals(2, refs.copySchema(0, out, 0));
        assertEquals("db", out.getStringWithoutLengthUtf8(0, 2));

        assertFalse(refs.hasSchema(1));
        assertEquals(-1, refs.schemaOffset(1));
        assertEquals(0, refs.schemaLength(1));
        assertFalse(refs.schemaQuoted(1));
        assertNull(refs.schema(1));
        assertEquals(0, refs.copySchema(1, out, 0));
        assertEquals(7 + sql.indexOf(" c ") + 1, refs.tableOffset(1));
        assertEquals(1, refs.tableLength(1));
        assertFalse(refs.tableQuoted(1));
        assertEquals(1, refs.copyTable(1, out, 0));
        assertEquals("c", refs.table(1));
    }

    @Test
    void unicodeNamesAreCopiedAsTheirBytes() {
        final String sql = "SELECT * FROM `sch€ma`.`ta ble😀`";
        extract(refs, sql);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
        final int n = refs.copyTable(0, out, 0);
        assertEquals("ta ble😀", out.getStringWithoutLengthUtf8(0, n));
        assertEquals("sch€ma", refs.schema(0));
    }

    @Test
    void moreReferencesThanTheCapacityAreCountedAsDropped() {
        final StringBuilder sql = new StringBuilder("SELECT * FROM t0");
        for (int i = 1; i < 70; i++) {
            sql.append(", t").append(i);
        }
        extract(refs, sql.toString());
        assertEquals(TableReferences.DEFAULT_CAPACITY, refs.count());
        assertEquals(6, refs.dropped());
        assertEquals("t63", refs.table(63));

        final TableReferences two = new TableReferences(2);
        assertEquals("a, b", extract(two, "SELECT * FROM a JOIN b ON ? JOIN a ON ? JOIN c ON ? JOIN d ON ?"));
        assertEquals(2, two.dropped());
    }

    @Test
    void eachExtractionStartsAfresh() {
        extract(refs, "SELECT * FROM a, b, c");
        assertEquals("x", extract(refs, "UPDATE x SET y = ?"));
        assertEquals("", extract(refs, "SELECT ?"));
        assertEquals(0, refs.count());
    }

    @Test
    void accessorsRefuseIndexesPastTheCount() {
        extract(refs, "SELECT * FROM a");
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> refs.tableOffset(1));
    }

    @Test
    void deepNestingAndUnbalancedParenthesesAreSkipped() {
        final String deep = "SELECT * FROM a WHERE x IN " + "(".repeat(200) + "SELECT y FROM b" + ")".repeat(200)
            + " AND z IN (SELECT z FROM c)";
        assertEquals("a, c", extract(refs, deep));
        assertEquals("a, b", extract(refs, "SELECT * FROM a)))) JOIN b ON ? WHERE ((( x"));
        assertEquals("a", extract(refs, "SELECT * FROM a WHERE `unclosed FROM b"));
    }

    @Test
    void extractingAllocatesNothingAfterWarmUp() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final UnsafeBuffer[] inputs = new UnsafeBuffer[CASES.length];
        for (int i = 0; i < CASES.length; i++) {
            inputs[i] = new UnsafeBuffer(CASES[i][0].getBytes(StandardCharsets.UTF_8));
        }
        final TableReferences extractor = new TableReferences();
        final UnsafeBuffer out = new UnsafeBuffer(new byte[256]);
        final int statements = 50_000;

        long sink = run(extractor, inputs, out, statements);
        sink += run(extractor, inputs, out, statements);
        final long before = threads.getCurrentThreadAllocatedBytes();
        sink += run(extractor, inputs, out, statements);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertNotEquals(0, sink);
        assertTrue(allocated < statements, "allocated " + allocated + " bytes for " + statements + " statements");
    }

    private static long run(final TableReferences extractor, final UnsafeBuffer[] inputs, final UnsafeBuffer out,
                            final int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            final UnsafeBuffer in = inputs[i % inputs.length];
            final int n = extractor.extract(in, 0, in.capacity());
            for (int r = 0; r < n; r++) {
                sink += extractor.copyTable(r, out, 0) + extractor.copySchema(r, out, 128);
                sink += extractor.tableOffset(r) + extractor.schemaLength(r) + (extractor.tableQuoted(r) ? 1 : 0);
            }
            sink += n + extractor.dropped();
        }
        return sink;
    }

    // ------------------------------------------------------------------ helpers

    /** Extracts and renders the references as "t, db.t, `odd name`". */
    static String extract(final TableReferences refs, final String sql) {
        final byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        final int n = refs.extract(new UnsafeBuffer(bytes), 0, bytes.length);
        assertEquals(n, refs.count());
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final String table = render(refs.table(i));
            names.add(refs.hasSchema(i) ? render(refs.schema(i)) + "." + table : table);
        }
        return String.join(", ", names);
    }

    private static String render(final String name) {
        return name.matches("[\\p{L}\\p{N}_$]+") ? name : "`" + name.replace("`", "``") + "`";
    }
}
