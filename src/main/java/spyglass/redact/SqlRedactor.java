package spyglass.redact;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Redacts one MySQL/MariaDB statement and fingerprints it, in one pass over its UTF-8 bytes.
 *
 * <p>One instance per worker thread, reused: after construction {@link #redact} allocates nothing.
 * The lexer is an explicit state machine over bytes (the {@code CODE}, {@code WORD},
 * {@code NUMBER...}, {@code QUOTED...}, {@code BACKQUOTED...}, {@code ..._COMMENT} and
 * {@code UNCLASSIFIED} states below); every token it completes goes to two sinks: the redacted
 * text and the fingerprint.
 *
 * <h2>Redacted text</h2>
 * Layout and case are kept; whitespace between tokens is copied (trailing whitespace is dropped).
 * <ul>
 * <li>Every literal becomes one {@code ?}: quoted strings ({@code '...'} and {@code "..."}, with
 *     backslash escapes and doubled quotes; {@code 'a' 'b'} gives {@code ? ?}), {@code N'..'},
 *     {@code X'..'}, {@code B'..'}, {@code 0x..}, {@code 0b..}, numbers of every shape, a sign in
 *     value position with its number ({@code x = -5} gives {@code x = ?}, {@code a-5} gives
 *     {@code a-?}), {@code TRUE}, {@code FALSE}, and a charset introducer with its literal
 *     ({@code _utf8mb4'x'}, {@code _latin1 0x41} give {@code ?}). {@code NULL} is kept.</li>
 * <li>Kept verbatim: keywords, identifiers (also digit-led ones such as {@code 2fa_codes} or
 *     {@code 1e10x}, and valid UTF-8 letters), backquoted identifiers (one holding a control byte
 *     or invalid UTF-8 becomes {@code ?}), operators, punctuation,
 *     {@code ?} and {@code :name} placeholders, {@code @var} and {@code @@scope.var}.</li>
 * <li>Comments: the body is removed and the delimiters stay: a block comment becomes the empty
 *     comment <code>/* *&#47;</code>, <code>-- text</code> becomes <code>--</code> and
 *     <code># text</code> becomes <code>#</code> (the line break after them is kept). Optimizer
 *     hints (<code>/*+ ... *&#47;</code>, only directly after SELECT, INSERT, UPDATE, DELETE or
 *     REPLACE; elsewhere they are ordinary comments) and executable comments
 *     (<code>/*! ... *&#47;</code>, <code>/*!50001 ...</code>, <code>/*M! ...</code>,
 *     <code>/*M!100101 ...</code>) keep their delimiters and their content is lexed as SQL. The
 *     version takes exactly 5 digits after <code>/*!</code> and 6 (else 5) after
 *     <code>/*M!</code>; any further digits are a number, so hidden.</li>
 * <li>Hiding: an unclosed quote becomes {@code ?}, an unclosed backquote or block comment becomes
 *     nothing, and {@link #unclosed()} is set. A byte the lexer cannot classify (control bytes
 *     other than space, tab, CR, LF; a backslash outside quotes; invalid UTF-8 outside quotes)
 *     becomes {@code ?}, one per run.</li>
 * <li>When the text would not fit the destination it is cut before the first token that does not
 *     fit, whole, and {@link #truncated()} is set.</li>
 * </ul>
 *
 * <h2>Fingerprint (canonical form)</h2>
 * The same tokens, with comments and executable-comment delimiters gone, and:
 * <ul>
 * <li>words, {@code @} variables and {@code :name} placeholders ASCII-lower-cased; backquoted
 *     identifiers without their backquotes (a doubled backquote becomes one), lower-cased;</li>
 * <li>every literal and {@code ?} placeholder is {@code ?}; hints are kept as
 *     <code>/*+ ... *&#47;</code>;</li>
 * <li>one space between tokens, except none after {@code (}, {@code .} or a bare {@code @}; none
 *     before {@code )}, {@code ,}, {@code ;}, {@code .} or a bare {@code @}; and none before
 *     {@code (} when it follows a word, a backquoted identifier, a variable or a named placeholder
 *     ({@code f(?)}, {@code in(?+)}, {@code values(?+)}, but {@code = (select ?)});</li>
 * <li>a parenthesised list after {@code IN}, {@code VALUES} or {@code VALUE} that holds only
 *     {@code ?} and {@code NULL} items becomes {@code (?+)}; in {@code VALUES}, a row that reads
 *     the same as the first row after that is dropped with its comma, so {@code VALUES (1,2),(3,4)}
 *     and {@code VALUES (5)} both give {@code values(?+)}, and {@code VALUES (1,now()),(2,now())}
 *     gives {@code values(?, now())}; the tuples of {@code IN ((?, ?), (?, ?))} are rows the same
 *     way, giving {@code in((?+))};</li>
 * <li>trailing {@code ;} and whitespace dropped;</li>
 * <li>at most {@code maxFingerprintLength} bytes, cut before the first token that does not fit
 *     ({@link #fingerprintTruncated()}); the digest covers what was kept.</li>
 * </ul>
 * {@link #digest()} is {@link FingerprintHash#hash} of the fingerprint.
 *
 * <h2>Known limits</h2>
 * Whether a backslash escapes inside quotes depends on the session's sql_mode
 * (NO_BACKSLASH_ESCAPES), which the server reports in every OK and EOF: the caller says what it
 * knows with {@link #backslashMode(int)}. When it knows nothing (a connection picked up mid-stream,
 * before its first response), a backslash before the closing quote is the one place the two
 * readings part ({@code 'a\' , 'b'}): the rest of the statement is then hidden, as after an
 * unclosed quote, rather than guessed. Under ANSI_QUOTES, {@code "identifiers"} are hidden as strings (the safe side).
 * Statements are whole in one buffer for now: lookahead is a few bytes (operators, exponents,
 * comment markers and versions), except the
 * whitespace between a charset introducer and its literal.
 */
public final class SqlRedactor {
    /** Default cap on the fingerprint's length. */
    public static final int DEFAULT_MAX_FINGERPRINT = 64 * 1024;

    /** Backslash escapes inside quotes: MySQL's and MariaDB's default sql_mode. */
    public static final int BACKSLASH_ESCAPES = 0;
    /** sql_mode has NO_BACKSLASH_ESCAPES: a backslash is an ordinary character inside quotes. */
    public static final int NO_BACKSLASH_ESCAPES = 1;
    /** Not known: where the two readings differ, hide the rest of the statement. */
    public static final int BACKSLASH_MODE_UNKNOWN = 2;

    // ---- lexer states
    private static final int CODE = 0;
    private static final int WORD = 1;
    private static final int NUMBER = 2;
    private static final int NUMBER_FRACTION = 3;
    private static final int NUMBER_EXPONENT = 4;
    private static final int NUMBER_HEX = 5;
    private static final int NUMBER_BITS = 6;
    /** Inside '...' or "..." (the quote byte is in {@link #quote}). */
    private static final int QUOTED = 7;
    /** Just after a backslash inside a quoted string. */
    private static final int QUOTED_ESCAPE = 8;
    /** Just after the quote byte inside a quoted string: doubled quote or end. */
    private static final int QUOTED_END = 9;
    private static final int BACKQUOTED = 10;
    private static final int BACKQUOTED_END = 11;
    private static final int LINE_COMMENT = 12;
    private static final int BLOCK_COMMENT = 13;
    private static final int BLOCK_COMMENT_STAR = 14;
    private static final int UNCLASSIFIED = 15;

    // ---- token kinds (both sinks)
    private static final int T_NONE = 0;
    private static final int T_WORD = 1;
    private static final int T_QIDENT = 2;
    private static final int T_LITERAL = 3;
    private static final int T_PLACEHOLDER = 4;
    private static final int T_VAR = 5;
    private static final int T_OPEN = 6;
    private static final int T_CLOSE = 7;
    private static final int T_COMMA = 8;
    private static final int T_DOT = 9;
    private static final int T_SEMI = 10;
    private static final int T_OP = 11;
    private static final int T_AT = 12;
    private static final int T_HINT_OPEN = 13;
    private static final int T_HINT_CLOSE = 14;

    // ---- fingerprint list collapsing
    private static final int LIST_NONE = 0;
    private static final int LIST_IN = 1;
    private static final int LIST_VALUES = 2;
    private static final int KIND_IN = 1;
    private static final int KIND_ROW_FIRST = 2;
    private static final int KIND_ROW_NEXT = 3;
    private static final int ROWS_NONE = 0;
    private static final int ROWS_AFTER_ROW = 1;
    private static final int ROWS_AFTER_COMMA = 2;

    private static final int MAX_COMMENT_DEPTH = 62;

    private static final byte[] QUESTION = {'?'};
    private static final byte[] EMPTY_COMMENT = {'/', '*', ' ', '*', '/'};
    private static final byte[] DASHES = {'-', '-'};
    private static final byte[] HASH = {'#'};
    private static final byte[] SEMI = {';'};
    private static final byte[] COLLAPSED_TAIL = {'?', '+', ')'};

    private final byte[] fpBytes;
    private final UnsafeBuffer fpBuffer;

    // ---- per call: input and output
    private DirectBuffer src;
    private MutableDirectBuffer dst;
    private int dstOffset;
    private int dstCapacity;
    private int outLength;
    private boolean outFull;
    private boolean unclosed;
    private long digest;

    // ---- lexer
    private int state;
    private int tokenStart;
    private int signStart;
    private byte quote;
    private boolean exponentMayBeWord;
    private boolean backquotedClean;
    private int wsStart;
    private int wsEnd;
    private int prevKind;
    private long prevKeyword;
    private int prevEnd;
    private int commentDepth;
    private long commentHintBits;

    // ---- fingerprint
    private int fpLength;
    private boolean fpDropped;
    private int fpPrevKind;
    private int fpPendingSemis;
    private int fpDepth;
    private int fpListExpect;
    private boolean fpListActive;
    private int fpListKind;
    private int fpListStart;
    private int fpListDepth;
    private boolean fpListSimple;
    private int fpListItems;
    private int fpRows;
    private int fpRowsDepth;
    private int fpCommaPos;
    private int fpFirstRowStart;
    private int fpFirstRowEnd;

    private int backslashMode = BACKSLASH_ESCAPES;
    private boolean inputCut;

    /** How backslashes in quoted strings are read from the next call on; see the class notes. */
    public void backslashMode(final int mode) {
        if (mode != BACKSLASH_ESCAPES && mode != NO_BACKSLASH_ESCAPES && mode != BACKSLASH_MODE_UNKNOWN) {
            throw new IllegalArgumentException("backslash mode " + mode);
        }
        backslashMode = mode;
    }

    public int backslashMode() {
        return backslashMode;
    }

    public SqlRedactor() {
        this(DEFAULT_MAX_FINGERPRINT);
    }

    public SqlRedactor(int maxFingerprintLength) {
        if (maxFingerprintLength < 16) {
            throw new IllegalArgumentException("maxFingerprintLength < 16: " + maxFingerprintLength);
        }
        fpBytes = new byte[maxFingerprintLength];
        fpBuffer = new UnsafeBuffer(fpBytes);
        digest = FingerprintHash.hash(fpBuffer, 0, 0);
    }

    /**
     * Redacts {@code src[offset, offset+length)} into {@code dst} from {@code dstOffset}, writing at
     * most {@code dstCapacity} bytes, and computes the fingerprint and digest.
     *
     * @return the number of bytes written to {@code dst}
     */
    public int redact(DirectBuffer src, int offset, int length, MutableDirectBuffer dst, int dstOffset, int dstCapacity) {
        return redact(src, offset, length, dst, dstOffset, dstCapacity, false);
    }

    /**
     * As {@link #redact(DirectBuffer, int, int, MutableDirectBuffer, int, int)}, for a statement
     * whose input was cut ({@code inputCut}: only its first {@code length} bytes were kept). A word
     * running into the cut is dropped, not kept: {@code FAL} may be the start of {@code FALSE}, and
     * half a name is no name. {@link #truncated()} is then true.
     */
    public int redact(DirectBuffer src, int offset, int length, MutableDirectBuffer dst, int dstOffset, int dstCapacity,
                      boolean inputCut) {
        this.inputCut = inputCut;
        begin(src, dst, dstOffset, dstCapacity);
        final int end = offset + length;
        int pos = offset;
        while (pos < end) {
            switch (state) {
                case CODE -> pos = code(pos, end);
                case WORD -> pos = word(pos, end);
                case NUMBER -> pos = number(pos, end);
                case NUMBER_FRACTION -> pos = fraction(pos, end);
                case NUMBER_EXPONENT -> pos = exponent(pos, end);
                case NUMBER_HEX -> pos = hex(pos, end);
                case NUMBER_BITS -> pos = bits(pos, end);
                case QUOTED -> pos = quoted(pos, end);
                case QUOTED_ESCAPE -> {
                    state = QUOTED;
                    if (backslashMode == BACKSLASH_MODE_UNKNOWN && src.getByte(pos) == quote) {
                        // Closed here under NO_BACKSLASH_ESCAPES, open under the default: hide the rest.
                        pos = end;
                    } else {
                        pos++;
                    }
                }
                case QUOTED_END -> pos = quotedEnd(pos);
                case BACKQUOTED -> pos = backquoted(pos, end);
                case BACKQUOTED_END -> pos = backquotedEnd(pos);
                case LINE_COMMENT -> pos = lineComment(pos, end);
                case BLOCK_COMMENT -> pos = blockComment(pos, end);
                case BLOCK_COMMENT_STAR -> pos = blockCommentStar(pos);
                case UNCLASSIFIED -> pos = unclassified(pos, end);
                default -> throw new IllegalStateException();
            }
        }
        finish(end);
        final int written = outLength;
        this.src = null;
        this.dst = null;
        return written;
    }

    /** The digest of the last statement's fingerprint, see {@link FingerprintHash}. */
    public long digest() {
        return digest;
    }

    /** True when the last redacted text was cut to fit the destination, or its input was cut. */
    public boolean truncated() {
        return outFull || inputCut;
    }

    /** True when an unclosed quote, backquote or comment hid the rest of the last statement. */
    public boolean unclosed() {
        return unclosed;
    }

    /** True when the last fingerprint was cut at the maximum fingerprint length. */
    public boolean fingerprintTruncated() {
        return fpDropped;
    }

    /** Length in bytes of the last fingerprint. */
    public int fingerprintLength() {
        return fpLength;
    }

    /** Copies the last fingerprint (or as much as fits) to {@code dst}; returns the bytes copied. */
    public int fingerprint(MutableDirectBuffer dst, int dstOffset, int dstCapacity) {
        final int n = Math.min(fpLength, dstCapacity);
        dst.putBytes(dstOffset, fpBytes, 0, n);
        return n;
    }

    /**
     * Cheap check that {@code src[offset, offset+length)} plausibly starts a SQL statement: no
     * control bytes other than tab, CR and LF in the first 256 bytes, and after optional
     * whitespace, comments and opening parentheses, a known statement verb (case-insensitive)
     * followed by a byte that cannot continue an identifier.
     */
    public static boolean looksLikeStatement(DirectBuffer src, int offset, int length) {
        final int end = offset + length;
        final int scan = Math.min(end, offset + 256);
        for (int i = offset; i < scan; i++) {
            final int b = src.getByte(i) & 0xFF;
            if ((b < 0x20 && b != '\t' && b != '\r' && b != '\n') || b == 0x7F) {
                return false;
            }
        }
        int p = offset;
        while (p < end) {
            final int b = src.getByte(p);
            if (isWhitespace(b) || b == '(') {
                p++;
            } else if (b == '#') {
                p = skipLine(src, p, end);
            } else if (b == '-' && p + 1 < end && src.getByte(p + 1) == '-'
                && (p + 2 >= end || (src.getByte(p + 2) & 0xFF) <= ' ')) {
                p = skipLine(src, p, end);
            } else if (b == '/' && p + 1 < end && src.getByte(p + 1) == '*') {
                int q = p + 2;
                if (q < end && src.getByte(q) == '!') {
                    p = skipDigits(src, q + 1, end, 6);
                } else if (q + 1 < end && src.getByte(q) == 'M' && src.getByte(q + 1) == '!') {
                    p = skipDigits(src, q + 2, end, 6);
                } else {
                    while (q + 1 < end && !(src.getByte(q) == '*' && src.getByte(q + 1) == '/')) {
                        q++;
                    }
                    if (q + 1 >= end) {
                        return false;
                    }
                    p = q + 2;
                }
            } else if (b == '*' && p + 1 < end && src.getByte(p + 1) == '/') {
                p += 2;
            } else {
                break;
            }
        }
        int q = p;
        while (q < end && isAsciiLetter(src.getByte(q))) {
            q++;
        }
        if (q == p || (q < end && isIdentifierByte(src.getByte(q) & 0xFF))) {
            return false;
        }
        return Keywords.isStatementVerb(Keywords.pack(src, p, q));
    }

    // ------------------------------------------------------------------ lexer states

    private void begin(DirectBuffer src, MutableDirectBuffer dst, int dstOffset, int dstCapacity) {
        this.src = src;
        this.dst = dst;
        this.dstOffset = dstOffset;
        this.dstCapacity = Math.max(0, dstCapacity);
        outLength = 0;
        outFull = false;
        unclosed = false;
        state = CODE;
        tokenStart = 0;
        signStart = -1;
        quote = 0;
        exponentMayBeWord = false;
        wsStart = 0;
        wsEnd = 0;
        prevKind = T_NONE;
        prevKeyword = 0;
        prevEnd = -1;
        commentDepth = 0;
        commentHintBits = 0;
        fpLength = 0;
        fpDropped = false;
        fpPrevKind = T_NONE;
        fpPendingSemis = 0;
        fpDepth = 0;
        fpListExpect = LIST_NONE;
        fpListActive = false;
        fpRows = ROWS_NONE;
    }

    private void finish(int end) {
        switch (state) {
            case WORD -> {
                if (!inputCut) {
                    endWord(end, end);
                }
            }
            case NUMBER, NUMBER_FRACTION, NUMBER_EXPONENT, NUMBER_HEX, NUMBER_BITS -> endNumber(end);
            case QUOTED, QUOTED_ESCAPE -> {
                unclosed = true;
                literal(end);
            }
            case QUOTED_END, UNCLASSIFIED -> literal(end);
            case BACKQUOTED, BLOCK_COMMENT, BLOCK_COMMENT_STAR -> unclosed = true;
            case BACKQUOTED_END -> endBackquoted(end);
            default -> {
            }
        }
        state = CODE;
        fpPendingSemis = 0;
        digest = FingerprintHash.hash(fpBuffer, 0, fpLength);
    }

    /** Between tokens: classify the byte at {@code pos}; short tokens are emitted at once. */
    private int code(int pos, int end) {
        final int b = src.getByte(pos) & 0xFF;
        switch (b) {
            case ' ', '\t', '\r', '\n' -> {
                if (wsEnd != pos) {
                    wsStart = pos;
                }
                int p = pos + 1;
                while (p < end && isWhitespace(src.getByte(p))) {
                    p++;
                }
                wsEnd = p;
                return p;
            }
            case '\'', '"' -> {
                tokenStart = pos;
                quote = (byte) b;
                state = QUOTED;
                return pos + 1;
            }
            case '`' -> {
                tokenStart = pos;
                backquotedClean = true;
                state = BACKQUOTED;
                return pos + 1;
            }
            case '#' -> {
                outConst(HASH);
                state = LINE_COMMENT;
                return pos + 1;
            }
            case '-' -> {
                if (pos + 1 < end) {
                    final byte next = src.getByte(pos + 1);
                    if (next == '-' && (pos + 2 >= end || (src.getByte(pos + 2) & 0xFF) <= ' ')) {
                        outConst(DASHES);
                        state = LINE_COMMENT;
                        return pos + 2;
                    }
                    if (next == '>') {
                        return op(pos, pos + 2 < end && src.getByte(pos + 2) == '>' ? 3 : 2);
                    }
                }
                return sign(pos, end);
            }
            case '+' -> {
                return sign(pos, end);
            }
            case '/' -> {
                if (pos + 1 < end && src.getByte(pos + 1) == '*') {
                    return commentOpen(pos, end);
                }
                return op(pos, 1);
            }
            case '*' -> {
                if (commentDepth > 0 && pos + 1 < end && src.getByte(pos + 1) == '/') {
                    commentDepth--;
                    if ((commentHintBits & (1L << commentDepth)) != 0) {
                        token(T_HINT_CLOSE, pos, pos + 2);
                    } else {
                        outSource(pos, pos + 2);
                    }
                    return pos + 2;
                }
                return op(pos, 1);
            }
            case '.' -> {
                final boolean qualifier = prevEnd == pos && (prevKind == T_WORD || prevKind == T_QIDENT);
                if (!qualifier && pos + 1 < end && isDigit(src.getByte(pos + 1))) {
                    tokenStart = pos;
                    signStart = -1;
                    state = NUMBER_FRACTION;
                    return pos + 1;
                }
                return emit(T_DOT, pos, 1);
            }
            case '(' -> {
                return emit(T_OPEN, pos, 1);
            }
            case ')' -> {
                return emit(T_CLOSE, pos, 1);
            }
            case ',' -> {
                return emit(T_COMMA, pos, 1);
            }
            case ';' -> {
                return emit(T_SEMI, pos, 1);
            }
            case '?' -> {
                literal(pos + 1);
                return pos + 1;
            }
            case ':' -> {
                if (pos + 1 < end) {
                    final int next = src.getByte(pos + 1) & 0xFF;
                    if (next == '=') {
                        return op(pos, 2);
                    }
                    if (isAsciiLetter((byte) next) || next == '_') {
                        int p = pos + 2;
                        while (p < end && isIdentifierAscii(src.getByte(p) & 0xFF)) {
                            p++;
                        }
                        token(T_PLACEHOLDER, pos, p);
                        return p;
                    }
                }
                return op(pos, 1);
            }
            case '@' -> {
                int p = pos + 1;
                if (p < end && src.getByte(p) == '@') {
                    p++;
                }
                int q = p;
                while (q < end) {
                    final int c = src.getByte(q) & 0xFF;
                    if (isIdentifierAscii(c) || c == '.') {
                        q++;
                    } else if (c >= 0x80 && utf8Length(q, end) > 0) {
                        q += utf8Length(q, end);
                    } else {
                        break;
                    }
                }
                if (q == end && inputCut) {
                    return q; // a variable name running into the cut: half a name, dropped like a word
                }
                if (q > p) {
                    token(T_VAR, pos, q);
                    return q;
                }
                return emit(T_AT, pos, p - pos);
            }
            case '<' -> {
                if (pos + 2 < end && src.getByte(pos + 1) == '=' && src.getByte(pos + 2) == '>') {
                    return op(pos, 3);
                }
                if (pos + 1 < end) {
                    final byte next = src.getByte(pos + 1);
                    if (next == '=' || next == '>' || next == '<') {
                        return op(pos, 2);
                    }
                }
                return op(pos, 1);
            }
            case '>' -> {
                if (pos + 1 < end) {
                    final byte next = src.getByte(pos + 1);
                    if (next == '=' || next == '>') {
                        return op(pos, 2);
                    }
                }
                return op(pos, 1);
            }
            case '!' -> {
                return op(pos, pos + 1 < end && src.getByte(pos + 1) == '=' ? 2 : 1);
            }
            case '&' -> {
                return op(pos, pos + 1 < end && src.getByte(pos + 1) == '&' ? 2 : 1);
            }
            case '|' -> {
                return op(pos, pos + 1 < end && src.getByte(pos + 1) == '|' ? 2 : 1);
            }
            case '=', '%', '^', '~', '{', '}', '[', ']' -> {
                return op(pos, 1);
            }
            default -> {
                if (isDigit((byte) b)) {
                    tokenStart = pos;
                    signStart = -1;
                    state = NUMBER;
                    return pos + 1;
                }
                if (isAsciiLetter((byte) b) || b == '_' || b == '$') {
                    tokenStart = pos;
                    state = WORD;
                    return pos + 1;
                }
                if (b >= 0x80) {
                    final int n = utf8Length(pos, end);
                    if (n > 0) {
                        tokenStart = pos;
                        state = WORD;
                        return pos + n;
                    }
                }
                // control bytes, DEL, backslash, invalid UTF-8: hidden
                tokenStart = pos;
                state = UNCLASSIFIED;
                return pos + 1;
            }
        }
    }

    /** A '+' or '-' that is not a comment or arrow: part of the number when in value position. */
    private int sign(int pos, int end) {
        if (valuePosition() && pos + 1 < end) {
            final byte next = src.getByte(pos + 1);
            if (isDigit(next)) {
                signStart = pos;
                tokenStart = pos + 1;
                state = NUMBER;
                return pos + 2;
            }
            if (next == '.' && pos + 2 < end && isDigit(src.getByte(pos + 2))) {
                signStart = pos;
                tokenStart = pos + 1;
                state = NUMBER_FRACTION;
                return pos + 2;
            }
        }
        return op(pos, 1);
    }

    /** At "/*": executable comment, optimizer hint or plain comment. */
    private int commentOpen(int pos, int end) {
        final int p = pos + 2;
        int contentStart = -1;
        boolean hint = false;
        if (p < end && src.getByte(p) == '!') {
            final int digits = countDigits(p + 1, end);
            contentStart = p + 1 + (digits >= 5 ? 5 : 0);
        } else if (p + 1 < end && src.getByte(p) == 'M' && src.getByte(p + 1) == '!') {
            final int digits = countDigits(p + 2, end);
            contentStart = p + 2 + (digits >= 6 ? 6 : digits == 5 ? 5 : 0);
        } else if (p < end && src.getByte(p) == '+' && prevKind == T_WORD && Keywords.isHintVerb(prevKeyword)) {
            contentStart = p + 1;
            hint = true;
        }
        if (contentStart < 0 || commentDepth >= MAX_COMMENT_DEPTH) {
            state = BLOCK_COMMENT;
            return p;
        }
        if (hint) {
            commentHintBits |= 1L << commentDepth;
            commentDepth++;
            token(T_HINT_OPEN, pos, contentStart);
        } else {
            commentHintBits &= ~(1L << commentDepth);
            commentDepth++;
            outSource(pos, contentStart);
        }
        return contentStart;
    }

    private int word(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (isIdentifierAscii(b)) {
                pos++;
            } else if (b >= 0x80) {
                final int n = utf8Length(pos, end);
                if (n == 0) {
                    break;
                }
                pos += n;
            } else {
                break;
            }
        }
        if (pos < end) {
            return endWord(pos, end);
        }
        return pos;
    }

    /** A word ended at {@code pos}: a literal prefix, a charset introducer, TRUE/FALSE, or a word. */
    private int endWord(int pos, int end) {
        state = CODE;
        final int start = tokenStart;
        final int length = pos - start;
        final byte first = src.getByte(start);
        if (isDigit(first)) {
            // "123e" is a name to the server, but it is also a float cut before its exponent: hide it
            final byte last = src.getByte(pos - 1);
            if ((last == 'e' || last == 'E') && allDigits(start, pos - 1)) {
                literal(pos);
            } else {
                word(start, pos, 0);
            }
            return pos;
        }
        if (length == 1 && pos < end && src.getByte(pos) == '\'' && isLiteralPrefix(first)) {
            quote = '\'';
            state = QUOTED;
            return pos + 1;
        }
        if (first == '_' && length > 1 && Keywords.isCharset(Keywords.pack(src, start + 1, pos))) {
            int q = pos;
            while (q < end && isWhitespace(src.getByte(q))) {
                q++;
            }
            if (literalStartsAt(q, end)) {
                // the introducer goes with its literal; the whitespace after it is dropped too
                return q;
            }
        }
        final long key = Keywords.pack(src, start, pos);
        if ((key == Keywords.TRUE || key == Keywords.FALSE) && prevKind != T_DOT) {
            literal(pos);
            return pos;
        }
        word(start, pos, key);
        return pos;
    }

    private int number(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (isDigit((byte) b)) {
                pos++;
                continue;
            }
            if (b == '.') {
                state = NUMBER_FRACTION;
                return pos + 1;
            }
            if (b == 'e' || b == 'E') {
                final int e = exponentMarker(pos, end);
                if (e > 0) {
                    state = NUMBER_EXPONENT;
                    exponentMayBeWord = e == 1;
                    return pos + e;
                }
            }
            if (pos == tokenStart + 1 && src.getByte(tokenStart) == '0' && pos + 1 < end) {
                final byte next = src.getByte(pos + 1);
                if ((b == 'x' || b == 'X') && isHexDigit(next)) {
                    state = NUMBER_HEX;
                    return pos + 2;
                }
                if ((b == 'b' || b == 'B') && (next == '0' || next == '1')) {
                    state = NUMBER_BITS;
                    return pos + 2;
                }
            }
            if (startsIdentifier(b, pos, end)) {
                return numberBecomesWord(pos);
            }
            endNumber(pos);
            return pos;
        }
        return pos;
    }

    private int fraction(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (isDigit((byte) b)) {
                pos++;
                continue;
            }
            if (b == 'e' || b == 'E') {
                final int e = exponentMarker(pos, end);
                if (e > 0) {
                    state = NUMBER_EXPONENT;
                    exponentMayBeWord = false;
                    return pos + e;
                }
            }
            endNumber(pos);
            return pos;
        }
        return pos;
    }

    private int exponent(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (isDigit((byte) b)) {
                pos++;
                continue;
            }
            if (exponentMayBeWord && startsIdentifier(b, pos, end)) {
                return numberBecomesWord(pos);
            }
            endNumber(pos);
            return pos;
        }
        return pos;
    }

    private int hex(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (isHexDigit((byte) b)) {
                pos++;
                continue;
            }
            if (startsIdentifier(b, pos, end)) {
                return numberBecomesWord(pos);
            }
            endNumber(pos);
            return pos;
        }
        return pos;
    }

    private int bits(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (b == '0' || b == '1') {
                pos++;
                continue;
            }
            if (isDigit((byte) b) || startsIdentifier(b, pos, end)) {
                return numberBecomesWord(pos);
            }
            endNumber(pos);
            return pos;
        }
        return pos;
    }

    /** Digits followed by identifier bytes are an identifier ({@code 2fa_codes}, {@code 1e10x}). */
    private int numberBecomesWord(int pos) {
        if (signStart >= 0) {
            token(T_OP, signStart, signStart + 1);
            signStart = -1;
        }
        state = WORD;
        return pos;
    }

    private void endNumber(int pos) {
        state = CODE;
        signStart = -1;
        literal(pos);
    }

    private int quoted(int pos, int end) {
        final byte q = quote;
        while (pos < end) {
            final byte b = src.getByte(pos++);
            if (b == '\\' && backslashMode != NO_BACKSLASH_ESCAPES) {
                state = QUOTED_ESCAPE;
                return pos;
            }
            if (b == q) {
                state = QUOTED_END;
                return pos;
            }
        }
        return pos;
    }

    private int quotedEnd(int pos) {
        if (src.getByte(pos) == quote) {
            state = QUOTED;
            return pos + 1;
        }
        state = CODE;
        literal(pos);
        return pos;
    }

    private int backquoted(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (b == '`') {
                state = BACKQUOTED_END;
                return pos + 1;
            }
            if (b >= 0x80) {
                final int n = utf8Length(pos, end);
                if (n == 0) {
                    backquotedClean = false;
                    pos++;
                } else {
                    pos += n;
                }
            } else {
                if (b < 0x20 || b == 0x7F) {
                    backquotedClean = false;
                }
                pos++;
            }
        }
        return pos;
    }

    private int backquotedEnd(int pos) {
        if (src.getByte(pos) == '`') {
            state = BACKQUOTED;
            return pos + 1;
        }
        state = CODE;
        endBackquoted(pos);
        return pos;
    }

    /** A name with control bytes or invalid UTF-8 is no name a server accepts: hidden like a literal. */
    private void endBackquoted(int pos) {
        if (backquotedClean) {
            token(T_QIDENT, tokenStart, pos);
        } else {
            literal(pos);
        }
    }

    private int lineComment(int pos, int end) {
        while (pos < end) {
            if (src.getByte(pos) == '\n') {
                state = CODE;
                return pos;
            }
            pos++;
        }
        return pos;
    }

    private int blockComment(int pos, int end) {
        while (pos < end) {
            if (src.getByte(pos++) == '*') {
                state = BLOCK_COMMENT_STAR;
                return pos;
            }
        }
        return pos;
    }

    private int blockCommentStar(int pos) {
        final byte b = src.getByte(pos);
        if (b == '/') {
            state = CODE;
            outConst(EMPTY_COMMENT);
            return pos + 1;
        }
        if (b != '*') {
            state = BLOCK_COMMENT;
        }
        return pos + 1;
    }

    private int unclassified(int pos, int end) {
        while (pos < end) {
            final int b = src.getByte(pos) & 0xFF;
            if (b >= 0x80) {
                if (utf8Length(pos, end) > 0) {
                    break;
                }
            } else if (!isUnclassifiableAscii(b)) {
                break;
            }
            pos++;
        }
        if (pos < end) {
            state = CODE;
            literal(pos);
        }
        return pos;
    }

    private boolean valuePosition() {
        return switch (prevKind) {
            case T_NONE, T_OPEN, T_COMMA, T_SEMI, T_OP, T_AT, T_HINT_OPEN, T_HINT_CLOSE -> true;
            case T_WORD -> Keywords.isValueStart(prevKeyword);
            default -> false;
        };
    }

    /** 1 for "e" + digit, 2 for "e" + sign + digit, else 0. */
    private int exponentMarker(int pos, int end) {
        if (pos + 1 >= end) {
            return 0;
        }
        final byte next = src.getByte(pos + 1);
        if (isDigit(next)) {
            return 1;
        }
        if ((next == '+' || next == '-') && pos + 2 < end && isDigit(src.getByte(pos + 2))) {
            return 2;
        }
        return 0;
    }

    private boolean startsIdentifier(int b, int pos, int end) {
        if (b < 0x80) {
            return isIdentifierAscii(b);
        }
        return utf8Length(pos, end) > 0;
    }

    /** After a charset introducer: a quoted string, a hex or bit literal. */
    private boolean literalStartsAt(int q, int end) {
        if (q >= end) {
            return false;
        }
        final byte b = src.getByte(q);
        if (b == '\'' || b == '"') {
            return true;
        }
        if (q + 1 >= end) {
            return false;
        }
        final byte next = src.getByte(q + 1);
        if (isLiteralPrefix(b) && next == '\'') {
            return true;
        }
        if (b == '0' && q + 2 < end) {
            final byte third = src.getByte(q + 2);
            return ((next == 'x' || next == 'X') && isHexDigit(third))
                || ((next == 'b' || next == 'B') && (third == '0' || third == '1'));
        }
        return false;
    }

    private boolean allDigits(int start, int end) {
        for (int i = start; i < end; i++) {
            if (!isDigit(src.getByte(i))) {
                return false;
            }
        }
        return true;
    }

    private int countDigits(int p, int end) {
        int n = 0;
        while (p + n < end && isDigit(src.getByte(p + n))) {
            n++;
        }
        return n;
    }

    /** Length of the valid UTF-8 sequence of two to four bytes at {@code pos}, else 0. */
    private int utf8Length(int pos, int end) {
        final int b0 = src.getByte(pos) & 0xFF;
        if (b0 < 0xC2 || b0 > 0xF4) {
            return 0;
        }
        final int n = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
        if (pos + n > end) {
            return 0;
        }
        final int b1 = src.getByte(pos + 1) & 0xFF;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 == 0xE0) {
            lo = 0xA0;
        } else if (b0 == 0xED) {
            hi = 0x9F;
        } else if (b0 == 0xF0) {
            lo = 0x90;
        } else if (b0 == 0xF4) {
            hi = 0x8F;
        }
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int i = 2; i < n; i++) {
            if ((src.getByte(pos + i) & 0xC0) != 0x80) {
                return 0;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ token emission

    private int op(int pos, int length) {
        token(T_OP, pos, pos + length);
        return pos + length;
    }

    private int emit(int kind, int pos, int length) {
        token(kind, pos, pos + length);
        return pos + length;
    }

    private void token(int kind, int start, int end) {
        outSource(start, end);
        fpToken(kind, 0, start, end, null);
        prevKind = kind;
        prevKeyword = 0;
        prevEnd = end;
    }

    private void word(int start, int end, long key) {
        outSource(start, end);
        fpToken(T_WORD, key, start, end, null);
        prevKind = T_WORD;
        prevKeyword = key;
        prevEnd = end;
    }

    private void literal(int end) {
        outConst(QUESTION);
        fpToken(T_LITERAL, 0, 0, 0, QUESTION);
        prevKind = T_LITERAL;
        prevKeyword = 0;
        prevEnd = end;
    }

    // ---- redacted text

    /** Makes room for the pending whitespace plus {@code length} bytes, or marks the text full. */
    private boolean reserve(int length) {
        final int ws = wsEnd - wsStart;
        final int wsFrom = wsStart;
        wsStart = 0;
        wsEnd = 0;
        if (outFull) {
            return false;
        }
        if ((long) outLength + ws + length > dstCapacity) {
            outFull = true;
            return false;
        }
        if (ws > 0) {
            dst.putBytes(dstOffset + outLength, src, wsFrom, ws);
            outLength += ws;
        }
        return true;
    }

    private void outSource(int start, int end) {
        if (reserve(end - start)) {
            dst.putBytes(dstOffset + outLength, src, start, end - start);
            outLength += end - start;
        }
    }

    private void outConst(byte[] bytes) {
        if (reserve(bytes.length)) {
            dst.putBytes(dstOffset + outLength, bytes);
            outLength += bytes.length;
        }
    }

    // ---- fingerprint

    private void fpToken(int kind, long key, int start, int end, byte[] constant) {
        if (kind == T_SEMI) {
            fpPendingSemis++;
            return;
        }
        while (fpPendingSemis > 0) {
            fpPendingSemis--;
            fpWrite(T_SEMI, 0, 0, 0, SEMI);
        }
        fpWrite(kind, key, start, end, constant);
    }

    private void fpWrite(int kind, long key, int start, int end, byte[] constant) {
        if (fpListActive && !(kind == T_CLOSE && fpDepth == fpListDepth)) {
            if (fpDepth == fpListDepth && (kind == T_LITERAL || (kind == T_WORD && key == Keywords.NULL))) {
                fpListItems++;
            } else if (!(fpDepth == fpListDepth && kind == T_COMMA)) {
                fpListSimple = false;
            }
        }
        boolean rowContinues = false;
        if (fpRows == ROWS_AFTER_ROW) {
            if (kind == T_COMMA && fpDepth == fpRowsDepth) {
                fpRows = ROWS_AFTER_COMMA;
                fpCommaPos = fpLength;
            } else {
                fpRows = ROWS_NONE;
            }
        } else if (fpRows == ROWS_AFTER_COMMA) {
            rowContinues = kind == T_OPEN;
            fpRows = ROWS_NONE;
        }

        if (!fpDropped) {
            final boolean space = needsSpace(fpPrevKind, kind);
            final int length = constant != null ? constant.length : end - start;
            if (fpLength + (space ? 1 : 0) + length > fpBytes.length) {
                fpDropped = true;
            } else {
                if (space) {
                    fpBytes[fpLength++] = ' ';
                }
                if (constant != null) {
                    System.arraycopy(constant, 0, fpBytes, fpLength, length);
                    fpLength += length;
                } else if (kind == T_QIDENT) {
                    fpBackquoted(start, end);
                } else if (kind == T_WORD || kind == T_VAR || kind == T_PLACEHOLDER) {
                    fpLowerCase(start, end);
                } else {
                    fpBuffer.putBytes(fpLength, src, start, length);
                    fpLength += length;
                }
            }
        }

        if (kind == T_OPEN) {
            fpDepth++;
            // IN ((a, b), (c, d)): the tuples are rows of the IN list
            final boolean tuple = fpListActive && fpListKind == KIND_IN && fpPrevKind == T_OPEN
                && fpDepth == fpListDepth + 1;
            if (fpListExpect != LIST_NONE || rowContinues || tuple) {
                fpListActive = false;
                if (!fpDropped) {
                    fpListActive = true;
                    fpListKind = rowContinues ? KIND_ROW_NEXT : fpListExpect == LIST_IN ? KIND_IN : KIND_ROW_FIRST;
                    fpListStart = fpLength - 1;
                    fpListDepth = fpDepth;
                    fpListSimple = true;
                    fpListItems = 0;
                }
            }
        } else if (kind == T_CLOSE) {
            if (fpListActive && fpDepth == fpListDepth) {
                closeList();
            }
            if (fpDepth > 0) {
                fpDepth--;
            }
        }
        if (kind == T_WORD && key == Keywords.IN) {
            fpListExpect = LIST_IN;
        } else if (kind == T_WORD && (key == Keywords.VALUES || key == Keywords.VALUE)) {
            fpListExpect = LIST_VALUES;
        } else {
            fpListExpect = LIST_NONE;
        }
        fpPrevKind = kind;
    }

    private void closeList() {
        fpListActive = false;
        if (fpListSimple && fpListItems > 0) {
            fpLength = fpListStart + 1;
            fpDropped = false;
            if (fpLength + COLLAPSED_TAIL.length <= fpBytes.length) {
                System.arraycopy(COLLAPSED_TAIL, 0, fpBytes, fpLength, COLLAPSED_TAIL.length);
                fpLength += COLLAPSED_TAIL.length;
            } else {
                fpDropped = true;
            }
        }
        if (fpListKind == KIND_IN || fpDropped) {
            return;
        }
        if (fpListKind == KIND_ROW_FIRST) {
            fpFirstRowStart = fpListStart;
            fpFirstRowEnd = fpLength;
            fpRowsDepth = fpListDepth - 1;
        } else if (sameBytes(fpListStart, fpLength, fpFirstRowStart, fpFirstRowEnd)) {
            fpLength = fpCommaPos;
        }
        fpRows = ROWS_AFTER_ROW;
    }

    private boolean sameBytes(int aStart, int aEnd, int bStart, int bEnd) {
        if (aEnd - aStart != bEnd - bStart) {
            return false;
        }
        for (int i = 0; i < aEnd - aStart; i++) {
            if (fpBytes[aStart + i] != fpBytes[bStart + i]) {
                return false;
            }
        }
        return true;
    }

    private void fpLowerCase(int start, int end) {
        for (int i = start; i < end; i++) {
            fpBytes[fpLength++] = lowerCase(src.getByte(i));
        }
    }

    /** Without the enclosing backquotes; a doubled backquote inside becomes one. */
    private void fpBackquoted(int start, int end) {
        for (int i = start + 1; i < end - 1; i++) {
            final byte b = src.getByte(i);
            fpBytes[fpLength++] = lowerCase(b);
            if (b == '`') {
                i++;
            }
        }
    }

    private static boolean needsSpace(int prev, int kind) {
        if (prev == T_NONE || prev == T_OPEN || prev == T_DOT || prev == T_AT) {
            return false;
        }
        if (kind == T_CLOSE || kind == T_COMMA || kind == T_SEMI || kind == T_DOT || kind == T_AT) {
            return false;
        }
        return !(kind == T_OPEN
            && (prev == T_WORD || prev == T_QIDENT || prev == T_VAR || prev == T_PLACEHOLDER));
    }

    // ------------------------------------------------------------------ byte classes

    private static byte lowerCase(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private static boolean isWhitespace(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isHexDigit(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static boolean isAsciiLetter(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    private static boolean isIdentifierAscii(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '$';
    }

    /** Any byte that could continue an identifier, UTF-8 lead and continuation bytes included. */
    private static boolean isIdentifierByte(int b) {
        return isIdentifierAscii(b) || b >= 0x80;
    }

    private static boolean isLiteralPrefix(byte b) {
        return b == 'x' || b == 'X' || b == 'b' || b == 'B' || b == 'n' || b == 'N';
    }

    private static boolean isUnclassifiableAscii(int b) {
        return (b < 0x20 && !isWhitespace(b)) || b == 0x7F || b == '\\';
    }

    private static int skipLine(DirectBuffer src, int p, int end) {
        while (p < end && src.getByte(p) != '\n') {
            p++;
        }
        return p;
    }

    private static int skipDigits(DirectBuffer src, int p, int end, int max) {
        int n = 0;
        while (p < end && n < max && src.getByte(p) >= '0' && src.getByte(p) <= '9') {
            p++;
            n++;
        }
        return p;
    }
}
