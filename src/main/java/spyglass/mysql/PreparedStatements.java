package spyglass.mysql;

/**
 * The prepared statements of one worker's connections: for each (connection, statement id), the
 * redacted text of the statement that was prepared, its digest, its parameter count. A
 * {@code COM_STMT_EXECUTE} carries only the id; this is where its text comes from.
 *
 * <p>Bounded and allocation-free once made: a fixed pool of entries, an open-addressing index over
 * them (linear probing, deletion by backward shift, so no tombstones pile up), and the texts in one
 * ring of bytes. When the pool is full a new statement is not remembered (counted); when the ring
 * wraps over an old text, that statement's executions keep their digest and parameter count but not
 * their text (counted). Each connection chains its own entries, so closing it, or
 * {@code COM_RESET_CONNECTION}, frees them all at once. A connection is named by a serial that is
 * never reused, so a pooled connection object cannot inherit another's statements.
 */
final class PreparedStatements {
    static final int DEFAULT_MAX_STATEMENTS = 1 << 15;
    static final int DEFAULT_TEXT_BYTES = 4 << 20;
    /** No entry: an empty chain, or a statement not found. */
    static final int NONE = -1;

    private final long[] keys;
    private final long[] digests;
    private final int[] params;
    private final boolean[] truncated;
    private final long[] textAt;
    private final int[] textLength;
    private final int[] next;
    private final int[] previous;
    private final int[] free;
    private int freeCount;

    /** Entry + 1 per slot, 0 for an empty slot. */
    private final int[] index;
    private final int mask;

    private final byte[] texts;
    /** Bytes ever written to the ring: a text is still there while fewer than its size came after it. */
    private long textsWritten;

    private long remembered;
    private long refusedFull;
    private long textsOverwritten;

    PreparedStatements() {
        this(DEFAULT_MAX_STATEMENTS, DEFAULT_TEXT_BYTES);
    }

    PreparedStatements(final int maxStatements, final int textBytes) {
        keys = new long[maxStatements];
        digests = new long[maxStatements];
        params = new int[maxStatements];
        truncated = new boolean[maxStatements];
        textAt = new long[maxStatements];
        textLength = new int[maxStatements];
        next = new int[maxStatements];
        previous = new int[maxStatements];
        free = new int[maxStatements];
        for (int i = 0; i < maxStatements; i++) {
            free[i] = maxStatements - 1 - i;
        }
        freeCount = maxStatements;
        index = new int[Integer.highestOneBit(Math.max(2, 2 * maxStatements - 1)) << 1];
        mask = index.length - 1;
        texts = new byte[textBytes];
    }

    private static long key(final long connection, final long statementId) {
        return connection << 32 | (statementId & 0xFFFF_FFFFL);
    }

    private int home(final long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 29;
        return (int) h & mask;
    }

    /**
     * Remembers statement {@code statementId} of {@code connection}, whose chain starts at {@code head},
     * replacing one of the same id; returns the chain's new head (unchanged when the pool is full).
     */
    int add(final int head, final long connection, final long statementId, final byte[] text, final int length,
            final long digest, final boolean cut, final int parameterCount) {
        final long key = key(connection, statementId);
        int chain = head;
        final int old = find(connection, statementId);
        if (old != NONE) {
            chain = remove(chain, old);
        }
        if (freeCount == 0) {
            refusedFull++;
            return chain;
        }
        final int e = free[--freeCount];
        keys[e] = key;
        digests[e] = digest;
        params[e] = parameterCount;
        truncated[e] = cut;
        if (length >= 0 && length <= texts.length) {
            textAt[e] = textsWritten;
            textLength[e] = length;
            final int at = (int) (textsWritten % texts.length);
            final int first = Math.min(length, texts.length - at);
            System.arraycopy(text, 0, texts, at, first);
            System.arraycopy(text, first, texts, 0, length - first);
            textsWritten += length;
        } else {
            textLength[e] = -1;
        }
        int slot = home(key);
        while (index[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        index[slot] = e + 1;
        previous[e] = NONE;
        next[e] = chain;
        if (chain != NONE) {
            previous[chain] = e;
        }
        remembered++;
        return e;
    }

    /** The entry of {@code statementId} on {@code connection}, or {@link #NONE}. */
    int find(final long connection, final long statementId) {
        final long key = key(connection, statementId);
        for (int slot = home(key); index[slot] != 0; slot = (slot + 1) & mask) {
            final int e = index[slot] - 1;
            if (keys[e] == key) {
                return e;
            }
        }
        return NONE;
    }

    /** Forgets {@code entry} (from the chain at {@code head}); returns the chain's new head. */
    int remove(final int head, final int entry) {
        unindex(entry);
        final int before = previous[entry];
        final int after = next[entry];
        if (after != NONE) {
            previous[after] = before;
        }
        if (before != NONE) {
            next[before] = after;
        }
        free[freeCount++] = entry;
        return entry == head ? after : head;
    }

    /** Forgets every statement of the chain at {@code head}: its connection closed or was reset. */
    void removeAll(final int head) {
        int e = head;
        while (e != NONE) {
            final int after = next[e];
            unindex(e);
            free[freeCount++] = e;
            e = after;
        }
    }

    private void unindex(final int entry) {
        int hole = home(keys[entry]);
        while (index[hole] != entry + 1) {
            hole = (hole + 1) & mask;
        }
        // Backward shift: an entry further along the probe run moves into the hole unless its home
        // lies cyclically after the hole, where a lookup would no longer pass the hole to find it.
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (index[j] == 0) {
                break;
            }
            final int h = home(keys[index[j] - 1]);
            final boolean staysPut = hole <= j ? hole < h && h <= j : hole < h || h <= j;
            if (!staysPut) {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
    }

    long digest(final int entry) {
        return digests[entry];
    }

    int parameterCount(final int entry) {
        return params[entry];
    }

    boolean truncated(final int entry) {
        return truncated[entry];
    }

    /** The length of the entry's text as it was stored, -1 when it was not. */
    int textLength(final int entry) {
        return textLength[entry];
    }

    /**
     * Copies the entry's text into {@code dst} (which holds it: texts are at most the statement cap)
     * and returns its length, or -1 when the ring has since written over it.
     */
    int text(final int entry, final byte[] dst) {
        final int length = textLength[entry];
        if (length < 0 || textsWritten - textAt[entry] > texts.length) {
            if (length >= 0) {
                textsOverwritten++;
            }
            return -1;
        }
        final int at = (int) (textAt[entry] % texts.length);
        final int first = Math.min(length, texts.length - at);
        System.arraycopy(texts, at, dst, 0, first);
        System.arraycopy(texts, 0, dst, first, length - first);
        return length;
    }

    /** Statements remembered since the start. */
    long remembered() {
        return remembered;
    }

    /** Statements not remembered because every entry was in use. */
    long refusedFull() {
        return refusedFull;
    }

    /** Executions whose text the ring had written over. */
    long textsOverwritten() {
        return textsOverwritten;
    }

    /** Entries in use now. */
    int size() {
        return keys.length - freeCount;
    }
}
