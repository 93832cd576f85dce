package spyglass.redact;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * The words {@link TableReferences} reacts to, each with a small int id, looked up case-insensitively
 * from the bytes of a word without allocating (an open-addressing table built once).
 *
 * <p>Words marked reserved are ones MySQL and MariaDB both reserve: unquoted, they can be neither a
 * table name nor an alias, so meeting one where a name could stand ends the table reference. The set
 * is deliberately not the whole reserved list of either server: a word one server reserves and the
 * other does not (MySQL 8's {@code RANK}, {@code ROWS}, {@code SYSTEM}...) may be a real table name on
 * the other, and losing a table costs more than misreading invalid SQL.
 */
final class TableKeywords {
    /** No keyword: an ordinary word. */
    static final int NONE = 0;

    private static final int MAX_WORDS = 256;
    private static final byte[][] NAMES = new byte[MAX_WORDS][];
    private static final boolean[] RESERVED = new boolean[MAX_WORDS];
    private static int defined = 1; // id 0 is NONE

    // Statement verbs.
    static final int SELECT = reserved("SELECT");
    static final int INSERT = reserved("INSERT");
    static final int REPLACE = reserved("REPLACE");
    static final int UPDATE = reserved("UPDATE");
    static final int DELETE = reserved("DELETE");
    static final int CREATE = reserved("CREATE");
    static final int DROP = reserved("DROP");
    static final int SHOW = reserved("SHOW");
    static final int EXPLAIN = reserved("EXPLAIN");
    static final int DESCRIBE = reserved("DESCRIBE");
    static final int DESC = reserved("DESC");
    static final int ANALYZE = reserved("ANALYZE");
    static final int GRANT = reserved("GRANT");
    static final int REVOKE = reserved("REVOKE");
    static final int TRUNCATE = word("TRUNCATE");
    static final int HANDLER = word("HANDLER");

    // Where tables follow.
    static final int FROM = reserved("FROM");
    static final int JOIN = reserved("JOIN");
    static final int STRAIGHT_JOIN = reserved("STRAIGHT_JOIN");
    static final int USING = reserved("USING");
    static final int INTO = reserved("INTO");
    static final int TABLE = reserved("TABLE");
    static final int TABLES = word("TABLES");
    static final int REFERENCES = reserved("REFERENCES");
    static final int LIKE = reserved("LIKE");
    static final int ON = reserved("ON");
    static final int TO = reserved("TO");
    static final int WITH = reserved("WITH");
    static final int RECURSIVE = reserved("RECURSIVE");
    static final int AS = reserved("AS");
    static final int VALUES = reserved("VALUES");

    // Around a table reference.
    static final int INNER = reserved("INNER");
    static final int LEFT = reserved("LEFT");
    static final int RIGHT = reserved("RIGHT");
    static final int CROSS = reserved("CROSS");
    static final int NATURAL = reserved("NATURAL");
    static final int OUTER = reserved("OUTER");
    static final int DUAL = reserved("DUAL");
    static final int LATERAL = reserved("LATERAL");
    static final int PARTITION = reserved("PARTITION");
    static final int USE = reserved("USE");
    static final int IGNORE = reserved("IGNORE");
    static final int FORCE = reserved("FORCE");
    static final int INDEX = reserved("INDEX");
    static final int KEY = reserved("KEY");
    static final int FOR = reserved("FOR");
    static final int ORDER = reserved("ORDER");
    static final int GROUP = reserved("GROUP");
    static final int BY = reserved("BY");
    static final int READ = reserved("READ");
    static final int WRITE = reserved("WRITE");
    static final int LOCAL = word("LOCAL");
    static final int LOW_PRIORITY = reserved("LOW_PRIORITY");
    static final int HIGH_PRIORITY = reserved("HIGH_PRIORITY");
    static final int DELAYED = reserved("DELAYED");
    static final int QUICK = word("QUICK");
    static final int IF = reserved("IF");
    static final int NOT = reserved("NOT");
    static final int EXISTS = reserved("EXISTS");

    // SHOW and EXPLAIN.
    static final int FULL = word("FULL");
    static final int EXTENDED = word("EXTENDED");
    static final int PARTITIONS = word("PARTITIONS");
    static final int FORMAT = word("FORMAT");
    static final int COLUMNS = word("COLUMNS");
    static final int FIELDS = word("FIELDS");
    static final int INDEXES = word("INDEXES");
    static final int KEYS = reserved("KEYS");
    static final int IN = reserved("IN");

    static {
        // Reserved words with no role of their own here: they only end a table reference.
        for (final String w : new String[] {
            "WHERE", "SET", "HAVING", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "AND", "OR", "XOR", "NULL",
            "IS", "REGEXP", "RLIKE", "BETWEEN", "DEFAULT", "CASE", "WHEN", "THEN", "ELSE", "DISTINCT", "DISTINCTROW",
            "ALL", "ALTER", "ADD", "RENAME", "CHANGE", "LOCK", "UNLOCK", "OUTFILE", "CHECK", "CONSTRAINT", "PRIMARY",
            "FOREIGN", "UNIQUE", "TRUE", "FALSE", "INTERVAL", "ASC", "OPTIMIZE", "TRIGGER", "PROCEDURE", "FUNCTION",
            "DATABASE", "SCHEMA", "CALL", "LOAD", "DIV", "MOD", "MATCH", "SQL_CALC_FOUND_ROWS", "SQL_SMALL_RESULT",
            "SQL_BIG_RESULT", "RETURNING", "COLLATE", "CHARACTER", "NO_WRITE_TO_BINLOG", "LINES", "INFILE",
            "STARTING", "TERMINATED", "ENCLOSED", "ESCAPED", "OPTIONALLY", "LEADING", "TRAILING", "BOTH",
        }) {
            reserved(w);
        }
    }

    private static final int SLOTS = 1024; // a power of two, at least four times the word count
    private static final short[] SLOT_IDS = buildSlots();

    /** Words longer than this are never keywords (the longest here is {@code SQL_CALC_FOUND_ROWS}). */
    private static final int MAX_LENGTH = 20;

    private TableKeywords() {
    }

    /** The id of the word {@code buffer[start, end)}, case-insensitive, or {@link #NONE}. */
    static int lookup(final DirectBuffer buffer, final int start, final int end) {
        final int length = end - start;
        if (length <= 0 || length > MAX_LENGTH) {
            return NONE;
        }
        int hash = 0;
        for (int i = start; i < end; i++) {
            final int b = buffer.getByte(i) & 0xFF;
            if (b >= 0x80) {
                return NONE;
            }
            hash = hash * 31 + upper(b);
        }
        for (int slot = spread(hash); ; slot = (slot + 1) & (SLOTS - 1)) {
            final int id = SLOT_IDS[slot];
            if (id == NONE) {
                return NONE;
            }
            if (matches(NAMES[id], buffer, start, length)) {
                return id;
            }
        }
    }

    /** Whether the word with this id can be neither an unquoted table name nor an alias. */
    static boolean reserved(final int id) {
        return RESERVED[id];
    }

    /** The upper-case name of a keyword id, for diagnostics. */
    static String name(final int id) {
        return id == NONE ? "" : new String(NAMES[id], StandardCharsets.US_ASCII);
    }

    private static boolean matches(final byte[] name, final DirectBuffer buffer, final int start, final int length) {
        if (name.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (upper(buffer.getByte(start + i) & 0xFF) != name[i]) {
                return false;
            }
        }
        return true;
    }

    private static int upper(final int b) {
        return b >= 'a' && b <= 'z' ? b - ('a' - 'A') : b;
    }

    private static int spread(final int hash) {
        return (hash ^ (hash >>> 11) ^ (hash >>> 19)) & (SLOTS - 1);
    }

    private static int word(final String name) {
        final int id = defined++;
        NAMES[id] = name.getBytes(StandardCharsets.US_ASCII);
        return id;
    }

    private static int reserved(final String name) {
        final int id = word(name);
        RESERVED[id] = true;
        return id;
    }

    private static short[] buildSlots() {
        if (defined * 4 > SLOTS) {
            throw new IllegalStateException("too many keywords for " + SLOTS + " slots");
        }
        final short[] slots = new short[SLOTS];
        for (int id = 1; id < defined; id++) {
            int hash = 0;
            for (final byte b : NAMES[id]) {
                hash = hash * 31 + b;
            }
            int slot = spread(hash);
            while (slots[slot] != NONE) {
                if (java.util.Arrays.equals(NAMES[slots[slot]], NAMES[id])) {
                    throw new IllegalStateException("keyword defined twice: " + name(id));
                }
                slot = (slot + 1) & (SLOTS - 1);
            }
            slots[slot] = (short) id;
        }
        return slots;
    }
}
