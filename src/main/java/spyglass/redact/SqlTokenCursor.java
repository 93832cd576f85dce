package spyglass.redact;

import org.agrona.DirectBuffer;

/**
 * A cursor over the tokens of a SQL text, with one token of lookahead, for {@link TableReferences}.
 * It only tells apart what table extraction needs: words (with their {@link TableKeywords} id),
 * backquoted names, dots, commas, parentheses and semicolons; everything else is {@link #OTHER}.
 *
 * <p>It skips what carries no structure: whitespace, comments (hints {@code /*+ ... *}{@code /} whole,
 * as a table named in a hint is not a table the statement reads), the markers of executable comments
 * ({@code /*!50001} and its closing {@code *}{@code /}: their content is SQL), and quoted strings, which a
 * redacted text does not hold but arbitrary input may. Any byte string is read to its end without
 * error; an unclosed or empty backquote is {@link #OTHER}, never a name.
 */
final class SqlTokenCursor {
    static final int END = 0;
    /** Letters, digits, {@code _}, {@code $} and non-ASCII bytes, not all digits. */
    static final int WORD = 1;
    /** A closed, non-empty backquoted name, backquotes included. */
    static final int QUOTED = 2;
    static final int DOT = 3;
    static final int COMMA = 4;
    static final int OPEN = 5;
    static final int CLOSE = 6;
    static final int SEMICOLON = 7;
    static final int OTHER = 8;

    private DirectBuffer buffer;
    private int limit;
    private int position;
    private boolean inExecutableComment;

    // The current token.
    private int kind;
    private int start;
    private int end;
    private int keyword;

    // The token after it.
    private int nextKind;
    private int nextStart;
    private int nextEnd;
    private int nextKeyword;

    /** Starts over on {@code buffer[offset, offset + length)}; the first token is then current. */
    void wrap(final DirectBuffer buffer, final int offset, final int length) {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        this.inExecutableComment = false;
        lex();
        advance();
    }

    /** Moves to the next token. */
    void advance() {
        kind = nextKind;
        start = nextStart;
        end = nextEnd;
        keyword = nextKeyword;
        lex();
    }

    int kind() {
        return kind;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    /** The keyword id of the current word, or {@link TableKeywords#NONE}. */
    int keyword() {
        return keyword;
    }

    /** Whether the current token is the word with this keyword id. */
    boolean is(final int keywordId) {
        return kind == WORD && keyword == keywordId;
    }

    /** Whether the current token can be an unquoted or backquoted table name where a name may stand. */
    boolean isName() {
        return kind == QUOTED || (kind == WORD && !TableKeywords.reserved(keyword));
    }

    int peekKind() {
        return nextKind;
    }

    boolean peekIs(final int keywordId) {
        return nextKind == WORD && nextKeyword == keywordId;
    }

    /** Whether the token after the current one is a name (any word or backquoted name, as after a dot). */
    boolean peekIsAnyName() {
        return nextKind == WORD || nextKind == QUOTED;
    }

    /** Whether the token after the current one is the single byte {@code b} (an operator such as {@code =}). */
    boolean peekIsByte(final char b) {
        return nextKind == OTHER && nextEnd - nextStart == 1 && buffer.getByte(nextStart) == b;
    }

    private void lex() {
        while (position < limit) {
            final int b = buffer.getByte(position) & 0xFF;
            if (b <= ' ') {
                position++;
            } else if (b == '#' || (b == '-' && at(position + 1) == '-' && (position + 2 >= limit || at(position + 2) <= ' '))) {
                skipLine();
            } else if (b == '/' && at(position + 1) == '*') {
                openComment();
            } else if (b == '*' && inExecutableComment && at(position + 1) == '/') {
                position += 2;
                inExecutableComment = false;
            } else {
                token(b);
                return;
            }
        }
        set(END, limit, limit);
    }

    private void token(final int b) {
        final int from = position;
        if (wordByte(b)) {
            boolean digitsOnly = true;
            for (int c = b; wordByte(c); c = at(++position)) {
                digitsOnly &= c >= '0' && c <= '9';
            }
            set(digitsOnly ? OTHER : WORD, from, position);
            if (!digitsOnly) {
                nextKeyword = TableKeywords.lookup(buffer, from, position);
            }
        } else if (b == '`') {
            final boolean closed = skipBackquoted();
            set(closed && position - from > 2 ? QUOTED : OTHER, from, position); // `` names nothing
        } else if (b == '\'' || b == '"') {
            skipString(b);
            set(OTHER, from, position);
        } else if (b == '@' || b == ':') {
            skipVariable();
            set(OTHER, from, position);
        } else {
            position++;
            set(switch (b) {
                case '.' -> DOT;
                case ',' -> COMMA;
                case '(' -> OPEN;
                case ')' -> CLOSE;
                case ';' -> SEMICOLON;
                default -> OTHER;
            }, from, position);
        }
    }

    private void set(final int tokenKind, final int from, final int to) {
        nextKind = tokenKind;
        nextStart = from;
        nextEnd = to;
        nextKeyword = TableKeywords.NONE;
    }

    /** The byte at {@code index} as 0..255, or -1 past the end. */
    private int at(final int index) {
        return index < limit ? buffer.getByte(index) & 0xFF : -1;
    }

    private static boolean wordByte(final int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '$'
            || b >= 0x80;
    }

    private void skipLine() {
        while (position < limit && at(position) != '\n') {
            position++;
        }
    }

    /** At {@code /*}: an executable comment's marker and version, or a whole comment or hint. */
    private void openComment() {
        final int marker = at(position + 2);
        final boolean mariaDb = marker == 'M' && at(position + 3) == '!';
        if (marker == '!' || mariaDb) {
            position += mariaDb ? 4 : 3;
            while (position < limit && at(position) >= '0' && at(position) <= '9') {
                position++;
            }
            inExecutableComment = true;
            return;
        }
        position += 2;
        while (position < limit && !(at(position) == '*' && at(position + 1) == '/')) {
            position++;
        }
        position = Math.min(limit, position + 2);
    }

    /** Past a backquoted name; false when it is not closed (then everything after it is consumed). */
    private boolean skipBackquoted() {
        position++;
        while (position < limit) {
            if (at(position) == '`') {
                if (at(position + 1) != '`') {
                    position++;
                    return true;
                }
                position++; // a doubled backquote stands for one
            }
            position++;
        }
        return false;
    }

    private void skipString(final int quote) {
        position++;
        while (position < limit) {
            final int c = at(position);
            if (c == '\\') {
                position += 2;
            } else if (c == quote) {
                if (at(position + 1) != quote) {
                    position++;
                    return;
                }
                position += 2;
            } else {
                position++;
            }
        }
        position = limit;
    }

    /** {@code @v}, {@code @@session.x}, {@code @`v`}, {@code :name}: a variable or placeholder, never a name. */
    private void skipVariable() {
        position++;
        if (at(position) == '@') {
            position++;
        }
        while (position < limit) {
            final int c = at(position);
            if (wordByte(c) || c == '.') {
                position++;
            } else if (c == '`') {
                skipBackquoted();
            } else if (c == '\'' || c == '"') {
                skipString(c);
            } else {
                return;
            }
        }
    }
}
