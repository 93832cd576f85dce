package spyglass.redact;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Redacts one MySQL/MariaDB statement and fingerprints it, in one pass over its UTF-8 bytes.
 *
 * <p>One instance per worker thread, reused: after construction {@link #redact} allocates nothing
 * (only an off-heap source or destination needs a copy array, grown to the largest statement seen).
 * The lexer reads a heap buffer's own array and writes to the destination's own array; the common
 * tokens (plain words, integers, strings, punctuation) go through {@code fastCode}, one loop that
 * gives the same output as the state machine below and leaves every other token to it.
 * The lexer is an explicit state machine over bytes (the {@code CODE}, {@code WORD},
 * {@code NUMBER...}, {@code QUOTED...}, {@code BACKQUOTED...}, {@code ..._COMMENT} and
 * {@code UNCLASSIFIED} states below); every token it completes goes to two sinks: the redacted
 * text and the fingerprint.
 *
 * <h2>Redacted text</h2>
 * Layout and case are kept; whitespace between tokens is copied (trailing whitespace is dropped).
 * <ul>
 * <li>Every literal becomes one {@code ?} (in keyed mode, {@code ?:} and a keyed token of its
 *     value, see {@link #literalKey}): quoted strings ({@code '...'} and {@code "..."}, with
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
 *     identifiers ASCII-lower-cased too (as pt-fingerprint does, though a table name may be
 *     case-sensitive), and without their backquotes only when the name reads the same without
 *     them: not empty, only ASCII letters, digits, {@code _}, {@code $} and non-ASCII characters,
 *     and not shaped like a number ({@code 123}, {@code 1e5}, {@code 0x1f}, {@code 0b01}). Any
 *     other keeps them, a doubled backquote inside staying doubled: {@code `Total`} gives
 *     {@code total}, but {@code `a b`} gives {@code `a b`} (not column {@code a} aliased {@code b}),
 *     {@code `t1.a`} gives {@code `t1.a`} and {@code `db``x`} gives {@code `db``x`};</li>
 * <li>every literal and {@code ?} placeholder is {@code ?}; hints are kept as
 *     <code>/*+ ... *&#47;</code>;</li>
 * <li>one space between tokens, except none after {@code (}, {@code .} or a bare {@code @} (one not
 *     followed by a plain name: {@code @`x y`}, {@code @'v'}, {@code 'u'@'h'}); none before
 *     {@code )}, {@code ,}, {@code ;} or {@code .}; none before a bare {@code @} that separates
 *     user and host (after a string or backquoted name, or directly after a word:
 *     {@code 'u'@'h'}, {@code root@'%'}), while one that starts a variable is spaced as the
 *     variable ({@code = @`v`} gives {@code = @v}, as {@code = @v} does); and none before
 *     {@code (} when it follows a word, a backquoted identifier, a variable or a named placeholder
 *     ({@code f(?)}, {@code in(?+)}, {@code values(?+)}, but {@code = (select ?)});</li>
 * <li>a parenthesised list after {@code IN}, {@code VALUES} or {@code VALUE} that holds only
 *     {@code ?} and {@code NULL} items becomes {@code (?+)}; in {@code VALUES}, a row that reads
 *     the same as the first row after that is dropped with its comma, so {@code VALUES (1,2),(3,4)}
 *     and {@code VALUES (5)} both give {@code values(?+)}, and {@code VALUES (1,now()),(2,now())}
 *     gives {@code values(?, now())}; the tuples of {@code IN ((?, ?), (?, ?))} are rows the same
 *     way, giving {@code in((?+))}; MySQL 8's row constructor {@code ROW (...)} after
 *     {@code VALUES} is a row under the same rules ({@code VALUES ROW(1,2), ROW(3,4)} gives
 *     {@code values row(?+)}), and a row written one way is not dropped as the same as a first row
 *     written the other;</li>
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
 * A backquoted reserved word prints as the word: {@code `null`} (a column) and {@code NULL} share
 * a fingerprint, as do {@code `current_date`} and {@code CURRENT_DATE}.
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
    /**
     * Streaming only: the rest of a word or number too long for the window, already hidden as one
     * {@code ?} ({@link #forceRoom}).
     */
    private static final int SKIP_WORD = 16;
    /** Streaming only: the rest of a backquoted name too long for the window, already hidden. */
    private static final int SKIP_BACKQUOTED = 17;
    /** Streaming only: after a backquote in {@link #SKIP_BACKQUOTED}: doubled, or the end. */
    private static final int SKIP_BACKQUOTED_END = 18;
    /** After a quote the backslash mode leaves open to two readings: the rest is hidden, whatever comes. */
    private static final int HIDE_REST = 19;

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
    /** A bare {@code @} directly after a name or string: the separator of {@code user@host}. */
    private static final int T_AT = 12;
    private static final int T_HINT_OPEN = 13;
    private static final int T_HINT_CLOSE = 14;
    /** Any other bare {@code @} or {@code @@}: the sigil of a variable with a quoted name, {@code @`x y`}. */
    private static final int T_AT_VAR = 15;

    // ---- fingerprint list collapsing
    private static final int LIST_NONE = 0;
    private static final int LIST_IN = 1;
    private static final int LIST_VALUES = 2;
    /** {@code VALUES ROW}: the list that opens next is a row written with MySQL 8's row constructor. */
    private static final int LIST_VALUES_ROW = 3;
    private static final int KIND_IN = 1;
    private static final int KIND_ROW_FIRST = 2;
    private static final int KIND_ROW_NEXT = 3;
    private static final int ROWS_NONE = 0;
    private static final int ROWS_AFTER_ROW = 1;
    private static final int ROWS_AFTER_COMMA = 2;
    /** After the comma and {@code ROW}: a list opening next is a row written {@code ROW (...)}. */
    private static final int ROWS_AFTER_ROW_WORD = 3;

    private static final int MAX_COMMENT_DEPTH = 62;

    private static final byte[] QUESTION = {'?'};
    private static final byte[] EMPTY_COMMENT = {'/', '*', ' ', '*', '/'};
    private static final byte[] DASHES = {'-', '-'};
    private static final byte[] HASH = {'#'};
    private static final byte[] SEMI = {';'};
    private static final byte[] COLLAPSED_TAIL = {'?', '+', ')'};
    private static final byte[] EMPTY = {};

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long EVERY_BYTE = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long BACKSLASHES = '\\' * EVERY_BYTE;

    /** Grown on demand up to {@link #fpMax}, so that an idle streaming redactor costs little. */
    private byte[] fpBytes;
    private final int fpMax;

    // ---- streaming: begin(), feed()..., end()
    /**
     * Bytes a decision at a token's start may look ahead (the longest: {@code /*M!} and a
     * six-digit version, then one more byte); with fewer left before the window's end, the
     * lexer waits for the next chunk.
     */
    private static final int LOOKAHEAD = 16;
    /**
     * The window holds the bytes still needed (the token being read, whitespace waiting to go
     * out) and the chunk being lexed. A token that needs more than this is hidden, never kept.
     */
    static final int WINDOW_MAX = 16 * 1024;
    private byte[] window = EMPTY;
    private int windowMax = WINDOW_MAX;
    /** The window filled during the statement: a token or whitespace run was hidden or shrunk. */
    private boolean windowWasFull;
    private int windowLength;
    /** Where lexing resumes in {@link #window}. */
    private int lexPos;
    private boolean streaming;
    /** More input may follow the current end: a decision that needs bytes past it waits for them. */
    private boolean more;
    /** Set by a state that stopped for want of bytes past the end; the loop then returns. */
    private boolean suspended;
    private long streamedBytes;

    // ---- per call: input and output
    /**
     * The statement's bytes: positions are indexes into this array. Either the source buffer's own
     * array (no copy) or {@link #inCopy}, holding a copy of a statement from off-heap memory.
     */
    private byte[] in;
    private byte[] inCopy = EMPTY;
    /**
     * The redacted text goes to {@code out[outBase, outBase + outLength)}: the destination buffer's
     * own array, or {@link #outCopy} (then copied to {@link #dst} at the end).
     */
    private byte[] out;
    private int outBase;
    /** Bytes {@link #out} holds from {@link #outBase}; at least {@link #dstCapacity} unless copying. */
    private int outRoom;
    private byte[] outCopy = EMPTY;
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
    /** The open list is a row written {@code ROW (...)}; {@link #fpFirstRowWord}: the first row was. */
    private boolean fpListRowWord;
    private boolean fpFirstRowWord;

    private int backslashMode = BACKSLASH_ESCAPES;
    private boolean inputCut;

    /**
     * Keyed mode ({@code --redact=keyed}): from the next statement on, a literal whose value the
     * lexer read whole becomes {@code ?:} and eight hex digits, the low 32 bits of SipHash-2-4 of
     * its value under this key, so equal values can be followed across statements without being
     * shown. The value hashed is the string's content with its escapes and doubled quotes resolved
     * (so {@code 'O''Reilly'} and {@code "O\'Reilly"} agree, whatever charset introducer), the
     * digits of a hex or bit literal in lower case ({@code X'4A'} and {@code 0x4a} agree), a
     * number as written with its sign, or TRUE/FALSE; each with a type letter first, so the string
     * '5' and the number 5 differ. What was hidden rather than read (an unclosed quote, a token cut
     * by the input's end, an unclassifiable byte) stays a plain {@code ?}, as do {@code ?}
     * placeholders. The fingerprint and digest do not change. The key is made per capture and
     * never written. Keyed statements take the state machine, not the fast loop: slower.
     */
    public void literalKey(final long k0, final long k1) {
        keyed = true;
        this.k0 = k0;
        this.k1 = k1;
        if (valueHash == null) {
            valueHash = new SipHash24();
        }
    }

    /** Whether {@link #literalKey} was set. */
    public boolean keyed() {
        return keyed;
    }

    private boolean keyed;
    private long k0;
    private long k1;

    // ---- statement shapes (see StatementShapes): made on the first whole statement
    private StatementShapes shapes;
    /** The slot of the shape whose fingerprint is the last statement's, or -1 when it is in fpBytes. */
    private int fpShapeSlot = -1;
    /** The literals the fast loop found, while a statement may become a shape. */
    private boolean recording;
    /** No byte of the statement went to the state machine. */
    private boolean fastOnly;
    private int[] literalStarts;
    private int[] literalEnds;
    private byte[] literalKinds;
    private int literalCount;
    /** Keyed mode: the value of the literal being read, hashed as it goes (strings span chunks). */
    private SipHash24 valueHash;
    /** Keyed mode: a literal's value is being hashed; its type letter is {@link #valueType}. */
    private boolean hashing;
    private byte valueType;
    private final byte[] keyedToken = new byte[10];

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
        fpMax = maxFingerprintLength;
        fpBytes = new byte[Math.min(maxFingerprintLength, 1024)];
        digest = FingerprintHash.hash(fpBytes, 0, 0);
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
        if (streaming) {
            throw new IllegalStateException("a streamed statement is open: end() it first");
        }
        this.inputCut = inputCut;
        final int n = Math.max(0, length);
        final byte[] input;
        final int start;
        final byte[] srcArray = src.byteArray();
        if (srcArray != null) {
            if (n > 0) {
                src.boundsCheck(offset, n);
            }
            input = srcArray;
            start = src.wrapAdjustment() + offset;
        } else {
            if (inCopy.length < n) {
                inCopy = new byte[grownLength(n)];
            }
            if (n > 0) {
                src.getBytes(offset, inCopy, 0, n);
            }
            input = inCopy;
            start = 0;
        }
        final int end = start + n;
        more = false;
        final boolean shapeable = !keyed && !inputCut && n > 0 && n <= StatementShapes.MAX_BYTES;
        long key = 0;
        if (shapeable) {
            if (shapes == null) {
                shapes = new StatementShapes();
                literalStarts = new int[StatementShapes.MAX_LITERALS];
                literalEnds = new int[StatementShapes.MAX_LITERALS];
                literalKinds = new byte[StatementShapes.MAX_LITERALS];
            }
            key = StatementShapes.key(input, start, end);
            final int slot = shapes.match(this, key, input, start, end, backslashMode);
            if (slot >= 0 && shapes.at(slot).textLength <= dstCapacity) {
                return useShape(slot, dst, dstOffset);
            }
        }
        begin(input, start, dst, dstOffset, dstCapacity);
        reset();
        recording = shapeable;
        fastOnly = true;
        literalCount = 0;
        lex(start, end);
        finish(end);
        if (recording && fastOnly && state == CODE && literalCount <= StatementShapes.MAX_LITERALS && !outFull
            && !fpDropped && !unclosed) {
            shapes.remember(key, input, start, end, backslashMode, literalStarts, literalEnds, literalKinds,
                literalCount, out, outBase, outLength, fpBytes, fpLength, digest);
        }
        recording = false;
        final int written = outLength;
        if (out == outCopy && written > 0) {
            dst.putBytes(dstOffset, outCopy, 0, written);
        }
        this.in = null;
        this.out = null;
        this.dst = null;
        return written;
    }

    /**
     * The results of a statement of a known shape: its text, fingerprint and digest. No reference is
     * stored in a field here: under G1 each such store into this long-lived object costs a memory
     * fence, and a hit is short enough for that to show.
     */
    private int useShape(final int slot, final MutableDirectBuffer dst, final int dstOffset) {
        final StatementShapes.Shape shape = shapes.at(slot);
        final int written = shape.textLength;
        dst.putBytes(dstOffset, shape.text, 0, written);
        outLength = written;
        outFull = false;
        unclosed = false;
        fpDropped = false;
        state = CODE;
        fpLength = shape.fingerprintLength;
        fpShapeSlot = slot; // the fingerprint is copied only if asked for: most statements need only the digest
        digest = shape.digest;
        return written;
    }

    /** Statements redacted from a known shape, and whole statements that were not (for tests and benchmarks). */
    long shapeHits() {
        return shapes == null ? 0 : shapes.hits();
    }

    long shapeMisses() {
        return shapes == null ? 0 : shapes.misses();
    }

    /** The shapes, made on the first whole statement (for tests). */
    StatementShapes shapes() {
        return shapes;
    }

    /** Where the quoted string opening at {@code pos} ends (past its quote) by the fast loop's rules, or -1. */
    int closedStringEnd(final byte[] in, final int pos, final int end, final int quote) {
        return quotedEnd(in, pos, end, quote);
    }

    /**
     * Where the string after a charset introducer ends ({@code _utf8mb4'..'}, the word
     * {@code in[pos, p)} right before a quote), past its closing quote; -1 when the word is no
     * introducer, no quote follows at once, or the string is not closed (the state machine's then).
     */
    private int introducedStringEnd(final byte[] in, final int pos, final int p, final int end) {
        if (in[pos] != '_' || p - pos < 2 || p >= end || (in[p] != '\'' && in[p] != '"')
            || !Keywords.isCharset(Keywords.pack(in, pos + 1, p))) {
            return -1;
        }
        final int stringEnd = quotedEnd(in, p, end, in[p]);
        return stringEnd < 0 || (more && stringEnd == end) ? -1 : stringEnd;
    }

    private void recordLiteral(final int start, final int end, final byte kind) {
        final int c = literalCount++;
        if (c < StatementShapes.MAX_LITERALS) {
            literalStarts[c] = start;
            literalEnds[c] = end;
            literalKinds[c] = kind;
        }
    }

    /**
     * Runs the state machine over {@code in[pos, end)}; returns where it stopped: {@code end}, or,
     * when {@link #more} input may follow, where a decision needs bytes past {@code end}.
     */
    private int lex(int pos, final int end) {
        suspended = false;
        while (pos < end) {
            switch (state) {
                case CODE -> {
                    if (fastCodeFits(pos, end)) {
                        pos = fastCode(pos, end);
                    }
                    if (pos < end) {
                        fastOnly = false;
                        pos = code(pos, end);
                    }
                }
                case WORD -> pos = word(pos, end);
                case NUMBER -> pos = number(pos, end);
                case NUMBER_FRACTION -> pos = fraction(pos, end);
                case NUMBER_EXPONENT -> pos = exponent(pos, end);
                case NUMBER_HEX -> pos = hex(pos, end);
                case NUMBER_BITS -> pos = bits(pos, end);
                case QUOTED -> pos = quoted(pos, end);
                case QUOTED_ESCAPE -> {
                    state = QUOTED;
                    if (backslashMode == BACKSLASH_MODE_UNKNOWN && in[pos] == quote) {
                        // Closed here under NO_BACKSLASH_ESCAPES, open under the default: hide the rest.
                        state = HIDE_REST;
                        pos = end;
                    } else {
                        hashEscaped(in[pos]);
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
                case HIDE_REST -> pos = end;
                case SKIP_WORD -> pos = skipWord(pos, end);
                case SKIP_BACKQUOTED -> pos = skipBackquoted(pos, end);
                case SKIP_BACKQUOTED_END -> {
                    state = in[pos] == '`' ? SKIP_BACKQUOTED : CODE;
                    pos += state == CODE ? 0 : 1;
                }
                default -> throw new IllegalStateException();
            }
            if (suspended) {
                break;
            }
        }
        return pos;
    }

    // ------------------------------------------------------------------ streaming

    /**
     * Starts a statement that will arrive in chunks ({@link #feed}, then {@link #end}): the same
     * text, fingerprint and digest as {@link #redact} of the whole, without the whole ever being
     * held. Only the bytes still needed (a token cut by a chunk's end, whitespace waiting to go
     * out, a few bytes of lookahead) are carried from one chunk to the next; a token longer than
     * {@link #WINDOW_MAX} bytes (no name or keyword is) is hidden as one {@code ?}. The text is
     * capped at {@code maxTextBytes}, cut on a token boundary as in {@link #redact}.
     */
    public void begin(final int maxTextBytes) {
        if (streaming) {
            throw new IllegalStateException("a streamed statement is already open");
        }
        streaming = true;
        inputCut = false;
        reset();
        dst = null;
        dstOffset = 0;
        dstCapacity = Math.max(0, maxTextBytes);
        out = outCopy;
        outBase = 0;
        outRoom = outCopy.length;
        windowLength = 0;
        lexPos = 0;
        streamedBytes = 0;
        windowWasFull = false;
    }

    /** The next chunk of the statement begun with {@link #begin(int)}; any length, any split. */
    public void feed(final DirectBuffer src, final int offset, final int length) {
        if (!streaming) {
            throw new IllegalStateException("feed() without begin()");
        }
        if (length > 0) {
            src.boundsCheck(offset, length);
        }
        int at = offset;
        int remaining = Math.max(0, length);
        streamedBytes += remaining;
        while (remaining > 0) {
            if (windowLength == window.length) {
                window = Arrays.copyOf(window, Math.min(windowMax, grownLength(windowLength + remaining)));
            }
            final int piece = Math.min(remaining, window.length - windowLength);
            src.getBytes(at, window, windowLength, piece);
            windowLength += piece;
            at += piece;
            remaining -= piece;
            in = window;
            more = true;
            lexPos = lex(lexPos, windowLength);
            dropConsumed();
        }
        in = null;
    }

    /**
     * Ends the statement begun with {@link #begin(int)}: lexes what was held back, writes the
     * redacted text to {@code dst} from {@code dstOffset} (at most the {@code maxTextBytes} given
     * to begin) and returns its length. {@code inputCut}: the statement went on past what was
     * fed (as in {@link #redact(DirectBuffer, int, int, MutableDirectBuffer, int, int, boolean)}).
     */
    public int end(final boolean inputCut, final MutableDirectBuffer dst, final int dstOffset) {
        if (!streaming) {
            throw new IllegalStateException("end() without begin()");
        }
        streaming = false;
        this.inputCut = inputCut;
        in = window;
        more = false;
        lexPos = lex(lexPos, windowLength);
        finish(windowLength);
        final int written = outLength;
        if (written > 0) {
            dst.putBytes(dstOffset, outCopy, 0, written);
        }
        in = null;
        out = null;
        windowLength = 0;
        lexPos = 0;
        return written;
    }

    /** Abandons a streamed statement (its connection lost step): the next begin() starts afresh. */
    public void abort() {
        streaming = false;
        in = null;
        out = null;
        windowLength = 0;
        lexPos = 0;
    }

    /** Whether a statement begun with {@link #begin(int)} is open. */
    public boolean streaming() {
        return streaming;
    }

    /**
     * For tests and fuzzing: a window of {@code bytes} (at least 64) instead of 16 KiB, so that
     * the paths of a full window are reached by short statements. Applies from the next begin().
     */
    public void streamingWindow(final int bytes) {
        if (bytes < 4 * LOOKAHEAD) {
            throw new IllegalArgumentException("a window under " + 4 * LOOKAHEAD + " bytes: " + bytes);
        }
        windowMax = bytes;
        if (window.length > bytes) {
            window = EMPTY;
        }
    }

    /**
     * Whether the streamed statement filled the window: then a token longer than it was hidden
     * (or a whitespace run shrunk), and the text may differ from the whole statement's, never
     * by showing more.
     */
    public boolean windowWasFull() {
        return windowWasFull;
    }

    /** The window's size now: never more than {@link #WINDOW_MAX}, however long the statement. */
    int windowCapacity() {
        return window.length;
    }

    /** Bytes fed since {@link #begin(int)}. */
    public long streamedBytes() {
        return streamedBytes;
    }

    /** Drops the window's bytes no state refers to any more, or makes room when none can go. */
    private void dropConsumed() {
        slideWhitespace();
        int from = liveFrom(lexPos);
        if (from == 0 && windowLength == windowMax) {
            forceRoom();
            from = liveFrom(lexPos);
        }
        if (from > 0) {
            System.arraycopy(window, from, window, 0, windowLength - from);
            windowLength -= from;
            lexPos -= from;
            rebase(-from);
        }
    }

    /**
     * Inside a string, a comment or hidden bytes the lexer needs none of the bytes it has read, but
     * the whitespace before them still waits to go out with the {@code ?} or {@code /* *}{@code /}
     * that ends them. It is moved up against the resume point, over bytes no longer needed, so the
     * window can be emptied however long the string or comment is.
     */
    private void slideWhitespace() {
        final int n = wsEnd - wsStart;
        if (n <= 0 || wsEnd >= lexPos || !readsNoTokenBytes(state)) {
            return;
        }
        final int to = lexPos - n;
        if (to <= wsStart) {
            return; // the whitespace overlaps where it would go: nothing to gain
        }
        System.arraycopy(window, wsStart, window, to, n);
        wsStart = to;
        wsEnd = lexPos;
    }

    /** States whose output needs none of the bytes they have read: the value is not kept. */
    private static boolean readsNoTokenBytes(final int state) {
        return switch (state) {
            case QUOTED, QUOTED_ESCAPE, QUOTED_END, BLOCK_COMMENT, BLOCK_COMMENT_STAR, LINE_COMMENT, UNCLASSIFIED,
                 HIDE_REST, SKIP_WORD, SKIP_BACKQUOTED, SKIP_BACKQUOTED_END -> true;
            default -> false;
        };
    }

    /** The first window position the lexer may still read: the resume point, or a token's start. */
    private int liveFrom(final int pos) {
        int from = pos;
        if (wsEnd > wsStart) {
            from = Math.min(from, wsStart);
        }
        switch (state) {
            case WORD, NUMBER, NUMBER_FRACTION, NUMBER_EXPONENT, NUMBER_HEX, NUMBER_BITS, BACKQUOTED,
                 BACKQUOTED_END -> from = Math.min(from, tokenStart);
            default -> {
            }
        }
        if (signStart >= 0) {
            from = Math.min(from, signStart);
        }
        return Math.max(0, from);
    }

    /** Positions into the window move with its bytes; one that fell off can match no position. */
    private void rebase(final int delta) {
        tokenStart = Math.max(-1, tokenStart + delta);
        if (signStart >= 0) {
            signStart += delta;
        }
        if (wsEnd > wsStart) {
            wsStart += delta;
            wsEnd += delta;
        } else {
            wsStart = 0;
            wsEnd = 0;
        }
        prevEnd = Math.max(-1, prevEnd + delta);
    }

    /**
     * The window is full of one thing still needed. Whitespace waiting to go out shrinks to its
     * last byte; a token (a word, number or backquoted name longer than the window: nothing a
     * server names) is hidden as one {@code ?} and the rest of it skipped.
     */
    private void forceRoom() {
        windowWasFull = true;
        if (wsEnd - wsStart > 1 && wsStart == liveFrom(lexPos)) {
            wsStart = wsEnd - 1;
            return;
        }
        switch (state) {
            case WORD, NUMBER, NUMBER_FRACTION, NUMBER_EXPONENT, NUMBER_HEX, NUMBER_BITS -> {
                signStart = -1;
                literal(lexPos);
                state = SKIP_WORD;
            }
            case BACKQUOTED -> {
                literal(lexPos);
                state = SKIP_BACKQUOTED;
            }
            case BACKQUOTED_END -> {
                literal(lexPos);
                state = SKIP_BACKQUOTED_END;
            }
            case CODE -> {
                // A variable or :name longer than the window, waiting at lexPos. Hidden.
                literal(lexPos);
                state = SKIP_WORD;
                if (lexPos < windowLength && (in[lexPos] == '@' || in[lexPos] == ':')) {
                    lexPos++;
                    if (lexPos < windowLength && in[lexPos] == '@') {
                        lexPos++;
                    }
                }
            }
            default -> {
                // A string, comment or hidden run, whose whitespace could not move up (it is the
                // window): the whitespace goes, the state goes on. Never a new state here: that
                // would read the rest of a string as SQL.
                wsStart = 0;
                wsEnd = 0;
            }
        }
    }

    private int skipWord(int pos, final int end) {
        while (pos < end) {
            final int b = in[pos] & 0xFF;
            if (!(isIdentifierAscii(b) || b >= 0x80 || b == '.')) {
                state = CODE;
                return pos;
            }
            pos++;
        }
        return pos;
    }

    private int skipBackquoted(int pos, final int end) {
        while (pos < end) {
            if (in[pos++] == '`') {
                state = SKIP_BACKQUOTED_END;
                return pos;
            }
        }
        return pos;
    }

    /**
     * Whether a decision at the current position must wait: more input may follow and the bytes it
     * needs, up to {@code needEnd}, are not all here. Sets {@link #suspended}; the state machine
     * then returns the position it was given, unchanged, and resumes there.
     */
    private boolean waitFor(final int needEnd, final int end) {
        if (more && needEnd > end) {
            suspended = true;
            return true;
        }
        return false;
    }

    /** A UTF-8 lead byte at {@code pos} whose sequence runs past {@code end}, with more to come. */
    private boolean utf8Waits(final int pos, final int end) {
        if (!more) {
            return false;
        }
        final int b0 = in[pos] & 0xFF;
        if (b0 < 0xC2 || b0 > 0xF4) {
            return false;
        }
        final int n = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
        if (pos + n > end) {
            suspended = true;
            return true;
        }
        return false;
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
        dst.putBytes(dstOffset, fpShapeSlot >= 0 ? shapes.at(fpShapeSlot).fingerprint : fpBytes, 0, n);
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

    /**
     * Points {@link #in} at the statement's array and {@link #out} at the destination's own array,
     * or at {@link #outCopy} when the destination has none.
     */
    private void begin(final byte[] input, final int start, final MutableDirectBuffer dst, final int dstOffset,
                       final int dstCapacity) {
        in = input;
        this.dst = dst;
        this.dstOffset = dstOffset;
        this.dstCapacity = Math.max(0, dstCapacity);
        final byte[] dstArray = dst.byteArray();
        if (dstArray != null && dstOffset >= 0 && (long) dstOffset + this.dstCapacity <= dst.capacity()) {
            out = dstArray;
            outBase = dst.wrapAdjustment() + dstOffset;
            outRoom = this.dstCapacity;
        } else {
            // off-heap, or a range the buffer does not hold: write a copy, put it in at the end
            out = outCopy;
            outBase = 0;
            outRoom = outCopy.length;
        }
    }

    /** The state before a statement's first byte. */
    private void reset() {
        fpShapeSlot = -1;
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
        suspended = false;
        hashing = false;
    }

    /** Grows the fingerprint's array to hold {@code needed} bytes; false past its maximum. */
    private boolean fpRoom(final long needed) {
        if (needed <= fpBytes.length) {
            return true;
        }
        if (needed > fpMax) {
            return false;
        }
        fpBytes = Arrays.copyOf(fpBytes, Math.min(fpMax, grownLength((int) needed)));
        return true;
    }

    private static int grownLength(int needed) {
        final int n = Math.max(needed, 1024);
        final int pow = Integer.highestOneBit(n);
        return pow == n || pow >= (1 << 30) ? n : pow << 1;
    }

    private void finish(int end) {
        switch (state) {
            case WORD -> {
                if (!inputCut) {
                    endWord(end, end);
                }
            }
            case NUMBER, NUMBER_FRACTION, NUMBER_EXPONENT, NUMBER_HEX, NUMBER_BITS -> {
                if (inputCut && keyed) {
                    signStart = -1;
                    literal(end); // a number cut short is not the value it was: no token
                } else {
                    endNumber(end);
                }
            }
            case QUOTED, QUOTED_ESCAPE, HIDE_REST -> {
                unclosed = true;
                literal(end);
            }
            case SKIP_BACKQUOTED -> unclosed = true;
            case QUOTED_END -> {
                if (inputCut) {
                    literal(end); // closed where the input was cut: perhaps not the value it was
                } else {
                    valueLiteral(end);
                }
            }
            case UNCLASSIFIED -> literal(end);
            case BACKQUOTED, BLOCK_COMMENT, BLOCK_COMMENT_STAR -> unclosed = true;
            case BACKQUOTED_END -> endBackquoted(end);
            default -> {
            }
        }
        state = CODE;
        fpPendingSemis = 0;
        digest = FingerprintHash.hash(fpBytes, 0, fpLength);
    }

    /**
     * Whether {@link #fastCode} may take the tokens from {@code pos}: no list is being collapsed, no
     * semicolon waits, the two sinks agree on the previous token, whitespace waiting to go out ends
     * here, and neither sink can fill up on what is left. Each token it takes adds at most its own
     * bytes and the whitespace before it to the redacted text (a literal shrinks to one byte), and
     * at most its own bytes and one space to the fingerprint.
     */
    private boolean fastCodeFits(int pos, int end) {
        if (keyed || fpPendingSemis != 0 || fpDropped || outFull
            || fpPrevKind != prevKind || (wsEnd > wsStart && wsEnd != pos)) {
            return false;
        }
        final long rest = end - pos;
        final long outNeeded = (long) outLength + (wsEnd - wsStart) + rest;
        final long fpNeeded = fpLength + 2 * rest;
        if (outNeeded > dstCapacity || !fpRoom(fpNeeded)) {
            return false;
        }
        if (outNeeded > outRoom) {
            growOutCopy((int) outNeeded);
        }
        return true;
    }

    /**
     * The common tokens of the {@code CODE} state in one loop: plain words, integers, quoted
     * strings, plain block and line comments, {@code ?}, whitespace, punctuation and the usual operators. Token by token it gives
     * what {@link #code} gives; at the first token it leaves to {@link #code} it stores its state
     * back and returns that token's position, having done nothing with it. Only when
     * {@link #fastCodeFits}: then no sink can fill up here.
     *
     * <p>The redacted text goes out in runs: {@code in[run, gap)} is kept verbatim and not copied
     * yet, and {@code in[gap, pos)} is whitespace waiting for the next token. A word goes to the
     * fingerprint as it is scanned; its key ({@link Keywords#pack}) is only worked out where it
     * matters. Few locals, so that the compiled loop keeps them in registers.
     */
    private int fastCode(int pos, final int end) {
        final byte[] in = this.in;
        final byte[] fp = fpBytes;
        int outAt = outBase + outLength;
        int run = -1;
        int gap = wsEnd > wsStart ? wsStart : pos;
        int fpLen = fpLength;
        int prev = prevKind; // and fpPrevKind: the same, see fastCodeFits
        int prevWord = -1; // start of the previous token when it is a word taken here: its key is not worked out yet

        // Streaming: tokens that could reach past the window's end are left to the state machine.
        final boolean more = this.more;
        // Inside an IN or VALUES list that may collapse: the fingerprint goes token by token through
        // fpToken, which follows lists and rows; words are left to the state machine there.
        boolean lists = fpListActive || fpRows != ROWS_NONE;
        scan:
        while (pos < end) {
            if (more && end - pos < LOOKAHEAD) {
                break;
            }
            final int b = in[pos] & 0xFF;
            final int kind;
            final int tokenEnd;
            if (is(b, C_WORD_START) && lists) {
                // a word inside a list (NULL, NOW(), ROW): scanned here, its fingerprint through fpToken
                int p = pos;
                while (p < end && IDENTIFIER_LOWER[in[p] & 0xFF] != 0) {
                    p++;
                }
                final int introduced = introducedStringEnd(in, pos, p, end);
                if (introduced > 0) {
                    // _utf8mb4'..': the introducer goes with its string, one literal
                    kind = T_LITERAL;
                    fpLength = fpLen;
                    fpPrevKind = prev;
                    fpToken(T_LITERAL, 0, 0, 0, QUESTION);
                    fpLen = fpLength;
                    lists = fpListActive || fpRows != ROWS_NONE;
                    prevKeyword = 0;
                    prevWord = -1;
                    if (recording) {
                        recordLiteral(p, introduced, in[p]);
                    }
                    tokenEnd = introduced;
                } else {
                    if (p == end ? inputCut || more
                        : in[p] < 0 || b == '_' || (p == pos + 1 && in[p] == '\'' && is(b, C_LITERAL_PREFIX))) {
                        break; // as below: half a word, UTF-8, a charset introducer, X'..', B'..', N'..'
                    }
                    final long key = Keywords.pack(in, pos, p);
                    kind = prev != T_DOT && isTrueOrFalse(key) ? T_LITERAL : T_WORD;
                    fpLength = fpLen;
                    fpPrevKind = prev;
                    fpToken(kind, kind == T_WORD ? key : 0, pos, p, kind == T_LITERAL ? QUESTION : null);
                    fpLen = fpLength;
                    lists = fpListActive || fpRows != ROWS_NONE;
                    prevKeyword = kind == T_WORD ? key : 0;
                    prevWord = -1;
                    tokenEnd = p;
                }
            } else if (is(b, C_WORD_START)) {
                final int at = SPACE_BETWEEN[(prev << 4) | T_WORD] ? fpLen + 1 : fpLen;
                final int shift = at - pos;
                int p = pos;
                while (p < end) {
                    final byte lower = IDENTIFIER_LOWER[in[p] & 0xFF];
                    if (lower == 0) {
                        break;
                    }
                    fp[p + shift] = lower;
                    p++;
                }
                final int introduced = introducedStringEnd(in, pos, p, end);
                if (introduced > 0) {
                    // _utf8mb4'..': the introducer goes with its string, one literal
                    if (at > fpLen) {
                        fp[fpLen] = ' ';
                    }
                    fp[at] = '?';
                    Arrays.fill(fp, at + 1, p + shift, (byte) 0);
                    fpLen = at + 1;
                    fpListExpect = LIST_NONE;
                    prevKeyword = 0;
                    prevWord = -1;
                    kind = T_LITERAL;
                    if (recording) {
                        recordLiteral(p, introduced, in[p]);
                    }
                    tokenEnd = introduced;
                } else {
                    if (p == end ? inputCut || more
                        : in[p] < 0 || b == '_' || (p == pos + 1 && in[p] == '\'' && is(b, C_LITERAL_PREFIX))) {
                        // half a word at the cut, UTF-8 goes on, a charset introducer, X'..', B'..', N'..'
                        Arrays.fill(fp, at, p + shift, (byte) 0);
                        break;
                    }
                    final int length = p - pos;
                    final int first = b | 0x20;
                    if (at > fpLen) {
                        fp[fpLen] = ' ';
                    }
                    if (prev != T_DOT && ((length == 4 && first == 't') || (length == 5 && first == 'f'))
                        && isTrueOrFalse(Keywords.pack(in, pos, p))) {
                        kind = T_LITERAL;
                        fp[at] = '?';
                        Arrays.fill(fp, at + 1, at + length, (byte) 0);
                        fpLen = at + 1;
                        fpListExpect = LIST_NONE;
                        prevKeyword = 0;
                        prevWord = -1;
                    } else {
                        kind = T_WORD;
                        fpLen = at + length;
                        fpListExpect = (length == 2 && first == 'i') || ((length == 5 || length == 6) && first == 'v')
                            || (length == 3 && first == 'r') ? listAfter(Keywords.pack(in, pos, p), fpListExpect) : LIST_NONE;
                        prevWord = pos;
                    }
                    tokenEnd = p;
                }
            } else if (is(b, C_WHITESPACE)) {
                pos++;
                while (pos < end && is(in[pos], C_WHITESPACE)) {
                    pos++;
                }
                continue;
            } else if (b == '/' && pos + 1 < end && in[pos + 1] == '*') {
                // A plain block comment: its body goes, "/* */" stays. Hints, executable comments,
                // "/**/" (whose text would grow) and unclosed ones are the state machine's.
                if (commentDepth > 0 || pos + 3 >= end) {
                    break;
                }
                final int c2 = in[pos + 2];
                if (c2 == '!' || c2 == '+' || c2 == 'M' || (c2 == '*' && in[pos + 3] == '/')) {
                    break;
                }
                int q = pos + 2;
                while (q + 1 < end && !(in[q] == '*' && in[q + 1] == '/')) {
                    q++;
                }
                if (q + 1 >= end) {
                    break;
                }
                if (run < 0) {
                    run = gap;
                }
                System.arraycopy(in, run, out, outAt, pos - run);
                outAt += pos - run;
                System.arraycopy(EMPTY_COMMENT, 0, out, outAt, EMPTY_COMMENT.length);
                outAt += EMPTY_COMMENT.length;
                run = -1;
                if (recording) {
                    // its body may differ in a statement of the same shape (a trace id, a request tag)
                    recordLiteral(pos + 2, q, StatementShapes.BLOCK_COMMENT);
                }
                pos = q + 2;
                gap = pos;
                continue;
            } else if (b == '#' || (b == '-' && pos + 1 < end && in[pos + 1] == '-'
                && (pos + 2 >= end || (in[pos + 2] & 0xFF) <= ' '))) {
                // A line comment: its body goes, "#" or "--" stays, and the line's end is the next
                // token's whitespace. One that may go on past these bytes, or inside an executable
                // comment, is the state machine's.
                final int body = b == '#' ? pos + 1 : pos + 2;
                int q = body;
                while (q < end && in[q] != '\n') {
                    q++;
                }
                if (commentDepth > 0 || (q == end && (more || inputCut))) {
                    break;
                }
                if (run < 0) {
                    run = gap;
                }
                System.arraycopy(in, run, out, outAt, body - run);
                outAt += body - run;
                run = -1;
                if (recording) {
                    recordLiteral(body, q, b == '#' ? StatementShapes.HASH_COMMENT : StatementShapes.DASH_COMMENT);
                }
                pos = q;
                gap = pos;
                continue;
            } else {
                if (is(b, C_DIGIT)) {
                    int p = pos + 1;
                    byte literalKind = StatementShapes.INTEGER;
                    if (b == '0' && pos + 2 < end && (in[pos + 1] | 0x20) == 'x' && is(in[pos + 2], C_HEX)) {
                        // 0x4A..; a name or a dot after it is the state machine's
                        p = pos + 3;
                        while (p < end && is(in[p], C_HEX)) {
                            p++;
                        }
                        literalKind = StatementShapes.HEX;
                    }
                    while (p < end && is(in[p], C_DIGIT)) {
                        p++;
                    }
                    if (literalKind == StatementShapes.INTEGER && p + 1 < end && in[p] == '.' && is(in[p + 1], C_DIGIT)) {
                        // a decimal (100.50); an exponent or a second dot after it is the state machine's
                        p += 2;
                        while (p < end && is(in[p], C_DIGIT)) {
                            p++;
                        }
                        literalKind = StatementShapes.DECIMAL;
                    }
                    if (p < end) {
                        final int c = in[p];
                        if (c < 0 || c == '.' || is(c, C_IDENTIFIER)) {
                            break; // a fraction, exponent, 0x.., 0b.., 2fa_codes, UTF-8
                        }
                    } else if (more) {
                        break;
                    }
                    kind = T_LITERAL;
                    tokenEnd = p;
                    if (recording) {
                        recordLiteral(pos, p, literalKind);
                    }
                } else if (b == '\'' || b == '"') {
                    tokenEnd = quotedEnd(in, pos, end, b);
                    if (tokenEnd < 0 || (more && tokenEnd == end)) {
                        break; // unclosed, a backslash when the mode is not known, or perhaps doubled next
                    }
                    kind = T_LITERAL;
                    if (recording) {
                        recordLiteral(pos, tokenEnd, (byte) b);
                    }
                } else {
                    switch (b) {
                        case '(' -> {
                            kind = T_OPEN;
                            tokenEnd = pos + 1;
                        }
                        case ')' -> {
                            kind = T_CLOSE;
                            tokenEnd = pos + 1;
                        }
                        case ',' -> {
                            kind = T_COMMA;
                            tokenEnd = pos + 1;
                        }
                        case '?' -> {
                            kind = T_LITERAL;
                            tokenEnd = pos + 1;
                        }
                        case '.' -> {
                            final boolean qualifier = prevEnd == pos && (prev == T_WORD || prev == T_QIDENT);
                            if (!qualifier && pos + 1 < end && is(in[pos + 1], C_DIGIT)) {
                                break scan; // .5
                            }
                            kind = T_DOT;
                            tokenEnd = pos + 1;
                        }
                        case '=', '%', '^', '~' -> {
                            kind = T_OP;
                            tokenEnd = pos + 1;
                        }
                        case '<' -> {
                            kind = T_OP;
                            if (pos + 2 < end && in[pos + 1] == '=' && in[pos + 2] == '>') {
                                tokenEnd = pos + 3;
                            } else if (pos + 1 < end
                                && (in[pos + 1] == '=' || in[pos + 1] == '>' || in[pos + 1] == '<')) {
                                tokenEnd = pos + 2;
                            } else {
                                tokenEnd = pos + 1;
                            }
                        }
                        case '>' -> {
                            kind = T_OP;
                            tokenEnd = pos + 1 < end && (in[pos + 1] == '=' || in[pos + 1] == '>') ? pos + 2 : pos + 1;
                        }
                        case '!' -> {
                            kind = T_OP;
                            tokenEnd = pos + 1 < end && in[pos + 1] == '=' ? pos + 2 : pos + 1;
                        }
                        case '*' -> {
                            if (commentDepth > 0) {
                                break scan; // perhaps the end of an executable comment
                            }
                            kind = T_OP;
                            tokenEnd = pos + 1;
                        }
                        case '+', '-' -> {
                            if (pos + 1 >= end) {
                                break scan;
                            }
                            final int next = in[pos + 1];
                            if (b == '-' && next == '-') {
                                break scan; // perhaps a comment
                            }
                            if (b == '-' && next == '>') {
                                // the JSON operators -> and ->>
                                kind = T_OP;
                                tokenEnd = pos + 2 < end && in[pos + 2] == '>' ? pos + 3 : pos + 2;
                                break;
                            }
                            if ((next == '.' || is(next, C_DIGIT))
                                && valuePosition(prev, prevWord >= 0 ? Keywords.pack(in, prevWord, prevEnd) : prevKeyword)) {
                                break scan; // a signed number
                            }
                            kind = T_OP;
                            tokenEnd = pos + 1;
                        }
                        default -> {
                            break scan;
                        }
                    }
                }
                if (lists || (kind == T_OPEN && fpListExpect != LIST_NONE)) {
                    // ---- the fingerprint of a list (or of the parenthesis opening one)
                    fpLength = fpLen;
                    fpPrevKind = prev;
                    fpToken(kind, 0, pos, tokenEnd, kind == T_LITERAL ? QUESTION : null);
                    fpLen = fpLength;
                    lists = fpListActive || fpRows != ROWS_NONE;
                } else {
                    // ---- the fingerprint, as fpWrite() with no list open
                    if (SPACE_BETWEEN[(prev << 4) | kind]) {
                        fp[fpLen++] = ' ';
                    }
                    if (kind == T_LITERAL) {
                        fp[fpLen++] = '?';
                    } else {
                        for (int i = pos; i < tokenEnd; i++) {
                            fp[fpLen++] = in[i];
                        }
                        if (kind == T_OPEN) {
                            fpDepth++;
                        } else if (kind == T_CLOSE && fpDepth > 0) {
                            fpDepth--;
                        }
                    }
                    fpListExpect = LIST_NONE;
                }
                prevKeyword = 0;
                prevWord = -1;
            }

            // ---- the redacted text: the whitespace before the token, then the token or '?'
            if (run < 0) {
                run = gap;
            }
            if (kind == T_LITERAL) {
                System.arraycopy(in, run, out, outAt, pos - run);
                outAt += pos - run;
                out[outAt++] = '?';
                run = -1;
            }
            gap = tokenEnd;
            prev = kind;
            prevEnd = tokenEnd;
            pos = tokenEnd;
            // the usual one space after a token, without a trip through the dispatch above
            if (pos < end && in[pos] == ' ') {
                pos++;
            }
        }

        if (run >= 0) {
            System.arraycopy(in, run, out, outAt, gap - run);
            outAt += gap - run;
        }
        outLength = outAt - outBase;
        if (gap < pos) {
            wsStart = gap;
            wsEnd = pos;
        } else {
            wsStart = 0;
            wsEnd = 0;
        }
        fpLength = fpLen;
        fpPrevKind = prev;
        prevKind = prev;
        if (prevWord >= 0) {
            prevKeyword = Keywords.pack(in, prevWord, prevEnd);
        }
        return pos;
    }

    /**
     * The end of the quoted string opening at {@code pos} with {@code quote}, past its closing
     * quote; -1 when it is not closed, or holds a backslash while the mode is not known.
     */
    private int quotedEnd(byte[] in, int pos, int end, int quote) {
        final int mode = backslashMode;
        final long quotes = quote * EVERY_BYTE;
        int p = pos + 1;
        while (p < end) {
            // eight bytes at a time up to the first quote or backslash
            while (p + 8 <= end) {
                final long word = (long) LONG_LE.get(in, p);
                final long hits = zeroBytes(word ^ quotes) | zeroBytes(word ^ BACKSLASHES);
                if (hits != 0) {
                    p += Long.numberOfTrailingZeros(hits) >>> 3;
                    break;
                }
                p += 8;
            }
            if (p == end) {
                break;
            }
            final int c = in[p++];
            if (c == '\\' && mode != NO_BACKSLASH_ESCAPES) {
                if (mode == BACKSLASH_MODE_UNKNOWN) {
                    return -1;
                }
                p++;
            } else if (c == quote) {
                if (p < end && in[p] == quote) {
                    p++; // a doubled quote
                } else {
                    return p;
                }
            }
        }
        return -1;
    }

    /**
     * The high bit of the lowest zero byte of {@code word} is set, and no bit below it (a borrow
     * may also mark bytes above a zero byte: only the lowest mark is to be used).
     */
    private static long zeroBytes(long word) {
        return (word - EVERY_BYTE) & ~word & HIGH_BITS;
    }

    private static boolean isTrueOrFalse(long key) {
        return key == Keywords.TRUE || key == Keywords.FALSE;
    }

    /** What a word asks of a list that opens right after it; {@code expect}: what the word before asked. */
    private static int listAfter(long key, int expect) {
        if (key == Keywords.IN) {
            return LIST_IN;
        }
        if (key == Keywords.VALUES || key == Keywords.VALUE) {
            return LIST_VALUES;
        }
        return key == Keywords.ROW && expect == LIST_VALUES ? LIST_VALUES_ROW : LIST_NONE;
    }

    /** Between tokens: classify the byte at {@code pos}; short tokens are emitted at once. */
    private int code(int pos, int end) {
        final int b = in[pos] & 0xFF;
        if (more && end - pos < LOOKAHEAD && !isWhitespace(b)) {
            suspended = true; // a token starts here: its first bytes decide what it is
            return pos;
        }
        switch (b) {
            case ' ', '\t', '\r', '\n' -> {
                if (wsEnd != pos) {
                    wsStart = pos;
                }
                int p = pos + 1;
                while (p < end && isWhitespace(in[p])) {
                    p++;
                }
                wsEnd = p;
                return p;
            }
            case '\'', '"' -> {
                tokenStart = pos;
                quote = (byte) b;
                state = QUOTED;
                startValue((byte) 's');
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
                    final byte next = in[pos + 1];
                    if (next == '-' && (pos + 2 >= end || (in[pos + 2] & 0xFF) <= ' ')) {
                        outConst(DASHES);
                        state = LINE_COMMENT;
                        return pos + 2;
                    }
                    if (next == '>') {
                        return op(pos, pos + 2 < end && in[pos + 2] == '>' ? 3 : 2);
                    }
                }
                return sign(pos, end);
            }
            case '+' -> {
                return sign(pos, end);
            }
            case '/' -> {
                if (pos + 1 < end && in[pos + 1] == '*') {
                    return commentOpen(pos, end);
                }
                return op(pos, 1);
            }
            case '*' -> {
                if (commentDepth > 0 && pos + 1 < end && in[pos + 1] == '/') {
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
                if (!qualifier && pos + 1 < end && isDigit(in[pos + 1])) {
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
                    final int next = in[pos + 1] & 0xFF;
                    if (next == '=') {
                        return op(pos, 2);
                    }
                    if (isAsciiLetter((byte) next) || next == '_') {
                        int p = pos + 2;
                        while (p < end && isIdentifierAscii(in[p] & 0xFF)) {
                            p++;
                        }
                        if (waitFor(p + 1, end)) {
                            return pos;
                        }
                        token(T_PLACEHOLDER, pos, p);
                        return p;
                    }
                }
                return op(pos, 1);
            }
            case '@' -> {
                int p = pos + 1;
                if (p < end && in[p] == '@') {
                    p++;
                }
                int q = p;
                while (q < end) {
                    final int c = in[q] & 0xFF;
                    if (isIdentifierAscii(c) || c == '.') {
                        q++;
                    } else if (c >= 0x80 && utf8Waits(q, end)) {
                        return pos;
                    } else if (c >= 0x80 && utf8Length(q, end) > 0) {
                        q += utf8Length(q, end);
                    } else {
                        break;
                    }
                }
                if (waitFor(q + 1, end)) {
                    return pos;
                }
                if (q == end && inputCut) {
                    return q; // a variable name running into the cut: half a name, dropped like a word
                }
                if (q > p) {
                    token(T_VAR, pos, q);
                    return q;
                }
                final boolean userHost = prevKind == T_LITERAL || prevKind == T_QIDENT
                    || (prevKind == T_WORD && prevEnd == pos);
                return emit(userHost ? T_AT : T_AT_VAR, pos, p - pos);
            }
            case '<' -> {
                if (pos + 2 < end && in[pos + 1] == '=' && in[pos + 2] == '>') {
                    return op(pos, 3);
                }
                if (pos + 1 < end) {
                    final byte next = in[pos + 1];
                    if (next == '=' || next == '>' || next == '<') {
                        return op(pos, 2);
                    }
                }
                return op(pos, 1);
            }
            case '>' -> {
                if (pos + 1 < end) {
                    final byte next = in[pos + 1];
                    if (next == '=' || next == '>') {
                        return op(pos, 2);
                    }
                }
                return op(pos, 1);
            }
            case '!' -> {
                return op(pos, pos + 1 < end && in[pos + 1] == '=' ? 2 : 1);
            }
            case '&' -> {
                return op(pos, pos + 1 < end && in[pos + 1] == '&' ? 2 : 1);
            }
            case '|' -> {
                return op(pos, pos + 1 < end && in[pos + 1] == '|' ? 2 : 1);
            }
            case '=', '%', '^', '~', '{', '}', '[', ']' -> {
                return op(pos, 1);
            }
            default -> {
                if (isDigit((byte) b)) {
                    return numberStart(pos, end);
                }
                if (isAsciiLetter((byte) b) || b == '_' || b == '$') {
                    return wordStart(pos, end);
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

    /**
     * A word starting with an ASCII letter, '_' or '$' at {@code pos}: its ASCII part is scanned
     * here, packing its key on the way; a word running into UTF-8 or the end goes on in {@link #word}.
     */
    private int wordStart(int pos, int end) {
        final byte[] in = this.in;
        final byte[] codes = Keywords.CODES;
        long key = 0;
        boolean packable = true;
        int p = pos;
        while (p < end) {
            final int b = in[p] & 0xFF;
            final int code = codes[b];
            if (code != 0) {
                key = (key << 6) | code;
            } else if (b == '$') {
                packable = false;
            } else {
                break;
            }
            p++;
        }
        tokenStart = pos;
        if (p == end || in[p] < 0) {
            state = WORD;
            return p;
        }
        if (!packable || p - pos > Keywords.MAX_LENGTH) {
            key = 0;
        }
        state = CODE;
        return endLetterWord(p, end, key);
    }

    /** Digits at {@code pos}: a plain integer ended by ASCII punctuation or space is done here. */
    private int numberStart(int pos, int end) {
        final byte[] in = this.in;
        tokenStart = pos;
        signStart = -1;
        int p = pos + 1;
        while (p < end && isDigit(in[p])) {
            p++;
        }
        if (p < end) {
            final int b = in[p];
            if (b >= 0 && b != '.' && !isIdentifierAscii(b)) {
                endNumber(p);
                return p;
            }
        }
        state = NUMBER;
        return p;
    }

    /** A '+' or '-' that is not a comment or arrow: part of the number when in value position. */
    private int sign(int pos, int end) {
        if (valuePosition() && pos + 1 < end) {
            final byte next = in[pos + 1];
            if (isDigit(next)) {
                signStart = pos;
                tokenStart = pos + 1;
                state = NUMBER;
                return pos + 2;
            }
            if (next == '.' && pos + 2 < end && isDigit(in[pos + 2])) {
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
        if (p < end && in[p] == '!') {
            final int digits = countDigits(p + 1, end);
            contentStart = p + 1 + (digits >= 5 ? 5 : 0);
        } else if (p + 1 < end && in[p] == 'M' && in[p + 1] == '!') {
            final int digits = countDigits(p + 2, end);
            contentStart = p + 2 + (digits >= 6 ? 6 : digits == 5 ? 5 : 0);
        } else if (p < end && in[p] == '+' && prevKind == T_WORD && Keywords.isHintVerb(prevKeyword)) {
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
            final int b = in[pos] & 0xFF;
            if (isIdentifierAscii(b)) {
                pos++;
            } else if (b >= 0x80) {
                if (utf8Waits(pos, end)) {
                    return pos;
                }
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
        final byte first = in[start];
        if (isDigit(first)) {
            // "123e" is a name to the server, but it is also a float cut before its exponent: hide it
            final byte last = in[pos - 1];
            if ((last == 'e' || last == 'E') && allDigits(start, pos - 1)) {
                literal(pos);
            } else {
                word(start, pos, 0);
            }
            return pos;
        }
        return endLetterWord(pos, end, Keywords.pack(in, start, pos));
    }

    /** {@link #endWord} for a word not starting with a digit, {@code key} its {@link Keywords#pack}. */
    private int endLetterWord(int pos, int end, long key) {
        final int start = tokenStart;
        final int length = pos - start;
        final byte first = in[start];
        if (length == 1 && pos < end && in[pos] == '\'' && isLiteralPrefix(first)) {
            quote = '\'';
            state = QUOTED;
            final int prefix = first | 0x20;
            startValue((byte) (prefix == 'n' ? 's' : prefix)); // N'..' is a string; X'..', B'..' digits
            return pos + 1;
        }
        if (first == '_' && length > 1 && Keywords.isCharset(Keywords.pack(in, start + 1, pos))) {
            int q = pos;
            while (q < end && isWhitespace(in[q])) {
                q++;
            }
            if (waitFor(q + 3, end)) {
                state = WORD; // back to the word's end, when the literal's first bytes are here
                return pos;
            }
            if (literalStartsAt(q, end)) {
                // the introducer goes with its literal; the whitespace after it is dropped too
                return q;
            }
        }
        if ((key == Keywords.TRUE || key == Keywords.FALSE) && prevKind != T_DOT) {
            if (keyed) {
                startValue((byte) 'w');
                hashLower(start, pos);
            }
            valueLiteral(pos);
            return pos;
        }
        word(start, pos, key);
        return pos;
    }

    private int number(int pos, int end) {
        while (pos < end) {
            final int b = in[pos] & 0xFF;
            if (isDigit((byte) b)) {
                pos++;
                continue;
            }
            if (b == '.') {
                state = NUMBER_FRACTION;
                return pos + 1;
            }
            if (b == 'e' || b == 'E') {
                if (waitFor(pos + 3, end)) {
                    return pos;
                }
                final int e = exponentMarker(pos, end);
                if (e > 0) {
                    state = NUMBER_EXPONENT;
                    exponentMayBeWord = e == 1;
                    return pos + e;
                }
            }
            if (pos == tokenStart + 1 && in[tokenStart] == '0' && waitFor(pos + 2, end)) {
                return pos;
            }
            if (b >= 0x80 && utf8Waits(pos, end)) {
                return pos;
            }
            if (pos == tokenStart + 1 && in[tokenStart] == '0' && pos + 1 < end) {
                final byte next = in[pos + 1];
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
            final int b = in[pos] & 0xFF;
            if (isDigit((byte) b)) {
                pos++;
                continue;
            }
            if (b == 'e' || b == 'E') {
                if (waitFor(pos + 3, end)) {
                    return pos;
                }
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
            final int b = in[pos] & 0xFF;
            if (isDigit((byte) b)) {
                pos++;
                continue;
            }
            if (b >= 0x80 && utf8Waits(pos, end)) {
                return pos;
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
            final int b = in[pos] & 0xFF;
            if (isHexDigit((byte) b)) {
                pos++;
                continue;
            }
            if (b >= 0x80 && utf8Waits(pos, end)) {
                return pos;
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
            final int b = in[pos] & 0xFF;
            if (b == '0' || b == '1') {
                pos++;
                continue;
            }
            if (b >= 0x80 && utf8Waits(pos, end)) {
                return pos;
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
        if (keyed) {
            final int start = tokenStart;
            if (pos - start > 2 && in[start] == '0' && ((in[start + 1] | 0x20) == 'x' || (in[start + 1] | 0x20) == 'b')
                && signStart < 0) {
                startValue((byte) (in[start + 1] | 0x20)); // 0x4A as X'4a', 0b101 as B'101'
                hashLower(start + 2, pos);
            } else {
                startValue((byte) 'n');
                final int from = signStart >= 0 ? signStart : start;
                valueHash.update(in, from, pos - from);
            }
        }
        signStart = -1;
        valueLiteral(pos);
    }

    private int quoted(int pos, int end) {
        final byte q = quote;
        final int from = pos;
        while (pos < end) {
            final byte b = in[pos++];
            if (b == '\\' && backslashMode != NO_BACKSLASH_ESCAPES) {
                state = QUOTED_ESCAPE;
                hashRun(from, pos - 1);
                return pos;
            }
            if (b == q) {
                state = QUOTED_END;
                hashRun(from, pos - 1);
                return pos;
            }
        }
        hashRun(from, pos);
        return pos;
    }

    private int quotedEnd(int pos) {
        if (in[pos] == quote) {
            state = QUOTED;
            hashByte(quote); // a doubled quote is one quote of the value
            return pos + 1;
        }
        state = CODE;
        valueLiteral(pos);
        return pos;
    }

    private int backquoted(int pos, int end) {
        while (pos < end) {
            final int b = in[pos] & 0xFF;
            if (b == '`') {
                state = BACKQUOTED_END;
                return pos + 1;
            }
            if (b >= 0x80) {
                if (utf8Waits(pos, end)) {
                    return pos;
                }
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
        if (in[pos] == '`') {
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
            if (in[pos] == '\n') {
                state = CODE;
                return pos;
            }
            pos++;
        }
        return pos;
    }

    private int blockComment(int pos, int end) {
        while (pos < end) {
            if (in[pos++] == '*') {
                state = BLOCK_COMMENT_STAR;
                return pos;
            }
        }
        return pos;
    }

    private int blockCommentStar(int pos) {
        final byte b = in[pos];
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
            final int b = in[pos] & 0xFF;
            if (b >= 0x80) {
                if (utf8Waits(pos, end)) {
                    return pos;
                }
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
        return valuePosition(prevKind, prevKeyword);
    }

    private static boolean valuePosition(int prevKind, long prevKeyword) {
        return switch (prevKind) {
            case T_NONE, T_OPEN, T_COMMA, T_SEMI, T_OP, T_AT, T_AT_VAR, T_HINT_OPEN, T_HINT_CLOSE -> true;
            case T_WORD -> Keywords.isValueStart(prevKeyword);
            default -> false;
        };
    }

    /** 1 for "e" + digit, 2 for "e" + sign + digit, else 0. */
    private int exponentMarker(int pos, int end) {
        if (pos + 1 >= end) {
            return 0;
        }
        final byte next = in[pos + 1];
        if (isDigit(next)) {
            return 1;
        }
        if ((next == '+' || next == '-') && pos + 2 < end && isDigit(in[pos + 2])) {
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
        final byte b = in[q];
        if (b == '\'' || b == '"') {
            return true;
        }
        if (q + 1 >= end) {
            return false;
        }
        final byte next = in[q + 1];
        if (isLiteralPrefix(b) && next == '\'') {
            return true;
        }
        if (b == '0' && q + 2 < end) {
            final byte third = in[q + 2];
            return ((next == 'x' || next == 'X') && isHexDigit(third))
                || ((next == 'b' || next == 'B') && (third == '0' || third == '1'));
        }
        return false;
    }

    private boolean allDigits(int start, int end) {
        for (int i = start; i < end; i++) {
            if (!isDigit(in[i])) {
                return false;
            }
        }
        return true;
    }

    private int countDigits(int p, int end) {
        int n = 0;
        while (p + n < end && isDigit(in[p + n])) {
            n++;
        }
        return n;
    }

    /** Length of the valid UTF-8 sequence of two to four bytes at {@code pos}, else 0. */
    private int utf8Length(int pos, int end) {
        final int b0 = in[pos] & 0xFF;
        if (b0 < 0xC2 || b0 > 0xF4) {
            return 0;
        }
        final int n = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
        if (pos + n > end) {
            return 0;
        }
        final int b1 = in[pos + 1] & 0xFF;
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
            if ((in[pos + i] & 0xC0) != 0x80) {
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

    /** A literal whose value was read whole: keyed, its token; else {@code ?}. */
    private void valueLiteral(int end) {
        if (!hashing) {
            literal(end);
            return;
        }
        hashing = false;
        final long h = valueHash.finish();
        final byte[] t = keyedToken;
        t[0] = '?';
        t[1] = ':';
        for (int i = 0; i < 8; i++) {
            t[2 + i] = HEX_DIGITS[(int) (h >>> (28 - 4 * i)) & 0xF];
        }
        outConst(t);
        fpToken(T_LITERAL, 0, 0, 0, QUESTION);
        prevKind = T_LITERAL;
        prevKeyword = 0;
        prevEnd = end;
    }

    // ---- keyed mode: the value being hashed

    private void startValue(final byte type) {
        if (keyed) {
            valueHash.reset(k0, k1);
            valueHash.update(type);
            valueType = type;
            hashing = true;
        }
    }

    private void hashRun(final int from, final int to) {
        if (hashing && to > from) {
            if (valueType == 'x' || valueType == 'b') {
                hashLower(from, to);
            } else {
                valueHash.update(in, from, to - from);
            }
        }
    }

    private void hashByte(final byte b) {
        if (hashing) {
            valueHash.update(b);
        }
    }

    private void hashLower(final int from, final int to) {
        for (int i = from; i < to; i++) {
            valueHash.update(LOWER[in[i] & 0xFF]);
        }
    }

    /** The byte a backslash escape stands for (MySQL's list); {@code \%} and {@code \_} keep their backslash. */
    private void hashEscaped(final byte c) {
        if (!hashing) {
            return;
        }
        switch (c) {
            case '0' -> valueHash.update((byte) 0);
            case 'b' -> valueHash.update((byte) 8);
            case 'n' -> valueHash.update((byte) '\n');
            case 'r' -> valueHash.update((byte) '\r');
            case 't' -> valueHash.update((byte) '\t');
            case 'Z' -> valueHash.update((byte) 0x1A);
            case '%', '_' -> {
                valueHash.update((byte) '\\');
                valueHash.update(c);
            }
            default -> valueHash.update(c);
        }
    }

    private static final byte[] HEX_DIGITS = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private void literal(int end) {
        hashing = false;
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
        final long needed = (long) outLength + ws + length;
        if (needed > dstCapacity) {
            outFull = true;
            return false;
        }
        if (needed > outRoom) {
            growOutCopy((int) needed);
        }
        if (ws > 0) {
            copy(in, wsFrom, out, outBase + outLength, ws);
            outLength += ws;
        }
        return true;
    }

    /** Only when writing to {@link #outCopy}: the destination's own array is never outgrown. */
    private void growOutCopy(int needed) {
        final byte[] bigger = new byte[Math.min(grownLength(needed), dstCapacity)];
        System.arraycopy(outCopy, 0, bigger, 0, outLength);
        outCopy = bigger;
        out = bigger;
        outRoom = bigger.length;
    }

    private void outSource(int start, int end) {
        if (reserve(end - start)) {
            copy(in, start, out, outBase + outLength, end - start);
            outLength += end - start;
        }
    }

    private void outConst(byte[] bytes) {
        if (reserve(bytes.length)) {
            copy(bytes, 0, out, outBase + outLength, bytes.length);
            outLength += bytes.length;
        }
    }

    /** Tokens are mostly a few bytes long: a loop beats a call for those. */
    private static void copy(byte[] from, int fromIndex, byte[] to, int toIndex, int length) {
        if (length <= 8) {
            for (int i = 0; i < length; i++) {
                to[toIndex + i] = from[fromIndex + i];
            }
        } else {
            System.arraycopy(from, fromIndex, to, toIndex, length);
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
        boolean rowContinues = false;
        if (fpListActive || fpRows != ROWS_NONE) {
            rowContinues = fpTrackLists(kind, key);
        }
        if (!fpDropped) {
            fpAppend(kind, start, end, constant);
        }
        if (kind == T_OPEN) {
            fpOpen(rowContinues);
        } else if (kind == T_CLOSE) {
            fpClose();
        }
        fpListExpect = kind == T_WORD ? listAfter(key, fpListExpect) : LIST_NONE;
        fpPrevKind = kind;
    }

    /** Counts the items of an open list and follows the rows of VALUES; true when a row goes on. */
    private boolean fpTrackLists(int kind, long key) {
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
        } else if (fpRows == ROWS_AFTER_COMMA && kind == T_WORD && key == Keywords.ROW) {
            fpRows = ROWS_AFTER_ROW_WORD;
        } else if (fpRows != ROWS_NONE) {
            rowContinues = kind == T_OPEN;
            if (rowContinues) {
                fpListRowWord = fpRows == ROWS_AFTER_ROW_WORD;
            }
            fpRows = ROWS_NONE;
        }
        return rowContinues;
    }

    private void fpAppend(int kind, int start, int end, byte[] constant) {
        final boolean space = SPACE_BETWEEN[(fpPrevKind << 4) | kind];
        final int length = constant != null ? constant.length : end - start;
        byte[] fp = fpBytes;
        int at = fpLength;
        if (at + (space ? 1 : 0) + length > fp.length) {
            if (!fpRoom(at + (space ? 1 : 0) + (long) length)) {
                fpDropped = true;
                return;
            }
            fp = fpBytes;
        }
        if (space) {
            fp[at++] = ' ';
        }
        if (constant != null) {
            copy(constant, 0, fp, at, length);
            fpLength = at + length;
        } else if (kind == T_WORD || kind == T_VAR || kind == T_PLACEHOLDER) {
            final byte[] in = this.in;
            for (int i = start; i < end; i++) {
                fp[at++] = LOWER[in[i] & 0xFF];
            }
            fpLength = at;
        } else if (kind == T_QIDENT) {
            fpLength = at;
            fpBackquoted(start, end);
        } else {
            copy(in, start, fp, at, length);
            fpLength = at + length;
        }
    }

    private void fpOpen(boolean rowContinues) {
        fpDepth++;
        // IN ((a, b), (c, d)): the tuples are rows of the IN list
        final boolean tuple = fpListActive && fpListKind == KIND_IN && fpPrevKind == T_OPEN
            && fpDepth == fpListDepth + 1;
        if (fpListExpect != LIST_NONE || rowContinues || tuple) {
            fpListActive = false;
            if (!fpDropped) {
                fpListActive = true;
                fpListKind = rowContinues ? KIND_ROW_NEXT : fpListExpect == LIST_IN ? KIND_IN : KIND_ROW_FIRST;
                if (!rowContinues) {
                    fpListRowWord = fpListExpect == LIST_VALUES_ROW;
                }
                fpListStart = fpLength - 1;
                fpListDepth = fpDepth;
                fpListSimple = true;
                fpListItems = 0;
            }
        }
    }

    private void fpClose() {
        if (fpListActive && fpDepth == fpListDepth) {
            closeList();
        }
        if (fpDepth > 0) {
            fpDepth--;
        }
    }

    private void closeList() {
        fpListActive = false;
        if (fpListSimple && fpListItems > 0) {
            fpLength = fpListStart + 1;
            fpDropped = false;
            if (fpRoom(fpLength + COLLAPSED_TAIL.length)) {
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
            fpFirstRowWord = fpListRowWord;
            fpRowsDepth = fpListDepth - 1;
        } else if (fpListRowWord == fpFirstRowWord
            && sameBytes(fpListStart, fpLength, fpFirstRowStart, fpFirstRowEnd)) {
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

    /**
     * A plain name without its backquotes, as it would be written unquoted; any other name keeps
     * them (its doubled backquotes too), so that {@code `a b`} does not read as a name and an
     * alias. Room: at most {@code end - start} bytes, checked by {@link #fpAppend}.
     */
    private void fpBackquoted(int start, int end) {
        final byte[] in = this.in;
        final byte[] fp = fpBytes;
        final boolean plain = plainName(in, start + 1, end - 1);
        int at = fpLength;
        for (int i = plain ? start + 1 : start, to = plain ? end - 1 : end; i < to; i++) {
            fp[at++] = LOWER[in[i] & 0xFF];
        }
        fpLength = at;
    }

    /**
     * Whether the content of a backquoted name (valid UTF-8, no control bytes: see
     * {@link #endBackquoted}) reads back as the same one name when written without backquotes:
     * not empty, only ASCII letters, digits, {@code _}, {@code $} and non-ASCII characters, and
     * not shaped like a number ({@code 123}, {@code 1e5}, {@code 123e}, {@code 0x1f}, {@code 0b01}).
     */
    static boolean plainName(final byte[] in, final int from, final int to) {
        if (from >= to) {
            return false;
        }
        boolean digits = true;
        for (int i = from; i < to; i++) {
            final int b = in[i] & 0xFF;
            if (b < 0x80 && !isIdentifierAscii(b)) {
                return false;
            }
            digits &= isDigit((byte) b);
        }
        return !digits && !numberShaped(in, from, to);
    }

    /** {@code in[from, to)} (not only digits) is {@code 0x} hex, {@code 0b} bits, or digits, e, digits. */
    private static boolean numberShaped(final byte[] in, final int from, final int to) {
        final int second = to - from > 2 && in[from] == '0' ? in[from + 1] | 0x20 : 0;
        if (second == 'x' || second == 'b') {
            for (int i = from + 2; i < to; i++) {
                final byte b = in[i];
                if (second == 'x' ? !isHexDigit(b) : b != '0' && b != '1') {
                    return false;
                }
            }
            return true;
        }
        int i = from;
        while (i < to && isDigit(in[i])) {
            i++;
        }
        if (i == from || i == to || (in[i] | 0x20) != 'e') {
            return false;
        }
        i++;
        while (i < to && isDigit(in[i])) {
            i++;
        }
        return i == to;
    }

    /** {@link #needsSpace} for {@code (prev << 4) | kind}. */
    private static final boolean[] SPACE_BETWEEN = new boolean[256];

    static {
        for (int prev = 0; prev < 16; prev++) {
            for (int kind = 0; kind < 16; kind++) {
                SPACE_BETWEEN[(prev << 4) | kind] = needsSpace(prev, kind);
            }
            if (needsSpace(prev, T_WORD) != needsSpace(prev, T_LITERAL)) {
                throw new AssertionError("fastCode spaces TRUE and FALSE as words");
            }
        }
    }

    private static boolean needsSpace(int prev, int kind) {
        if (prev == T_NONE || prev == T_OPEN || prev == T_DOT || prev == T_AT || prev == T_AT_VAR) {
            return false;
        }
        if (kind == T_CLOSE || kind == T_COMMA || kind == T_SEMI || kind == T_DOT || kind == T_AT) {
            return false;
        }
        return !(kind == T_OPEN
            && (prev == T_WORD || prev == T_QIDENT || prev == T_VAR || prev == T_PLACEHOLDER));
    }

    // ------------------------------------------------------------------ byte classes

    private static final int C_WHITESPACE = 1;
    private static final int C_DIGIT = 2;
    private static final int C_HEX = 4;
    private static final int C_LETTER = 8;
    /** ASCII letters, digits, '_' and '$'. */
    private static final int C_IDENTIFIER = 16;
    private static final int C_LITERAL_PREFIX = 32;
    /** Control bytes other than space, tab, CR and LF; DEL; backslash. */
    private static final int C_UNCLASSIFIABLE = 64;
    /** ASCII letters, '_' and '$': what starts a word. */
    private static final int C_WORD_START = 128;

    /** The classes of each byte value, indexed by {@code b & 0xFF}; bytes from 0x80 have none. */
    private static final byte[] CLASSES = new byte[256];
    /** ASCII lower case of each byte value, indexed by {@code b & 0xFF}. */
    private static final byte[] LOWER = new byte[256];
    /** {@link #LOWER} for the bytes of {@link #C_IDENTIFIER}, 0 for the others. */
    private static final byte[] IDENTIFIER_LOWER = new byte[256];

    static {
        for (int b = 0; b < 256; b++) {
            int c = 0;
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                c |= C_WHITESPACE;
            }
            if (b >= '0' && b <= '9') {
                c |= C_DIGIT | C_HEX | C_IDENTIFIER;
            }
            if ((b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')) {
                c |= C_HEX;
            }
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
                c |= C_LETTER | C_IDENTIFIER;
            }
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || b == '$') {
                c |= C_WORD_START;
            }
            if (b == '_' || b == '$') {
                c |= C_IDENTIFIER;
            }
            if (b == 'x' || b == 'X' || b == 'b' || b == 'B' || b == 'n' || b == 'N') {
                c |= C_LITERAL_PREFIX;
            }
            if ((b < 0x20 && (c & C_WHITESPACE) == 0) || b == 0x7F || b == '\\') {
                c |= C_UNCLASSIFIABLE;
            }
            CLASSES[b] = (byte) c;
            LOWER[b] = (byte) (b >= 'A' && b <= 'Z' ? b + 32 : b);
            IDENTIFIER_LOWER[b] = (c & C_IDENTIFIER) != 0 ? LOWER[b] : 0;
        }
    }

    private static boolean is(int b, int classes) {
        return (CLASSES[b & 0xFF] & classes) != 0;
    }

    private static boolean isWhitespace(int b) {
        return is(b, C_WHITESPACE);
    }

    private static boolean isDigit(byte b) {
        return is(b, C_DIGIT);
    }

    private static boolean isHexDigit(byte b) {
        return is(b, C_HEX);
    }

    private static boolean isAsciiLetter(byte b) {
        return is(b, C_LETTER);
    }

    private static boolean isIdentifierAscii(int b) {
        return is(b, C_IDENTIFIER);
    }

    /** Any byte that could continue an identifier, UTF-8 lead and continuation bytes included. */
    private static boolean isIdentifierByte(int b) {
        return isIdentifierAscii(b) || (b & 0xFF) >= 0x80;
    }

    private static boolean isLiteralPrefix(byte b) {
        return is(b, C_LITERAL_PREFIX);
    }

    private static boolean isUnclassifiableAscii(int b) {
        return is(b, C_UNCLASSIFIABLE);
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
