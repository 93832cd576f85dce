package spyglass.redact;

import static spyglass.redact.SqlTokenCursor.CLOSE;
import static spyglass.redact.SqlTokenCursor.COMMA;
import static spyglass.redact.SqlTokenCursor.DOT;
import static spyglass.redact.SqlTokenCursor.END;
import static spyglass.redact.SqlTokenCursor.OPEN;
import static spyglass.redact.SqlTokenCursor.QUOTED;
import static spyglass.redact.SqlTokenCursor.SEMICOLON;
import static spyglass.redact.SqlTokenCursor.WORD;
import static spyglass.redact.TableKeywords.*;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The tables a statement names, found in its redacted text: every distinct {@code (schema, table)}
 * after {@code FROM}, the joins, {@code UPDATE}, {@code INSERT/REPLACE [INTO]}, {@code DELETE ... FROM/USING},
 * {@code TABLE(S)} (the statement and DDL), {@code REFERENCES}, {@code DESCRIBE}, {@code SHOW CREATE TABLE},
 * {@code SHOW COLUMNS/INDEX FROM}, {@code CREATE TABLE ... LIKE} and {@code CREATE/DROP INDEX ... ON}, in
 * subqueries, derived tables, unions and common table expressions, whose own names are left out.
 *
 * <p>It runs on the redactor's output, not inside the lexer: the schema collector needs the names once
 * per statement shape (digest), not once per query, and a text with every literal already {@code ?}
 * cannot leak one into a name. It reads tokens with a small state machine, not a grammar: what it does
 * not recognise it skips, and no input makes it throw.
 *
 * <p>Reusable and allocation-free after construction: {@link #extract} overwrites the previous result,
 * whose positions point into the buffer last given to it. A name's position is its token as written,
 * backquotes included; {@link #copyTable} and {@link #copySchema} give the name itself.
 */
public final class TableReferences {
    /** References kept per statement unless told otherwise. */
    public static final int DEFAULT_CAPACITY = 64;

    private static final int MAX_DEPTH = 64;
    private static final int MAX_COMMON_TABLES = 32;
    private static final int ABSENT = -1;

    // ---- states of the token machine
    /** At the start of a statement: its first word decides how the rest is read. */
    private static final int VERB = 0;
    /** Anywhere else: waiting for a word after which tables follow. */
    private static final int SCAN = 1;
    /** Where a table reference stands: a name, a derived table, a parenthesised join. */
    private static final int REF = 2;
    /** After a table reference: its alias, partitions, index hints and lock mode, then more tables or the end. */
    private static final int AFTER_REF = 3;
    /** After the body of a common table expression: another one, or the statement it serves. */
    private static final int CTE_NEXT = 4;
    /** In a statement that names no tables (or whose names were read already), up to its end. */
    private static final int SKIP_STATEMENT = 5;

    private final SqlTokenCursor cursor = new SqlTokenCursor();
    private final int capacity;
    private final int[] schemaStart;
    private final int[] schemaEnd;
    private final int[] tableStart;
    private final int[] tableEnd;
    private int count;
    private int dropped;
    private DirectBuffer input;

    private int state;
    /** Whether the tables expected come after FROM or a join, where {@code name(} is a table function. */
    private boolean fromList;
    private boolean aliasAllowed;

    // ---- the current statement
    private int verb;
    private boolean selectSeen;
    private int statementFirstReference;
    private final int[] commonTableStart = new int[MAX_COMMON_TABLES];
    private final int[] commonTableEnd = new int[MAX_COMMON_TABLES];
    private int commonTables;

    // ---- parentheses: one frame per open parenthesis, frame 0 the statement itself
    private final int[] resume = new int[MAX_DEPTH];
    /** A SELECT is open in the frame, so FROM introduces tables (not {@code TRIM(x FROM y)}). */
    private final boolean[] query = new boolean[MAX_DEPTH];
    /** Tables were named in the frame, so a join after an ON condition introduces more. */
    private final boolean[] tables = new boolean[MAX_DEPTH];
    private int depth;
    /** Parentheses open beyond {@link #MAX_DEPTH}: counted only, and nothing inside them is a table. */
    private int overflow;

    // ---- a name just read: schema (maybe absent) and table
    private int nameSchemaStart;
    private int nameSchemaEnd;
    private int nameTableStart;
    private int nameTableEnd;

    public TableReferences() {
        this(DEFAULT_CAPACITY);
    }

    /** @param capacity how many distinct references one statement keeps; more are counted as {@link #dropped()}. */
    public TableReferences(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        schemaStart = new int[capacity];
        schemaEnd = new int[capacity];
        tableStart = new int[capacity];
        tableEnd = new int[capacity];
    }

    /**
     * Finds the tables named in {@code sql[offset, offset + length)}, a redacted statement (or several,
     * separated by {@code ;}), each distinct {@code (schema, table)} once, in order of first appearance.
     *
     * @return how many references were found and kept ({@link #count()})
     */
    public int extract(final DirectBuffer sql, final int offset, final int length) {
        input = sql;
        count = 0;
        dropped = 0;
        startStatement();
        cursor.wrap(sql, offset, length);
        // Every step consumes a token or moves towards SCAN, which always consumes one: this ends.
        while (cursor.kind() != END) {
            switch (state) {
                case VERB -> verb();
                case REF -> reference();
                case AFTER_REF -> afterReference();
                case CTE_NEXT -> afterCommonTable();
                case SKIP_STATEMENT -> skipStatement();
                default -> scan();
            }
        }
        endStatement();
        return count;
    }

    /** References found by the last {@link #extract}. */
    public int count() {
        return count;
    }

    /** Distinct references the last {@link #extract} found beyond the capacity (a repeated one may count again). */
    public int dropped() {
        return dropped;
    }

    public boolean hasSchema(final int i) {
        return schemaStart[check(i)] != ABSENT;
    }

    /** Where the schema's token starts in the input, or -1 when the reference has no schema. */
    public int schemaOffset(final int i) {
        return schemaStart[check(i)];
    }

    /** The length of the schema's token as written (backquotes included), 0 when absent. */
    public int schemaLength(final int i) {
        return hasSchema(i) ? schemaEnd[i] - schemaStart[i] : 0;
    }

    public boolean schemaQuoted(final int i) {
        return hasSchema(i) && input.getByte(schemaStart[i]) == '`';
    }

    /** Where the table's token starts in the input. */
    public int tableOffset(final int i) {
        return tableStart[check(i)];
    }

    /** The length of the table's token as written (backquotes included). */
    public int tableLength(final int i) {
        return tableEnd[check(i)] - tableStart[i];
    }

    public boolean tableQuoted(final int i) {
        return input.getByte(tableStart[check(i)]) == '`';
    }

    /**
     * Copies the table name itself (no backquotes, a doubled backquote as one) to {@code dst} at
     * {@code dstOffset}; it takes at most {@link #tableLength} bytes.
     *
     * @return the number of bytes written
     */
    public int copyTable(final int i, final MutableDirectBuffer dst, final int dstOffset) {
        return unquote(tableStart[check(i)], tableEnd[i], dst, dstOffset);
    }

    /** As {@link #copyTable}, for the schema; writes nothing and returns 0 when there is none. */
    public int copySchema(final int i, final MutableDirectBuffer dst, final int dstOffset) {
        return hasSchema(i) ? unquote(schemaStart[i], schemaEnd[i], dst, dstOffset) : 0;
    }

    /** The table name as a String, unquoted: for tests and cold paths. */
    public String table(final int i) {
        return string(tableStart[check(i)], tableEnd[i]);
    }

    /** The schema name as a String, unquoted, or null when absent: for tests and cold paths. */
    public String schema(final int i) {
        return hasSchema(i) ? string(schemaStart[i], schemaEnd[i]) : null;
    }

    // ------------------------------------------------------------------ states

    private void verb() {
        final int k = cursor.kind() == WORD ? cursor.keyword() : NONE;
        if (k == INSERT || k == REPLACE) {
            verb = k;
            cursor.advance();
            while (cursor.is(LOW_PRIORITY) || cursor.is(DELAYED) || cursor.is(HIGH_PRIORITY) || cursor.is(IGNORE)) {
                cursor.advance();
            }
            if (cursor.is(INTO)) {
                cursor.advance();
            }
            expectTables(false);
        } else if (k == UPDATE) {
            verb = k;
            cursor.advance();
            while (cursor.is(LOW_PRIORITY) || cursor.is(IGNORE)) {
                cursor.advance();
            }
            expectTables(true);
        } else if (k == DELETE) {
            // The names before FROM (multi-table DELETE) are repeated after it, or are aliases.
            verb = k;
            cursor.advance();
            state = SCAN;
        } else if (k == EXPLAIN || k == DESCRIBE || k == DESC || k == ANALYZE) {
            cursor.advance();
            skipExplainOptions();
            if (k != ANALYZE && cursor.isName()) {
                expectTables(false); // DESCRIBE t [column]
            } else if (cursor.is(FOR)) {
                state = SKIP_STATEMENT; // EXPLAIN FOR CONNECTION n
            }
            // else the explained statement follows: stay in VERB
        } else if (k == TRUNCATE) {
            cursor.advance();
            if (!cursor.is(TABLE)) {
                expectTables(false);
            } else {
                state = SCAN;
            }
        } else if (k == HANDLER) {
            cursor.advance();
            expectTables(false);
        } else if (k == SHOW) {
            cursor.advance();
            show();
            state = SKIP_STATEMENT;
        } else if (k == GRANT || k == REVOKE) {
            state = SKIP_STATEMENT; // privileges name objects, not tables the traffic reads
        } else {
            if (verb == NONE) {
                verb = k;
            }
            state = SCAN;
        }
    }

    private void scan() {
        switch (cursor.kind()) {
            case OPEN -> {
                cursor.advance();
                push(SCAN);
            }
            case CLOSE -> {
                cursor.advance();
                pop();
            }
            case SEMICOLON -> {
                cursor.advance();
                endStatement();
                startStatement();
            }
            case WORD -> word();
            default -> cursor.advance();
        }
    }

    /** A word in SCAN: most mean nothing here; a few say tables follow. */
    private void word() {
        final int k = cursor.keyword();
        cursor.advance();
        if (k == SELECT) {
            if (overflow == 0) {
                query[depth] = true;
                tables[depth] = false; // a new UNION branch: STRAIGHT_JOIN is a select option again
            }
            selectSeen = true;
        } else if (k == FROM) {
            if (overflow == 0 && query[depth]) {
                expectTables(true);
            }
        } else if (k == JOIN || k == STRAIGHT_JOIN) {
            if (overflow == 0 && tables[depth]) {
                expectTables(true); // after an ON condition
            }
        } else if (k == USING) {
            // DELETE FROM t USING t, u; not a join's USING (columns) nor an index's USING BTREE
            if (verb == DELETE && cursor.isName()) {
                expectTables(true);
            }
        } else if (k == TABLE || k == TABLES) {
            if (cursor.isName() || cursor.is(IF)) {
                expectTables(false);
            }
        } else if (k == REFERENCES) {
            expectTables(false);
        } else if (k == LIKE || k == ON) {
            // CREATE TABLE t LIKE u; CREATE INDEX i ON t; CREATE TRIGGER ... ON t (not a join's ON)
            final boolean ddl = verb == CREATE || (verb == DROP && k == ON);
            if (ddl && !selectSeen && cursor.isName()) {
                expectTables(false);
            }
        } else if (k == WITH) {
            if (cursor.is(RECURSIVE)) {
                cursor.advance();
            }
            commonTable();
        }
    }

    private void reference() {
        if (cursor.is(IF)) { // IF [NOT] EXISTS
            cursor.advance();
            if (cursor.is(NOT)) {
                cursor.advance();
            }
            if (cursor.is(EXISTS)) {
                cursor.advance();
            }
        } else if (cursor.is(LATERAL)) {
            cursor.advance();
        } else if (cursor.is(DUAL)) {
            cursor.advance();
            enterAfterReference();
        } else if (cursor.kind() == OPEN) {
            cursor.advance();
            push(AFTER_REF);
            if (overflow == 0) {
                tables[depth] = true;
            }
            if (cursor.is(SELECT) || cursor.is(WITH) || cursor.is(VALUES) || cursor.is(TABLE)) {
                state = SCAN; // a derived table: its tables are found inside
            }
            // else a parenthesised list of tables: stay in REF
        } else if (fromList && cursor.kind() == WORD && cursor.peekKind() == OPEN) {
            // A table function such as JSON_TABLE(...): no table of its own, but an alias and more may follow.
            cursor.advance();
            cursor.advance();
            push(AFTER_REF);
            state = SCAN;
        } else if (cursor.isName()) {
            readName();
            add(nameSchemaStart, nameSchemaEnd, nameTableStart, nameTableEnd);
            enterAfterReference();
        } else {
            state = SCAN;
        }
    }

    private void afterReference() {
        final int kind = cursor.kind();
        if (kind == COMMA || cursor.is(TO)) { // a list; RENAME TABLE a TO b
            cursor.advance();
            state = REF;
            return;
        }
        if (kind == CLOSE) {
            cursor.advance();
            pop();
            return;
        }
        final int k = kind == WORD ? cursor.keyword() : NONE;
        if (k == JOIN || k == STRAIGHT_JOIN) {
            cursor.advance();
            expectTables(true);
        } else if (k == INNER || k == LEFT || k == RIGHT || k == CROSS || k == NATURAL || k == OUTER
            || k == READ || k == WRITE || k == LOCAL || k == LOW_PRIORITY) {
            cursor.advance(); // the start of a join, or a LOCK TABLES mode
            aliasAllowed = false;
        } else if (k == AS) {
            cursor.advance();
            if (cursor.isName()) {
                cursor.advance();
            }
            aliasAllowed = false;
        } else if (k == PARTITION) {
            cursor.advance();
            skipGroup();
        } else if (k == USE || k == FORCE || k == IGNORE) { // index hints: USE INDEX FOR JOIN (i)
            cursor.advance();
            while (cursor.is(INDEX) || cursor.is(KEY) || cursor.is(FOR) || cursor.is(JOIN) || cursor.is(ORDER)
                || cursor.is(GROUP) || cursor.is(BY)) {
                cursor.advance();
            }
            skipGroup();
            aliasAllowed = false;
        } else if (aliasAllowed && cursor.isName()) {
            cursor.advance();
            aliasAllowed = false;
        } else {
            state = SCAN;
        }
    }

    private void afterCommonTable() {
        if (cursor.kind() == COMMA) {
            cursor.advance();
            commonTable();
        } else {
            state = VERB; // the statement the common tables serve: SELECT, UPDATE, DELETE...
        }
    }

    private void skipStatement() {
        if (cursor.kind() == SEMICOLON) {
            scan();
        } else {
            cursor.advance();
        }
    }

    // ------------------------------------------------------------------ pieces

    private void expectTables(final boolean afterFrom) {
        state = REF;
        fromList = afterFrom;
        if (overflow == 0) {
            tables[depth] = true;
        }
    }

    private void enterAfterReference() {
        state = AFTER_REF;
        aliasAllowed = true;
    }

    /**
     * At the name of a common table expression (after WITH or a comma): remembers it and enters its
     * body. WITH not followed by {@code name AS (} or {@code name (} is something else (WITH ROLLUP,
     * WITH READ LOCK, WITH CHECK OPTION) and is left to SCAN.
     */
    private void commonTable() {
        state = SCAN;
        if (!cursor.isName() || !(cursor.peekKind() == OPEN || cursor.peekIs(AS))) {
            return;
        }
        if (overflow == 0) {
            query[depth] = true;
        }
        if (commonTables < MAX_COMMON_TABLES) {
            commonTableStart[commonTables] = cursor.start();
            commonTableEnd[commonTables] = cursor.end();
            commonTables++;
        }
        cursor.advance();
        skipGroup(); // the column names, if any
        if (cursor.is(AS)) {
            cursor.advance();
        }
        if (cursor.kind() == OPEN) {
            cursor.advance();
            push(CTE_NEXT);
        }
    }

    /** SHOW CREATE TABLE t; SHOW [FULL] COLUMNS|FIELDS|INDEX|INDEXES|KEYS FROM|IN t [FROM|IN db]. */
    private void show() {
        while (cursor.is(FULL) || cursor.is(EXTENDED)) {
            cursor.advance();
        }
        if (cursor.is(CREATE) && cursor.peekIs(TABLE)) {
            cursor.advance();
            cursor.advance();
            if (cursor.isName()) {
                readName();
                add(nameSchemaStart, nameSchemaEnd, nameTableStart, nameTableEnd);
            }
            return;
        }
        if (!(cursor.is(COLUMNS) || cursor.is(FIELDS) || cursor.is(INDEX) || cursor.is(INDEXES) || cursor.is(KEYS))) {
            return;
        }
        cursor.advance();
        if (!(cursor.is(FROM) || cursor.is(IN))) {
            return;
        }
        cursor.advance();
        if (!cursor.isName()) {
            return;
        }
        readName();
        if (nameSchemaStart == ABSENT && (cursor.is(FROM) || cursor.is(IN)) && cursor.peekIsAnyName()) {
            cursor.advance();
            nameSchemaStart = cursor.start();
            nameSchemaEnd = cursor.end();
            cursor.advance();
        }
        add(nameSchemaStart, nameSchemaEnd, nameTableStart, nameTableEnd);
    }

    /** EXPLAIN/DESCRIBE/ANALYZE options: EXTENDED, PARTITIONS, ANALYZE, FORMAT = name. */
    private void skipExplainOptions() {
        while (true) {
            if (cursor.is(EXTENDED) || cursor.is(PARTITIONS) || cursor.is(ANALYZE)) {
                cursor.advance();
            } else if (cursor.is(FORMAT) && cursor.peekIsByte('=')) {
                cursor.advance();
                cursor.advance();
                if (cursor.kind() == WORD) {
                    cursor.advance();
                }
            } else {
                return;
            }
        }
    }

    /** At a name: reads {@code name} or {@code schema.name} (any word after the dot) into the name fields. */
    private void readName() {
        final int firstStart = cursor.start();
        final int firstEnd = cursor.end();
        cursor.advance();
        if (cursor.kind() == DOT && cursor.peekIsAnyName()) {
            cursor.advance();
            nameSchemaStart = firstStart;
            nameSchemaEnd = firstEnd;
            nameTableStart = cursor.start();
            nameTableEnd = cursor.end();
            cursor.advance();
        } else {
            nameSchemaStart = ABSENT;
            nameSchemaEnd = ABSENT;
            nameTableStart = firstStart;
            nameTableEnd = firstEnd;
        }
    }

    /** At {@code (}: past the balanced group, or up to the end of the statement if it is not closed. */
    private void skipGroup() {
        if (cursor.kind() != OPEN) {
            return;
        }
        int level = 0;
        do {
            final int kind = cursor.kind();
            if (kind == END || kind == SEMICOLON) {
                return;
            }
            level += kind == OPEN ? 1 : kind == CLOSE ? -1 : 0;
            cursor.advance();
        } while (level > 0);
    }

    private void push(final int resumeState) {
        if (overflow > 0 || depth == MAX_DEPTH - 1) {
            overflow++;
            return;
        }
        depth++;
        resume[depth] = resumeState;
        query[depth] = false;
        tables[depth] = false;
    }

    /** At {@code )}: back to the state the parenthesis was opened in (a stray one is ignored). */
    private void pop() {
        if (overflow > 0) {
            overflow--;
            state = SCAN;
        } else if (depth > 0) {
            state = resume[depth];
            aliasAllowed = true; // (SELECT ...) AS d
            depth--;
        } else {
            state = SCAN;
        }
    }

    private void startStatement() {
        state = VERB;
        verb = NONE;
        selectSeen = false;
        statementFirstReference = count;
        commonTables = 0;
        depth = 0;
        overflow = 0;
        query[0] = true; // FROM at the statement's own level: SELECT, DELETE, SHOW...
        tables[0] = false;
    }

    /** Leaves out the statement's references that name one of its common tables. */
    private void endStatement() {
        if (commonTables == 0) {
            return;
        }
        int kept = statementFirstReference;
        for (int i = statementFirstReference; i < count; i++) {
            if (schemaStart[i] != ABSENT || !isCommonTable(tableStart[i], tableEnd[i])) {
                schemaStart[kept] = schemaStart[i];
                schemaEnd[kept] = schemaEnd[i];
                tableStart[kept] = tableStart[i];
                tableEnd[kept] = tableEnd[i];
                kept++;
            }
        }
        count = kept;
    }

    /**
     * Case-insensitively: a common table named {@code c} shadows a table {@code C} whatever the server's
     * {@code lower_case_table_names}, and asking the server for a table that is not one costs more than
     * missing one so oddly named.
     */
    private boolean isCommonTable(final int start, final int end) {
        for (int c = 0; c < commonTables; c++) {
            if (sameName(start, end, commonTableStart[c], commonTableEnd[c], true)) {
                return true;
            }
        }
        return false;
    }

    private void add(final int sStart, final int sEnd, final int tStart, final int tEnd) {
        for (int i = 0; i < count; i++) {
            final boolean sameSchema = sStart == ABSENT
                ? schemaStart[i] == ABSENT
                : schemaStart[i] != ABSENT && sameName(sStart, sEnd, schemaStart[i], schemaEnd[i], false);
            if (sameSchema && sameName(tStart, tEnd, tableStart[i], tableEnd[i], false)) {
                return;
            }
        }
        if (count == capacity) {
            dropped++;
            return;
        }
        schemaStart[count] = sStart;
        schemaEnd[count] = sEnd;
        tableStart[count] = tStart;
        tableEnd[count] = tEnd;
        count++;
    }

    /** Whether two name tokens (each plain or backquoted) spell the same name once unquoted. */
    private boolean sameName(final int aStart, final int aEnd, final int bStart, final int bEnd, final boolean ignoreCase) {
        final boolean aQuoted = input.getByte(aStart) == '`';
        final boolean bQuoted = input.getByte(bStart) == '`';
        int a = aQuoted ? aStart + 1 : aStart;
        int b = bQuoted ? bStart + 1 : bStart;
        final int aLimit = aQuoted ? aEnd - 1 : aEnd;
        final int bLimit = bQuoted ? bEnd - 1 : bEnd;
        while (a < aLimit && b < bLimit) {
            final int x = input.getByte(a) & 0xFF;
            final int y = input.getByte(b) & 0xFF;
            if (x != y && !(ignoreCase && lower(x) == lower(y))) {
                return false;
            }
            a += aQuoted && x == '`' ? 2 : 1; // a doubled backquote stands for one
            b += bQuoted && y == '`' ? 2 : 1;
        }
        return a >= aLimit && b >= bLimit;
    }

    private static int lower(final int b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    private int unquote(final int start, final int end, final MutableDirectBuffer dst, final int dstOffset) {
        if (input.getByte(start) != '`') {
            dst.putBytes(dstOffset, input, start, end - start);
            return end - start;
        }
        int n = 0;
        for (int i = start + 1; i < end - 1; i++) {
            final byte b = input.getByte(i);
            dst.putByte(dstOffset + n++, b);
            if (b == '`') {
                i++; // a doubled backquote stands for one
            }
        }
        return n;
    }

    private String string(final int start, final int end) {
        final byte[] bytes = new byte[end - start];
        final int n = unquote(start, end, new UnsafeBuffer(bytes), 0);
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private int check(final int i) {
        return Objects.checkIndex(i, count);
    }
}
