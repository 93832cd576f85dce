package spyglass.mysql;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import spyglass.redact.SqlRedactor;

/**
 * One connection's statement redacted while it streams in, for a command packet split over
 * several TCP segments (a statement that lies whole in one segment is redacted in place by the
 * worker's shared redactor instead). Its own redactor, made on the first split statement, holds
 * only what redaction still needs (the token in hand, the text so far, the fingerprint), never the
 * statement.
 */
final class StatementStream implements PayloadListener {
    private final MysqlConnection connection;
    private SqlRedactor redactor;
    private boolean redacting;
    private boolean checkNul;
    private boolean sawNul;
    /** Stepping over a COM_QUERY's query attributes (the connection's {@link QueryAttributes}). */
    private boolean skippingAttributes;
    private boolean attributesUnreadable;
    /** Bytes of the statement's payload that were attributes, not text. */
    private long attributeBytes;

    StatementStream(final MysqlConnection connection) {
        this.connection = connection;
    }

    @Override
    public void onPayload(final DirectBuffer src, final int offset, final int length, final long payloadOffset) {
        int from = offset;
        int n = length;
        if (payloadOffset == 0) {
            redacting = false;
            if (!connection.expectsCommand()) {
                return; // login, auth data, LOCAL INFILE contents: not statements
            }
            final int command = src.getByte(offset) & 0xFF;
            if (command != MysqlProtocol.COM_QUERY && command != MysqlProtocol.COM_STMT_PREPARE) {
                return;
            }
            if (redactor == null) {
                redactor = connection.newRedactor();
            } else if (redactor.streaming()) {
                redactor.abort(); // the last one was cut off by a gap
            }
            redactor.backslashMode(connection.backslashMode());
            redactor.begin(connection.maxStatementBytes());
            checkNul = connection.resumedAfterResync();
            sawNul = false;
            redacting = true;
            final int attributes = command == MysqlProtocol.COM_QUERY ? connection.attributesAhead(src, offset + 1, n - 1) : 0;
            if (attributes == MysqlConnection.ATTRIBUTES_UNDECIDED) {
                redactor.abort(); // too little here to tell (a mid-stream login): the kept bytes will do
                redacting = false;
                return;
            }
            skippingAttributes = attributes == 1;
            attributesUnreadable = false;
            attributeBytes = 0;
            if (skippingAttributes) {
                connection.attributes.begin();
            }
            from++;
            n--;
        }
        if (redacting && skippingAttributes && n > 0) {
            final QueryAttributes attributes = connection.attributes;
            final int block = attributes.skip(src, from, n);
            attributeBytes += block;
            from += block;
            n -= block;
            if (attributes.inText()) {
                skippingAttributes = false;
            } else if (attributes.malformed()) {
                skippingAttributes = false;
                attributesUnreadable = true;
                n = 0; // where the text begins is unknown: none of it is read
            }
        }
        if (redacting && !skippingAttributes && !attributesUnreadable && n > 0) {
            if (checkNul && !sawNul) {
                sawNul = containsNul(src, from, n);
            }
            redactor.feed(src, from, n);
        }
    }

    /** Whether the completed packet's statement was streamed whole, {@code statementLength} bytes of it. */
    boolean holds(final long statementLength) {
        return redacting && redactor.streaming()
            && (attributesUnreadable || !skippingAttributes && redactor.streamedBytes() == statementLength - attributeBytes);
    }

    /** Whether the streamed statement's query attributes broke the protocol's rules (see {@link QueryAttributes}). */
    boolean attributesUnreadable() {
        return attributesUnreadable;
    }

    /** Whether a raw NUL went by, when it was asked to look ({@link MysqlConnection#resumedAfterResync}). */
    boolean sawNul() {
        return sawNul;
    }

    /** Ends the streamed statement: its text into {@code dst}, its length returned; see {@link #redactor()}. */
    int end(final MutableDirectBuffer dst) {
        redacting = false;
        return redactor.end(false, dst, 0);
    }

    /** Gives a streamed statement up (the connection lost step, or did not want it). */
    void abandon() {
        if (redacting) {
            redacting = false;
            redactor.abort();
        }
    }

    /** The redactor that ended the last statement: its digest and flags. */
    SqlRedactor redactor() {
        return redactor;
    }

    /** Real statement text has no raw NUL (clients escape it as {@code \0}); a packet header does. */
    static boolean containsNul(final DirectBuffer buffer, final int offset, final int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (buffer.getByte(i) == 0) {
                return true;
            }
        }
        return false;
    }
}
