package spyglass.redact;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * Case-insensitive word recognition without Strings: a word of up to {@link #MAX_LENGTH} ASCII
 * letters, digits and underscores is packed into a long (6 bits a character), and the few word
 * sets the lexer needs are sorted arrays of such keys, searched without allocation.
 */
final class Keywords {
    static final int MAX_LENGTH = 10;

    static final long TRUE = key("TRUE");
    static final long FALSE = key("FALSE");
    static final long NULL = key("NULL");
    static final long IN = key("IN");
    static final long VALUES = key("VALUES");
    static final long VALUE = key("VALUE");
    static final long ROW = key("ROW");

    /** After these a sign belongs to the number that follows: {@code WHERE x = -5}, {@code SELECT -1}. */
    private static final long[] VALUE_START = keys(
        "SELECT", "WHERE", "AND", "OR", "NOT", "XOR", "VALUES", "VALUE", "THEN", "ELSE", "WHEN",
        "LIMIT", "OFFSET", "SET", "IN", "BETWEEN", "LIKE", "IS", "DIV", "MOD", "CASE", "ON",
        "HAVING", "INTERVAL", "DEFAULT", "REGEXP", "RLIKE", "ESCAPE", "RETURN", "DISTINCT", "ALL",
        "ANY", "SOME", "SEPARATOR", "UNTIL", "WHILE", "ELSEIF", "IF", "DO", "BY", "EXISTS",
        "AGAINST", "ROW", "SOUNDS", "UNION", "RETURNING");

    /** Statements after which {@code /*+} opens an optimizer hint rather than a comment. */
    private static final long[] HINT_VERBS = keys("SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE");

    /** First words of statements, for re-synchronising on a stream picked up mid-way. */
    private static final long[] STATEMENT_VERBS = keys(
        "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "SET", "SHOW", "BEGIN", "START",
        "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "CREATE", "ALTER", "DROP", "RENAME",
        "TRUNCATE", "CALL", "USE", "WITH", "EXPLAIN", "DESCRIBE", "DESC", "ANALYZE", "OPTIMIZE",
        "REPAIR", "CHECK", "CHECKSUM", "LOCK", "UNLOCK", "GRANT", "REVOKE", "LOAD", "PREPARE",
        "EXECUTE", "DEALLOCATE", "HANDLER", "DO", "XA", "FLUSH", "KILL", "INSTALL", "UNINSTALL",
        "RESET", "PURGE", "CHANGE", "STOP", "BINLOG", "CACHE", "VALUES", "TABLE", "HELP", "SIGNAL",
        "RESIGNAL", "GET");

    /** Character set names that may introduce a literal as {@code _name'...'}, without the underscore. */
    private static final long[] CHARSETS = keys(
        "armscii8", "ascii", "big5", "binary", "cp1250", "cp1251", "cp1256", "cp1257", "cp850",
        "cp852", "cp866", "cp932", "dec8", "eucjpms", "euckr", "gb18030", "gb2312", "gbk", "geostd8",
        "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin1", "latin2", "latin5",
        "latin7", "macce", "macroman", "sjis", "swe7", "tis620", "ucs2", "ujis", "utf16", "utf16le",
        "utf32", "utf8", "utf8mb3", "utf8mb4", "filename");

    private Keywords() {
    }

    /**
     * The key of {@code buffer[start, end)}, case-insensitive, or 0 when the word is empty, longer
     * than {@link #MAX_LENGTH}, or holds a byte other than an ASCII letter, digit or underscore.
     */
    static long pack(DirectBuffer buffer, int start, int end) {
        if (end <= start || end - start > MAX_LENGTH) {
            return 0;
        }
        long key = 0;
        for (int i = start; i < end; i++) {
            final int code = code(buffer.getByte(i));
            if (code == 0) {
                return 0;
            }
            key = (key << 6) | code;
        }
        return key;
    }

    /** As {@link #pack(DirectBuffer, int, int)}, over {@code bytes[start, end)}. */
    static long pack(byte[] bytes, int start, int end) {
        if (end <= start || end - start > MAX_LENGTH) {
            return 0;
        }
        long key = 0;
        for (int i = start; i < end; i++) {
            final int code = CODES[bytes[i] & 0xFF];
            if (code == 0) {
                return 0;
            }
            key = (key << 6) | code;
        }
        return key;
    }

    static boolean isValueStart(long key) {
        return key != 0 && Arrays.binarySearch(VALUE_START, key) >= 0;
    }

    static boolean isHintVerb(long key) {
        return key != 0 && Arrays.binarySearch(HINT_VERBS, key) >= 0;
    }

    static boolean isStatementVerb(long key) {
        return key != 0 && Arrays.binarySearch(STATEMENT_VERBS, key) >= 0;
    }

    static boolean isCharset(long key) {
        return key != 0 && Arrays.binarySearch(CHARSETS, key) >= 0;
    }

    /** {@link #code} of each byte value, indexed by {@code b & 0xFF}. */
    static final byte[] CODES = new byte[256];

    static {
        for (int b = 0; b < 256; b++) {
            CODES[b] = (byte) code((byte) b);
        }
    }

    private static int code(byte b) {
        if (b >= 'a' && b <= 'z') {
            return b - 'a' + 1;
        }
        if (b >= 'A' && b <= 'Z') {
            return b - 'A' + 1;
        }
        if (b >= '0' && b <= '9') {
            return b - '0' + 27;
        }
        return b == '_' ? 37 : 0;
    }

    /** Class-initialisation only. */
    static long key(String word) {
        if (word.isEmpty() || word.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(word);
        }
        long key = 0;
        for (int i = 0; i < word.length(); i++) {
            final int code = code((byte) word.charAt(i));
            if (code == 0) {
                throw new IllegalArgumentException(word);
            }
            key = (key << 6) | code;
        }
        return key;
    }

    private static long[] keys(String... words) {
        final long[] keys = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            keys[i] = key(words[i]);
        }
        Arrays.sort(keys);
        return keys;
    }
}
