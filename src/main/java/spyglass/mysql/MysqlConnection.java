package spyglass.mysql;

import static spyglass.mysql.MysqlProtocol.*;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;
import spyglass.event.ServerStatus;
import spyglass.event.TextField;
import spyglass.redact.SqlRedactor;
import spyglass.tcp.FlowCloseReason;
import spyglass.tcp.TcpFlow;

/**
 * One MySQL connection's conversation: the state machine that turns two framed packet streams into
 * {@code conn}, {@code query} and {@code conn_close} events. Pooled by the tracker and reused.
 *
 * <p>Rules it keeps (see also the package's tests):
 * <ul>
 * <li>One query event per command that has a response; multi-results of one command are summed
 *     (rows, affected rows, warnings) into that one event, status is the last result's.</li>
 * <li>{@code rows} counts result-set rows; {@code affectedRows} comes only from plain OK packets, not
 *     from the OK that ends a result set under CLIENT_DEPRECATE_EOF, so a SELECT reads the same with
 *     and without it.</li>
 * <li>In row position, 0xFE with a logical payload shorter than 0xFFFFFF is the terminator (EOF if it
 *     is shorter than 7 bytes, else an OK); longer, it is a row whose first column is 16 MB or more.</li>
 * <li>A gap while a command is pending emits that command lossy (latency and transfer unknown, ttfb if
 *     the response had begun); a gap that cuts a request before its command byte drops it (counted).
 *     Either way the connection goes to RESYNC and think time restarts as unknown.</li>
 * <li>A command still pending at close is emitted with FLAG_NO_RESPONSE, lossy if part of its
 *     response was seen.</li>
 * <li>MariaDB progress reports (ERR 0xFFFF) count in bytes_out but not in the response timing.</li>
 * <li>COM_INIT_DB and COM_CHANGE_USER change the connection's db/user before their own event is
 *     written, so the event carries the new schema (its only place, since its sql is null).</li>
 * </ul>
 */
final class MysqlConnection {
    // Connection states.
    static final int S_GREETING = 0;
    static final int S_LOGIN = 1;
    static final int S_AUTH = 2;
    static final int S_IDLE = 3;
    static final int S_RESPONSE = 4;
    static final int S_RESYNC = 5;
    static final int S_ENCRYPTED = 6;
    /** Nothing more to parse (login failed, or not MySQL). */
    static final int S_DONE = 8;
    /** A replica's binary-log stream: counted, never read. */
    static final int S_REPLICATION = 9;

    // What kind of response the pending command expects.
    private static final int K_GENERIC = 0;
    private static final int K_PREPARE = 1;
    private static final int K_FIELD_LIST = 2;
    private static final int K_STATISTICS = 3;
    private static final int K_CHANGE_USER = 4;
    private static final int K_FETCH = 5;
    private static final int K_RESET_CONNECTION = 6;

    // Where in that response we are.
    private static final int R_FIRST = 0;
    private static final int R_COLUMNS = 1;
    private static final int R_AFTER_COLUMNS = 2;
    private static final int R_ROWS = 3;
    private static final int R_INFILE = 4;
    private static final int R_FIELDS = 5;
    private static final int R_PREPARE_PARAMS = 6;
    private static final int R_PREPARE_COLUMNS = 7;
    private static final int R_PREPARE_EOF = 8;

    private static final int UNKNOWN = -1;
    private static final int SERVER_KEEP_BYTES = 1024;
    /**
     * What a response packet is classified and read by fits in its first bytes (OK: at most 23,
     * ERR: 9, EOF: 5); rows and column definitions are counted, never read.
     */
    private static final int RESPONSE_KEEP_BYTES = 64;
    /** Header allowance beside the statement: command byte, and room for a login packet. */
    private static final int CLIENT_MIN_KEEP_BYTES = 4096;

    private final MysqlConversationTracker tracker;
    final ConnectionInfo info = new ConnectionInfo();
    private final PacketFramer fromClient;
    private final PacketFramer fromServer;
    private final StatementStream statements = new StatementStream(this);
    private final byte[] idScratch = new byte[2 * TcpFlow.MAX_ENDPOINT_TEXT + 1];
    /**
     * The compressed protocol's layer of each direction, made the first time this pooled state meets
     * a compressed connection: the bytes on the wire go through it to the framers.
     */
    private CompressedStream clientInflow;
    private CompressedStream serverInflow;
    /** The connection speaks the compressed protocol: from the login's OK, or learnt mid-stream. */
    private boolean compressed;
    /** Steps over a COM_QUERY's query attributes, whole in a segment or as they stream in. */
    final QueryAttributes attributes = new QueryAttributes();
    /** Learnt mid-stream: COM_QUERY payloads begin with a query-attributes block. */
    private boolean attributesLearnt;

    private int state;
    private boolean connEmitted;
    private boolean quitSeen;
    /** This capture's own schema connection: counted, never reported. */
    private boolean own;
    /** The identities snapshot this mid-stream connection was last looked up in (0: none yet). */
    private int identityGeneration;
    private boolean resumedAfterResync;
    private long serverCapabilities;
    /** CLIENT_DEPRECATE_EOF: 1, 0, or UNKNOWN until learnt from the traffic (mid-stream). */
    private int deprecateEof;
    private int expectedSequence;
    private long previousResponseEnd;

    // The pending command.
    private String commandName;
    private int kind;
    private int responseState;
    private long requestFirst;
    private long requestLast;
    private long responseFirst;
    private long responseLast;
    private long requestBytes;
    private long responseBytes;
    private long think;
    private byte[] sqlBytes = new byte[256];
    private int sqlLength;
    private long digest;
    private boolean truncated;
    private long rows;
    private long affectedRows;
    private long lastInsertId;
    private int errorCode;
    private final byte[] sqlState = new byte[5];
    private int sqlStateLength;
    private int warnings;
    private int serverStatus;
    /** How this session's sql_mode reads backslashes in strings, from the last status the server sent. */
    private int backslashMode;
    private boolean serverStatusKnown;
    private long columnsLeft;
    private int prepareParams;
    private int prepareColumns;
    private boolean prepareLastBlock;
    /** The response may be complete or may still get an EOF: only the next command will tell. */
    private boolean awaitingOptionalEof;
    /** This connection's name in the worker's {@link PreparedStatements}: never reused. */
    private long serial;
    /** The first of this connection's prepared statements, chained in the registry. */
    private int preparedHead = PreparedStatements.NONE;
    /** The id of the statement this connection prepared last (MariaDB's execute of id -1). */
    private long lastPreparedId = -1;
    /** The pending command's parameter count, -1 unknown. */
    private int params;
    /** The pending command runs a prepared statement whose preparation was not seen. */
    private boolean unknownStatement;
    /** The pending command asks for the binary log. */
    private boolean replication;
    /** Results of the pending command's response ended so far (multi-statements, CALL). */
    private int results;
    /**
     * MariaDB Connector/J pipelines a PREPARE and an EXECUTE of "the last statement prepared" (id -1)
     * without waiting for the prepare's answer: the execution, held here, starts when it comes.
     */
    private int queuedCommand = -1;
    private long queuedFirst;
    private long queuedLast;
    private long queuedBytes;
    private int queuedLastSequence;
    private final TextField pendingDb = new TextField(256);
    private final TextField pendingUser = new TextField(128);

    MysqlConnection(final MysqlConversationTracker tracker) {
        this.tracker = tracker;
        // Statements are redacted in place or while they stream (StatementStream), never kept
        // whole: what is kept is what the other packets are read from (login, COM_INIT_DB, ...).
        this.fromClient = new PacketFramer(CLIENT_MIN_KEEP_BYTES);
        this.fromServer = new PacketFramer(SERVER_KEEP_BYTES);
        fromClient.listener(statements);
    }

    /** Whether the client's next packet may be a command: what {@link StatementStream} listens for. */
    boolean expectsCommand() {
        return state == S_IDLE || (state == S_RESPONSE && awaitingOptionalEof);
    }

    int backslashMode() {
        return backslashMode;
    }

    boolean resumedAfterResync() {
        return resumedAfterResync;
    }

    /**
     * Whether this COM_QUERY's payload after its command byte, {@code b[offset, offset + length)},
     * begins with a query-attributes block. Known from the login's capabilities; on a connection
     * whose login was not seen, told by the block's first two bytes, a count of at most 64 then a
     * set count of 1 (no statement begins with a byte then 0x01), and learnt for the connection once
     * seen. {@link #ATTRIBUTES_UNDECIDED} when too few bytes are there to tell.
     */
    int attributesAhead(final DirectBuffer b, final int offset, final int length) {
        if (attributesLearnt || (info.capabilities & CLIENT_QUERY_ATTRIBUTES) != 0) {
            return 1;
        }
        if (info.capabilities != 0) {
            return 0; // the login was seen, without the capability
        }
        if (length < 2) {
            return ATTRIBUTES_UNDECIDED;
        }
        if ((b.getByte(offset) & 0xFF) <= QueryAttributes.MAX_ATTRIBUTES && b.getByte(offset + 1) == 1) {
            attributesLearnt = true;
            return 1;
        }
        return 0;
    }

    static final int ATTRIBUTES_UNDECIDED = -1;

    int maxStatementBytes() {
        return tracker.event.sql.capacity();
    }

    /** A redactor of this connection's own, for statements that stream in over several segments. */
    SqlRedactor newRedactor() {
        final SqlRedactor redactor = new SqlRedactor();
        final LiteralKey key = tracker.literalKey();
        if (key != null) {
            key.applyTo(redactor); // the worker's key: equal values, equal tokens, whichever path
        }
        return redactor;
    }

    int state() {
        return state;
    }

    void open(final TcpFlow flow, final boolean handshakeSeen, final long timestampNanos) {
        info.reset();
        final int c = Math.min(flow.clientTextLength(), TcpFlow.MAX_ENDPOINT_TEXT);
        final int s = Math.min(flow.serverTextLength(), TcpFlow.MAX_ENDPOINT_TEXT);
        System.arraycopy(flow.clientText(), 0, idScratch, 0, c);
        idScratch[c] = '>';
        System.arraycopy(flow.serverText(), 0, idScratch, c + 1, s);
        info.id.set(idScratch, 0, c + 1 + s);
        info.client.set(flow.clientText(), 0, c);
        info.server.set(flow.serverText(), 0, s);
        info.openedNanos = timestampNanos;
        info.midstream = !handshakeSeen;
        fromClient.reset();
        fromServer.reset();
        statements.abandon();
        forgetPreparedStatements();
        serial = ++tracker.connectionSerials;
        queuedCommand = -1;
        compressed = false;
        attributesLearnt = false;
        state = handshakeSeen ? S_GREETING : S_RESYNC;
        connEmitted = false;
        own = false;
        leftOutAsOwn(); // a connection picked up again after an idle spell, encrypted or not
        identityGeneration = 0;
        quitSeen = false;
        resumedAfterResync = false;
        serverCapabilities = 0;
        deprecateEof = UNKNOWN;
        backslashMode = SqlRedactor.BACKSLASH_MODE_UNKNOWN;
        expectedSequence = 0;
        previousResponseEnd = -1;
        clearPending();
    }

    // ------------------------------------------------------------------ stream input

    void onData(final boolean client, final DirectBuffer buffer, final int offset, final int length, final long ts) {
        if (client) {
            info.bytesIn += length;
        } else {
            info.bytesOut += length;
        }
        if (state == S_ENCRYPTED) {
            tracker.counters.encryptedBytes += length;
            return;
        }
        if (state == S_DONE || state == S_REPLICATION) {
            return;
        }
        if (state == S_RESYNC) {
            if (!client || !resumesAt(buffer, offset, length)) {
                return;
            }
            resume(ts);
        }
        if (compressed) {
            (client ? clientInflow : serverInflow).feed(buffer, offset, length, ts);
            if (state != S_RESYNC && (clientInflow.outOfStep() || serverInflow.outOfStep())) {
                protocolError(); // a payload that does not inflate: wait for a command to start afresh
            }
            return;
        }
        frame(client, buffer, offset, length, ts);
    }

    /**
     * Whether a client chunk, seen out of step, starts a command to pick the conversation up at:
     * a plain one, or one whole compressed packet holding one (which also tells that the connection,
     * whose login was not seen, compresses).
     */
    private boolean resumesAt(final DirectBuffer buffer, final int offset, final int length) {
        if (!compressed && plausibleCommandStart(buffer, offset, length)) {
            return true;
        }
        if (info.tls || length < CompressedStream.HEADER_LENGTH + HEADER_LENGTH + 1) {
            return false;
        }
        inflows(CompressedStream.Algorithm.ZLIB);
        if (!clientInflow.looksCompressed(buffer, offset, length)) {
            return false;
        }
        final CompressedStream.Algorithm algorithm = CompressedStream.algorithmOf(buffer, offset, length);
        if (!compressed) {
            startCompression(algorithm != null ? algorithm : CompressedStream.Algorithm.ZLIB);
        } else if (algorithm != null) {
            clientInflow.algorithm(algorithm); // a guess made on a payload sent as is may have been wrong
            serverInflow.algorithm(algorithm);
        }
        clientInflow.reset();
        serverInflow.reset();
        return true;
    }

    private void inflows(final CompressedStream.Algorithm algorithm) {
        if (clientInflow == null) {
            clientInflow = new CompressedStream(algorithm, (b, o, l, first, last) -> frame(true, b, o, l, last));
            serverInflow = new CompressedStream(algorithm, (b, o, l, first, last) -> frame(false, b, o, l, last));
        }
    }

    /** From here on both directions go through the compressed protocol's layer. */
    private void startCompression(final CompressedStream.Algorithm algorithm) {
        inflows(algorithm);
        clientInflow.algorithm(algorithm);
        serverInflow.algorithm(algorithm);
        clientInflow.reset();
        serverInflow.reset();
        compressed = true;
        info.compressed = true;
        tracker.counters.compressedConnections++;
    }

    /** Cuts one direction's ordinary packet stream into packets and acts on each. */
    private void frame(final boolean client, final DirectBuffer buffer, final int offset, final int length, final long ts) {
        if (state == S_RESYNC || state == S_DONE || state == S_REPLICATION) {
            return; // inflated bytes after the packet that put us out of step, or a binary log
        }
        final PacketFramer framer = client ? fromClient : fromServer;
        int off = offset;
        int len = length;
        while (len > 0) {
            if (!client) {
                fromServer.keepLimit(state == S_RESPONSE ? RESPONSE_KEEP_BYTES : SERVER_KEEP_BYTES);
            }
            final int n = framer.feed(buffer, off, len, ts);
            off += n;
            len -= n;
            if (framer.complete()) {
                final boolean wasCompressed = compressed;
                if (client) {
                    info.packetsIn += framer.physicalPackets();
                    onClientPacket(framer);
                } else {
                    info.packetsOut += framer.physicalPackets();
                    onServerPacket(framer);
                }
                framer.next();
                if (state == S_RESYNC || state == S_ENCRYPTED || state == S_DONE || state == S_REPLICATION) {
                    if (state == S_ENCRYPTED) {
                        tracker.counters.encryptedBytes += len; // a TLS hello in the SSLRequest's segment
                    }
                    return; // the rest of this chunk is not (or no longer) MySQL we can follow
                }
                if (compressed && !wasCompressed) {
                    // the login's OK was the last plain packet: what follows it is compressed
                    if (len > 0) {
                        (client ? clientInflow : serverInflow).feed(buffer, off, len, ts);
                    }
                    return;
                }
            }
        }
    }

    void onGap(final boolean client, final long timestampNanos) {
        switch (state) {
            case S_ENCRYPTED, S_DONE, S_RESYNC, S_REPLICATION -> {
                return;
            }
            case S_RESPONSE -> abandon();
            case S_IDLE -> {
                if (client && !fromClient.atPacketBoundary()) {
                    tracker.counters.droppedCommands++;
                }
            }
            default -> {
            }
        }
        enterResync();
    }

    void onClose(final FlowCloseReason reason, final long timestampNanos) {
        // twice at most: a prepare's end may start the execution pipelined behind it
        while (state == S_RESPONSE) {
            if (awaitingOptionalEof) {
                complete();
            } else {
                final boolean partial = responseFirst >= 0;
                emitQuery(partial, true);
                state = S_IDLE;
                queuedCommand = -1; // its prepare had no answer: nor will it
            }
        }
        if (!connEmitted) {
            emitConn(timestampNanos);
        }
        if (!own) {
            tracker.sink.onConnectionClose(info, quitSeen ? CloseReason.QUIT : map(reason), timestampNanos);
        } else if (reason == FlowCloseReason.FIN || reason == FlowCloseReason.RST) {
            tracker.ownEndpoints.remove(info.id); // over: its port may serve an application next
        }
        forgetPreparedStatements();
    }

    /** The server frees a connection's statements when it closes, resets or changes user. */
    private void forgetPreparedStatements() {
        tracker.prepared.removeAll(preparedHead);
        preparedHead = PreparedStatements.NONE;
        lastPreparedId = -1;
    }

    private static CloseReason map(final FlowCloseReason reason) {
        return switch (reason) {
            case FIN -> CloseReason.FIN;
            case RST -> CloseReason.RST;
            case IDLE -> CloseReason.IDLE;
            case EVICTED -> CloseReason.EVICTED;
            case END_OF_CAPTURE -> CloseReason.END_OF_CAPTURE;
        };
    }

    // ------------------------------------------------------------------ resync

    /**
     * Whether a client chunk, seen while out of step, starts a command we can believe: a whole header
     * with sequence id 0, a length that fills the chunk exactly, a known command byte, and for
     * statements, text that lexes as SQL. A statement larger than one segment is not a resync point;
     * the next short command is.
     */
    private static boolean plausibleCommandStart(final DirectBuffer buffer, final int offset, final int length) {
        if (length < HEADER_LENGTH + 1) {
            return false;
        }
        final int payload = (buffer.getByte(offset) & 0xFF) | (buffer.getByte(offset + 1) & 0xFF) << 8
            | (buffer.getByte(offset + 2) & 0xFF) << 16;
        if (buffer.getByte(offset + 3) != 0 || payload == 0) {
            return false;
        }
        // Only a command that fills its segment exactly: a header-like run of bytes inside a longer
        // packet cannot be told from a real start when its length runs past what we can check.
        final int available = length - HEADER_LENGTH;
        if (payload != available) {
            return false;
        }
        final int command = buffer.getByte(offset + HEADER_LENGTH) & 0xFF;
        if (commandName(command) == null) {
            return false;
        }
        if (command == COM_QUERY || command == COM_STMT_PREPARE) {
            final int text = Math.min(payload, available) - 1;
            if (emptyAttributesAhead(buffer, offset + HEADER_LENGTH, available)) {
                return SqlRedactor.looksLikeStatement(buffer, offset + HEADER_LENGTH + 3, text - 2);
            }
            return text > 0 && SqlRedactor.looksLikeStatement(buffer, offset + HEADER_LENGTH + 1, text);
        }
        return true;
    }

    /**
     * A COM_QUERY whose text follows an empty query-attributes block (count 0, one set): how a MySQL
     * 8 client that agreed CLIENT_QUERY_ATTRIBUTES sends a plain statement. No statement begins with
     * a NUL byte, so this tells a connection whose login was not seen.
     */
    private static boolean emptyAttributesAhead(final DirectBuffer buffer, final int payload, final int length) {
        return length > 3 && (buffer.getByte(payload) & 0xFF) == COM_QUERY && buffer.getByte(payload + 1) == 0
            && buffer.getByte(payload + 2) == 1;
    }

    private void resume(final long ts) {
        if (leftOutAsOwn()) {
            return; // picked up again after an idle spell: still the collector's
        }
        tracker.counters.resyncs++;
        fromClient.reset();
        fromServer.reset();
        state = S_IDLE;
        resumedAfterResync = true;
        if (!connEmitted) {
            emitConn(ts);
        }
    }

    private void enterResync() {
        state = S_RESYNC;
        if (queuedCommand >= 0) {
            queuedCommand = -1;
            tracker.counters.droppedCommands++; // a pipelined execution whose prepare was lost
        }
        statements.abandon();
        fromClient.reset();
        fromServer.reset();
        previousResponseEnd = -1;
        clearPending();
    }

    /** The stream is not what the state machine expected: give the pending command up and resync. */
    private void protocolError() {
        tracker.counters.protocolErrors++;
        if (state == S_RESPONSE) {
            abandon();
        }
        enterResync();
    }

    /** Ends the pending command early: emitted lossy, unless its response may already be whole. */
    private void abandon() {
        if (awaitingOptionalEof) {
            complete();
            return;
        }
        emitQuery(true, responseFirst < 0);
        state = S_IDLE;
    }

    private boolean sequenceOk(final PacketFramer framer) {
        if (framer.firstSequence() != expectedSequence) {
            protocolError();
            return false;
        }
        expectedSequence = (framer.lastSequence() + 1) & 0xFF;
        return true;
    }

    // ------------------------------------------------------------------ client packets

    private void onClientPacket(final PacketFramer framer) {
        switch (state) {
            case S_LOGIN -> onLoginResponse(framer);
            case S_AUTH -> sequenceOk(framer); // auth data: nothing worth keeping
            case S_IDLE -> onCommand(framer);
            case S_RESPONSE -> onClientPacketDuringResponse(framer);
            default -> protocolError(); // the client spoke before the greeting
        }
    }

    private void onLoginResponse(final PacketFramer framer) {
        if (!sequenceOk(framer)) {
            return;
        }
        if (leftOutAsOwn()) {
            return;
        }
        final UnsafeBuffer kept = framer.kept();
        final PayloadReader r = tracker.reader.wrap(kept, framer.keptLength());
        long clientCapabilities = r.u16();
        final int fixedLength;
        if ((clientCapabilities & CLIENT_PROTOCOL_41) != 0) {
            r.position(0);
            clientCapabilities = r.u32();
            r.skip(4 + 1 + 19); // max packet, charset, filler
            final long extended = r.u32(); // MariaDB: the filler's last 4 bytes
            if ((clientCapabilities & CLIENT_MYSQL) == 0) {
                clientCapabilities |= extended << 32;
            }
            fixedLength = 32;
        } else {
            r.skip(3); // HandshakeResponse320: max packet size
            fixedLength = 5;
        }
        final long agreed = serverCapabilities != 0 ? clientCapabilities & serverCapabilities : clientCapabilities;
        info.capabilities = agreed;
        deprecateEof = (agreed & CLIENT_DEPRECATE_EOF) != 0 ? 1 : 0;
        if ((clientCapabilities & CLIENT_SSL) != 0 && framer.payloadLength() <= fixedLength) {
            info.tls = true;
            tracker.counters.encryptedConnections++;
            state = S_ENCRYPTED;
            emitConn(framer.lastTimestamp());
            return;
        }
        final int userStart = r.position();
        final int userLength = r.nulTerminatedLength();
        if (r.overflow()) {
            tracker.counters.protocolErrors++;
        } else {
            info.user.set(kept, userStart, userLength);
        }
        if ((clientCapabilities & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
            r.skip(r.lenenc());
        } else if ((clientCapabilities & CLIENT_SECURE_CONNECTION) != 0) {
            r.skip(r.u8());
        } else {
            r.nulTerminatedLength();
        }
        if ((clientCapabilities & CLIENT_CONNECT_WITH_DB) != 0 && !r.overflow() && r.remaining() > 0) {
            final int dbStart = r.position();
            final int dbLength = r.nulTerminatedLength();
            info.db.set(kept, dbStart, dbLength);
        } else {
            info.db.setEmpty();
        }
        if ((clientCapabilities & CLIENT_PLUGIN_AUTH) != 0 && !r.overflow() && r.remaining() > 0) {
            r.nulTerminatedLength(); // the auth plugin's name
        }
        if ((agreed & CLIENT_CONNECT_ATTRS) != 0 && !r.overflow() && r.remaining() > 0) {
            readConnectAttributes(kept, r);
        }
        state = S_AUTH;
    }

    private static final byte[] PROGRAM_NAME = "program_name".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CLIENT_NAME = "_client_name".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CLIENT_VERSION = "_client_version".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The login's connect attributes (int&lt;lenenc&gt; total length, then key and value as
     * string&lt;lenenc&gt; each): the three that name the program and its driver are kept, the others
     * only counted; their values (a host name, a pid, an application's own) never leave.
     */
    private void readConnectAttributes(final UnsafeBuffer kept, final PayloadReader r) {
        final long total = r.lenenc();
        final long end = r.position() + total;
        int hidden = 0;
        while (!r.overflow() && r.position() < end) {
            final long keyLength = r.lenenc();
            final int keyStart = r.position();
            r.skip(keyLength);
            final long valueLength = r.lenenc();
            final int valueStart = r.position();
            r.skip(valueLength);
            if (r.overflow()) {
                break; // cut (the login was kept in part): what was whole stays
            }
            final TextField field = attributeField(kept, keyStart, (int) keyLength);
            if (field != null) {
                field.set(kept, valueStart, (int) valueLength);
            } else {
                hidden++;
            }
        }
        info.hiddenAttributes = hidden;
    }

    private TextField attributeField(final UnsafeBuffer kept, final int start, final int length) {
        if (equalsAscii(kept, start, length, PROGRAM_NAME)) {
            return info.programName;
        }
        if (equalsAscii(kept, start, length, CLIENT_NAME)) {
            return info.clientName;
        }
        return equalsAscii(kept, start, length, CLIENT_VERSION) ? info.clientVersion : null;
    }

    private static boolean equalsAscii(final UnsafeBuffer buffer, final int start, final int length, final byte[] name) {
        if (length != name.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buffer.getByte(start + i) != name[i]) {
                return false;
            }
        }
        return true;
    }

    private void onCommand(final PacketFramer framer) {
        if (framer.firstSequence() != 0 || framer.payloadLength() == 0) {
            protocolError();
            return;
        }
        final int command = framer.firstByte();
        expectedSequence = (framer.lastSequence() + 1) & 0xFF;
        if (command == COM_QUIT) {
            quitSeen = true;
            return;
        }
        if (command == COM_STMT_CLOSE) {
            final int entry = preparedStatement(framer);
            if (entry != PreparedStatements.NONE) {
                preparedHead = tracker.prepared.remove(preparedHead, entry);
            }
            return; // no response, so no event
        }
        if (command == COM_STMT_SEND_LONG_DATA) {
            return; // no response, so no event; its data (a parameter's value) is never read
        }
        clearPending();
        final String name = commandName(command);
        if (name == null) {
            tracker.counters.unknownCommands++;
            commandName = unknownCommandName(command);
        } else {
            commandName = name;
        }
        requestFirst = framer.firstTimestamp();
        requestLast = framer.lastTimestamp();
        requestBytes = framer.wireBytes();
        think = previousResponseEnd >= 0 ? duration(previousResponseEnd, requestFirst) : -1;
        kind = K_GENERIC;
        switch (command) {
            case COM_QUERY -> {
                if (!keepStatement(framer, true)) {
                    return;
                }
            }
            case COM_STMT_PREPARE -> {
                if (!keepStatement(framer, false)) {
                    return;
                }
                kind = K_PREPARE;
            }
            case COM_INIT_DB -> pendingDb.set(framer.kept(), 1, framer.keptLength() - 1);
            case COM_FIELD_LIST -> kind = K_FIELD_LIST;
            case COM_STATISTICS -> kind = K_STATISTICS;
            case COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE, COM_STMT_RESET -> runsPreparedStatement(framer, command);
            case COM_STMT_FETCH -> {
                kind = K_FETCH;
                runsPreparedStatement(framer, command);
            }
            case COM_RESET_CONNECTION -> kind = K_RESET_CONNECTION;
            case COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID -> {
                // a replica: the answer is the binary log, for as long as the connection lives
                replication = true;
                tracker.counters.replicaConnections++;
                emitQuery(false, true);
                state = S_REPLICATION;
                return;
            }
            case COM_CHANGE_USER -> {
                kind = K_CHANGE_USER;
                parseChangeUser(framer);
            }
            default -> {
            }
        }
        responseState = R_FIRST;
        state = S_RESPONSE;
    }

    /**
     * Redacts the statement, where it lies whole in its segment (the usual case: no copy), or ends
     * the redaction that went on while it streamed in; false when it proves the resync that led
     * here was wrong.
     */
    /** @param query a COM_QUERY, whose text a query-attributes block may precede */
    private boolean keepStatement(final PacketFramer framer, final boolean query) {
        long statementLength = framer.payloadLength() - 1;
        final QueryEvent event = tracker.event;
        final SqlRedactor redactor;
        final int written;
        if (framer.wholeInChunk()) {
            int from = framer.chunkPayloadOffset() + 1;
            if (query && attributesAhead(framer.chunk(), from, (int) statementLength) != 0) {
                attributes.begin();
                final int block = attributes.skip(framer.chunk(), from, (int) statementLength);
                if (!attributes.inText()) {
                    return unreadableAttributes();
                }
                from += block;
                statementLength -= block;
            }
            if (resumedAfterResync && StatementStream.containsNul(framer.chunk(), from, (int) statementLength)) {
                return wrongResync();
            }
            redactor = tracker.redactor;
            redactor.backslashMode(backslashMode);
            written = redactor.redact(framer.chunk(), from, (int) statementLength, event.sql, 0, event.sql.capacity());
        } else if (statements.holds(statementLength)) {
            if (statements.attributesUnreadable()) {
                statements.abandon();
                return unreadableAttributes();
            }
            if (statements.sawNul()) {
                statements.abandon();
                return wrongResync();
            }
            written = statements.end(event.sql);
            redactor = statements.redactor();
        } else {
            // Not streamed (the packet began before the connection expected a command): what was
            // kept of it, marked cut when that is not all.
            statements.abandon();
            int from = 1;
            if (query && attributesAhead(framer.kept(), 1, framer.keptLength() - 1) != 0) {
                attributes.begin();
                from += attributes.skip(framer.kept(), 1, framer.keptLength() - 1);
                if (!attributes.inText()) {
                    return unreadableAttributes();
                }
                statementLength -= from - 1;
            }
            final int length = (int) Math.min(Math.min(statementLength, tracker.maxStatementBytes), framer.keptLength() - from);
            if (resumedAfterResync && StatementStream.containsNul(framer.kept(), from, length)) {
                return wrongResync();
            }
            redactor = tracker.redactor;
            redactor.backslashMode(backslashMode);
            written = redactor.redact(framer.kept(), from, length, event.sql, 0, event.sql.capacity(), statementLength > length);
        }
        if (written > sqlBytes.length) {
            sqlBytes = new byte[Math.min(event.sql.capacity(), Math.max(written, sqlBytes.length * 2))];
        }
        event.sql.getBytes(0, sqlBytes, 0, written);
        sqlLength = written;
        digest = redactor.digest();
        truncated = redactor.truncated();
        return true;
    }

    /**
     * A query-attributes block that breaks the protocol's rules: where its text begins is unknown, so
     * none of the packet is read. The command is still reported (its timing, its result), text unknown.
     */
    private boolean unreadableAttributes() {
        tracker.counters.protocolErrors++;
        sqlLength = -1;
        return true;
    }

    /**
     * Bytes that only looked like a command start: the "statement" has swallowed the next real
     * packet, whose header holds sequence id 0. Its quotes would pair wrongly with ours, turning a
     * string into words, so none of it is redacted: out of step again.
     */
    private boolean wrongResync() {
        tracker.counters.protocolErrors++;
        enterResync();
        return false;
    }

    /**
     * The registry entry of the statement a {@code COM_STMT_*} command names (its id follows the
     * command byte), or {@link PreparedStatements#NONE}.
     */
    private int preparedStatement(final PacketFramer framer) {
        if (framer.keptLength() < 5) {
            return PreparedStatements.NONE;
        }
        // (a MariaDB pipelined execution of id -1 after a failed prepare finds nothing: lastPreparedId is -1)
        long id = framer.kept().getInt(1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (id == LAST_PREPARED_STATEMENT && lastPreparedId >= 0) {
            id = lastPreparedId;
        }
        return tracker.prepared.find(serial, id);
    }

    /**
     * The pending command runs a prepared statement: its event carries that statement's redacted
     * text and digest (and, for an execution, its parameter count), or says the text is unknown.
     * The parameters' values in the packet are never read.
     */
    private void runsPreparedStatement(final PacketFramer framer, final int command) {
        runsPreparedStatement(preparedStatement(framer), command);
    }

    private void runsPreparedStatement(final int entry, final int command) {
        final PreparedStatements prepared = tracker.prepared;
        if (entry == PreparedStatements.NONE) {
            unknownStatement = true;
            tracker.counters.unknownPreparedStatements++;
            return;
        }
        if (command == COM_STMT_EXECUTE || command == COM_STMT_BULK_EXECUTE) {
            params = prepared.parameterCount(entry);
        }
        digest = prepared.digest(entry);
        truncated = prepared.truncated(entry);
        final int length = prepared.textLength(entry);
        if (sqlBytes.length < length) {
            // as keepStatement grows it: once per pooled connection, to what its statements need
            sqlBytes = new byte[Math.min(tracker.event.sql.capacity(), Math.max(length, sqlBytes.length * 2))];
        }
        sqlLength = prepared.text(entry, sqlBytes); // -1 when the ring wrote over it (counted there): the digest still says which ran
    }

    private void parseChangeUser(final PacketFramer framer) {
        final UnsafeBuffer kept = framer.kept();
        final PayloadReader r = tracker.reader.wrap(kept, framer.keptLength());
        r.skip(1);
        final int userStart = r.position();
        final int userLength = r.nulTerminatedLength();
        pendingUser.set(kept, userStart, userLength);
        final long caps = info.capabilities;
        if (caps == 0 || (caps & CLIENT_SECURE_CONNECTION) != 0) {
            r.skip(r.u8());
        } else {
            r.nulTerminatedLength();
        }
        if (r.overflow()) {
            pendingDb.clear();
            return;
        }
        final int dbStart = r.position();
        final int dbLength = r.nulTerminatedLength();
        pendingDb.set(kept, dbStart, dbLength);
    }

    private void onClientPacketDuringResponse(final PacketFramer framer) {
        if (responseState == R_INFILE || kind == K_CHANGE_USER) {
            if (!sequenceOk(framer)) {
                return;
            }
            requestBytes += framer.wireBytes();
            if (responseState == R_INFILE && framer.payloadLength() == 0) {
                fromClient.keep(true);
                responseState = R_FIRST; // the server's OK or ERR ends the command
            }
            return;
        }
        if (awaitingOptionalEof && framer.firstSequence() == 0) {
            // No EOF came before the next command: the prepare response was whole, without EOFs.
            deprecateEof = 1;
            complete();
            onCommand(framer);
            return;
        }
        if (kind == K_PREPARE && queuedCommand < 0 && executesLastPrepared(framer)) {
            queuedCommand = framer.firstByte();
            queuedFirst = framer.firstTimestamp();
            queuedLast = framer.lastTimestamp();
            queuedBytes = framer.wireBytes();
            queuedLastSequence = framer.lastSequence();
            return;
        }
        protocolError();
    }

    /** A COM_STMT_EXECUTE (or bulk) of statement id -1: "the one this connection prepared last". */
    private static boolean executesLastPrepared(final PacketFramer framer) {
        final int command = framer.firstByte();
        return (command == COM_STMT_EXECUTE || command == COM_STMT_BULK_EXECUTE) && framer.firstSequence() == 0
            && framer.keptLength() >= 5
            && (framer.kept().getInt(1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL) == LAST_PREPARED_STATEMENT;
    }

    /** Starts the execution that was sent before its prepare's answer (see {@link #queuedCommand}). */
    private void startQueuedExecution() {
        final int command = queuedCommand;
        queuedCommand = -1;
        clearPending();
        commandName = commandName(command);
        requestFirst = queuedFirst;
        requestLast = queuedLast;
        requestBytes = queuedBytes;
        think = -1; // sent before the previous answer: no pause of the client's to measure
        expectedSequence = (queuedLastSequence + 1) & 0xFF;
        final int entry = lastPreparedId >= 0 ? tracker.prepared.find(serial, lastPreparedId) : PreparedStatements.NONE;
        runsPreparedStatement(entry, command);
        responseState = R_FIRST;
        state = S_RESPONSE;
    }

    // ------------------------------------------------------------------ server packets

    private void onServerPacket(final PacketFramer framer) {
        switch (state) {
            case S_GREETING -> onGreeting(framer);
            case S_AUTH -> onAuthReply(framer);
            case S_IDLE -> tracker.counters.orphanServerPackets++;
            case S_RESPONSE -> onResponsePacket(framer);
            default -> protocolError();
        }
    }

    private static final byte[] MARIADB_VERSION_PREFIX = {'5', '.', '5', '.', '5', '-'};
    private static final byte[] MARIADB = {'M', 'a', 'r', 'i', 'a', 'D', 'B'};

    private static boolean isMariaDbCompatibilityPrefix(final UnsafeBuffer buffer, final int start, final int length) {
        if (length <= MARIADB_VERSION_PREFIX.length + MARIADB.length) {
            return false;
        }
        for (int i = 0; i < MARIADB_VERSION_PREFIX.length; i++) {
            if (buffer.getByte(start + i) != MARIADB_VERSION_PREFIX[i]) {
                return false;
            }
        }
        outer:
        for (int i = start + MARIADB_VERSION_PREFIX.length; i + MARIADB.length <= start + length; i++) {
            for (int j = 0; j < MARIADB.length; j++) {
                if (buffer.getByte(i + j) != MARIADB[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void onGreeting(final PacketFramer framer) {
        if (!sequenceOk(framer)) {
            return;
        }
        final int first = framer.firstByte();
        if (first == ERR) {
            loginFailed(framer); // e.g. too many connections, host blocked
            return;
        }
        if (first != 10) {
            tracker.counters.protocolErrors++;
            state = S_DONE; // not protocol 10: nothing we can follow
            return;
        }
        final UnsafeBuffer kept = framer.kept();
        final PayloadReader r = tracker.reader.wrap(kept, framer.keptLength());
        r.skip(1);
        int versionStart = r.position();
        int versionLength = r.nulTerminatedLength();
        // MariaDB before 11 prefixes "5.5.5-" so that old MySQL clients accept it; clients strip it.
        if (isMariaDbCompatibilityPrefix(kept, versionStart, versionLength)) {
            versionStart += MARIADB_VERSION_PREFIX.length;
            versionLength -= MARIADB_VERSION_PREFIX.length;
        }
        info.serverVersion.set(kept, versionStart, versionLength);
        final long threadId = r.u32();
        r.skip(8 + 1); // auth data part 1, filler
        long caps = r.u16();
        if (r.remaining() > 0) {
            r.skip(1 + 2); // charset, status
            caps |= (long) r.u16() << 16;
            r.skip(1 + 6); // auth data length, filler
            final long extended = r.u32();
            if ((caps & CLIENT_MYSQL) == 0) {
                caps |= extended << 32; // MariaDB's extended capabilities
            }
        }
        if (r.overflow()) {
            tracker.counters.protocolErrors++;
        } else {
            info.threadId = threadId;
        }
        serverCapabilities = caps;
        state = S_LOGIN;
    }

    private void onAuthReply(final PacketFramer framer) {
        if (!sequenceOk(framer)) {
            return;
        }
        final int first = framer.firstByte();
        if (first == OK) {
            learnSqlModeFromLoginOk(framer);
            state = S_IDLE;
            if ((info.capabilities & CLIENT_ZSTD_COMPRESSION_ALGORITHM) != 0) {
                startCompression(CompressedStream.Algorithm.ZSTD);
            } else if ((info.capabilities & CLIENT_COMPRESS) != 0) {
                startCompression(CompressedStream.Algorithm.ZLIB);
            }
            emitConn(framer.lastTimestamp());
        } else if (first == ERR) {
            loginFailed(framer);
        }
        // 0xFE auth switch, 0x01 more data, anything else: the exchange goes on.
    }

    private void learnSqlMode(final int status) {
        backslashMode = (status & ServerStatus.NO_BACKSLASH_ESCAPES) != 0
            ? SqlRedactor.NO_BACKSLASH_ESCAPES : SqlRedactor.BACKSLASH_ESCAPES;
    }

    /** The login's OK carries the session's first status flags (PROTOCOL_41 layout). */
    private void learnSqlModeFromLoginOk(final PacketFramer framer) {
        final PayloadReader r = tracker.reader.wrap(framer.kept(), framer.keptLength());
        r.skip(1);
        r.lenenc();
        r.lenenc();
        final int status = r.u16();
        if (!r.overflow() && (info.capabilities & CLIENT_PROTOCOL_41) != 0) {
            learnSqlMode(status);
        }
    }

    private void loginFailed(final PacketFramer framer) {
        info.errors++;
        tracker.counters.errors++;
        tracker.counters.loginFailures++;
        state = S_DONE;
        emitConn(framer.lastTimestamp());
    }

    private void onResponsePacket(final PacketFramer framer) {
        if (!sequenceOk(framer)) {
            return;
        }
        responseBytes += framer.wireBytes();
        final int first = framer.firstByte();
        final long length = framer.payloadLength();
        if (first == ERR && framer.keptLength() >= 3 && errorCodeOf(framer) == PROGRESS_REPORT_CODE) {
            tracker.counters.progressReports++;
            return;
        }
        if (responseFirst < 0 || framer.firstTimestamp() < responseFirst) {
            // Never before the request ended: bytes left over from an earlier response (after a
            // misread) can carry an older time, and a response cannot start before its request.
            responseFirst = Math.max(framer.firstTimestamp(), requestLast);
        }
        // max: a packet handed over late by reassembly may carry an earlier capture time.
        responseLast = Math.max(responseLast, framer.lastTimestamp());
        final boolean terminator = first == EOF && length < MAX_PACKET_PAYLOAD;
        switch (responseState) {
            case R_FIRST -> onFirstResponsePacket(framer, first, terminator);
            case R_COLUMNS -> {
                if (first == ERR) {
                    finishWithError(framer);
                } else if (--columnsLeft == 0) {
                    responseState = R_AFTER_COLUMNS;
                }
            }
            case R_AFTER_COLUMNS -> onAfterColumns(framer, first, terminator);
            case R_ROWS -> onRow(framer, first, terminator);
            case R_FIELDS -> {
                if (first == ERR) {
                    finishWithError(framer);
                } else if (terminator) {
                    onTerminator(framer);
                }
            }
            case R_PREPARE_PARAMS, R_PREPARE_COLUMNS -> {
                if (first == ERR) {
                    finishWithError(framer);
                } else if (--columnsLeft == 0) {
                    endOfPrepareBlock();
                }
            }
            case R_PREPARE_EOF -> onPrepareEof(framer, first, length);
            default -> protocolError(); // e.g. the server spoke during a LOCAL INFILE upload
        }
    }

    private void onFirstResponsePacket(final PacketFramer framer, final int first, final boolean terminator) {
        switch (kind) {
            case K_STATISTICS -> {
                if (first == ERR) {
                    finishWithError(framer);
                } else {
                    complete(); // a bare status string
                }
            }
            case K_PREPARE -> {
                if (first == OK) {
                    onPrepareOk(framer);
                } else if (first == ERR) {
                    finishWithError(framer);
                } else {
                    protocolError();
                }
            }
            case K_FIELD_LIST -> {
                responseState = R_FIELDS;
                if (first == ERR) {
                    finishWithError(framer);
                } else if (terminator) {
                    onTerminator(framer);
                }
            }
            case K_FETCH -> {
                responseState = R_ROWS;
                if (rows < 0) {
                    rows = 0;
                }
                onRow(framer, first, terminator);
            }
            case K_CHANGE_USER -> {
                if (first == OK) {
                    parseOk(framer, true);
                    info.user.set(pendingUser);
                    info.db.set(pendingDb);
                    forgetPreparedStatements();
                    complete();
                } else if (first == ERR) {
                    finishWithError(framer);
                }
                // auth switch / more data: the client answers, the exchange goes on
            }
            default -> onGenericFirst(framer, first, terminator);
        }
    }

    private void onGenericFirst(final PacketFramer framer, final int first, final boolean terminator) {
        if (first == OK) {
            if (framer.payloadLength() < 3) {
                protocolError();
                return;
            }
            parseOk(framer, true);
            if (commandName == CMD_INIT_DB) {
                info.db.set(pendingDb);
            } else if (kind == K_RESET_CONNECTION) {
                forgetPreparedStatements();
            }
            endOfResult();
        } else if (first == ERR) {
            finishWithError(framer);
        } else if (first == LOCAL_INFILE) {
            responseState = R_INFILE;
            fromClient.keep(false); // the file's contents are never kept
        } else if (terminator) {
            onTerminator(framer); // EOF answers COM_SET_OPTION and COM_DEBUG
        } else {
            final PayloadReader r = tracker.reader.wrap(framer.kept(), framer.keptLength());
            long columns = r.lenenc();
            final long caps = info.capabilities;
            if ((caps & CLIENT_OPTIONAL_RESULTSET_METADATA) != 0
                || (caps & CLIENT_MYSQL) == 0 && (caps & MARIADB_CLIENT_CACHE_METADATA) != 0) {
                if (r.u8() == 0) {
                    columns = 0; // metadata skipped: no column definitions follow
                }
            }
            if (r.overflow()) {
                protocolError();
                return;
            }
            if (rows < 0) {
                rows = 0;
            }
            columnsLeft = columns;
            responseState = columns > 0 ? R_COLUMNS : R_AFTER_COLUMNS;
        }
    }

    private void onAfterColumns(final PacketFramer framer, final int first, final boolean terminator) {
        if (terminator && (terminatorStatus(framer) & ServerStatus.CURSOR_EXISTS) != 0) {
            // an execution that opened a cursor: only the definitions come now, rows come to fetches
            onTerminator(framer);
            return;
        }
        if (terminator) {
            final boolean eof = deprecateEof == 0 || deprecateEof == UNKNOWN && framer.payloadLength() < 7;
            if (eof) {
                deprecateEof = 0;
                responseState = R_ROWS;
            } else {
                deprecateEof = 1; // an OK right after the definitions: an empty result set
                onTerminator(framer);
            }
            return;
        }
        if (first == ERR) {
            finishWithError(framer);
            return;
        }
        if (deprecateEof == UNKNOWN) {
            deprecateEof = 1; // a row with no EOF before it
        } else if (deprecateEof == 0) {
            tracker.counters.protocolErrors++; // missing EOF: take the row anyway
        }
        responseState = R_ROWS;
        rows++;
    }

    private void onRow(final PacketFramer framer, final int first, final boolean terminator) {
        if (first == ERR) {
            finishWithError(framer);
        } else if (terminator) {
            onTerminator(framer);
        } else {
            rows++; // 0x00 (empty first column), 0xFB (NULL) and long 0xFE rows are all rows
        }
    }

    /** The status flags of an EOF, or of an OK with a 0xFE header; 0 when they cannot be read. */
    private int terminatorStatus(final PacketFramer framer) {
        final PayloadReader r = tracker.reader.wrap(framer.kept(), framer.keptLength());
        r.skip(1);
        if (framer.payloadLength() < 7) {
            r.skip(2); // warnings
        } else {
            r.lenenc(); // affected rows
            r.lenenc(); // last insert id
        }
        final int status = r.u16();
        return r.overflow() ? 0 : status;
    }

    /** EOF (shorter than 7 bytes) or OK with a 0xFE header: the end of a result set. */
    private void onTerminator(final PacketFramer framer) {
        final long length = framer.payloadLength();
        if (length < 7) {
            if (deprecateEof == UNKNOWN && responseState == R_ROWS) {
                deprecateEof = 0;
            }
            final PayloadReader r = tracker.reader.wrap(framer.kept(), framer.keptLength());
            r.skip(1);
            if (r.remaining() >= 4) {
                warnings += r.u16();
                serverStatus = r.u16();
                serverStatusKnown = true;
                learnSqlMode(serverStatus);
            }
        } else {
            if (deprecateEof == UNKNOWN && responseState == R_ROWS) {
                deprecateEof = 1;
            }
            parseOk(framer, false);
        }
        endOfResult();
    }

    private void endOfResult() {
        results++;
        if (serverStatusKnown && (serverStatus & ServerStatus.MORE_RESULTS_EXISTS) != 0) {
            responseState = R_FIRST; // another result of the same command follows
        } else {
            complete();
        }
    }

    private void onPrepareOk(final PacketFramer framer) {
        final PayloadReader r = tracker.reader.wrap(framer.kept(), framer.keptLength());
        r.skip(1); // status
        final long statementId = r.u32();
        prepareColumns = r.u16();
        prepareParams = r.u16();
        r.skip(1);
        if (r.remaining() >= 2) {
            warnings += r.u16();
        }
        if (r.overflow()) {
            protocolError();
            return;
        }
        if (sqlLength >= 0) {
            // remembered now: the column definitions that follow may yet be lost, the statement is not
            preparedHead = tracker.prepared.add(preparedHead, serial, statementId, sqlBytes, sqlLength, digest,
                truncated, prepareParams);
            lastPreparedId = statementId;
        }
        if (prepareParams > 0) {
            columnsLeft = prepareParams;
            responseState = R_PREPARE_PARAMS;
        } else {
            startPrepareColumns();
        }
    }

    private void startPrepareColumns() {
        if (prepareColumns > 0) {
            columnsLeft = prepareColumns;
            responseState = R_PREPARE_COLUMNS;
        } else {
            complete();
        }
    }

    private void endOfPrepareBlock() {
        prepareLastBlock = responseState == R_PREPARE_COLUMNS || prepareColumns == 0;
        if (deprecateEof == 1) {
            if (prepareLastBlock) {
                complete();
            } else {
                startPrepareColumns();
            }
            return;
        }
        responseState = R_PREPARE_EOF;
        awaitingOptionalEof = deprecateEof == UNKNOWN && prepareLastBlock;
    }

    private void onPrepareEof(final PacketFramer framer, final int first, final long length) {
        awaitingOptionalEof = false;
        if (first == EOF && length < EOF_MAX_LENGTH) {
            deprecateEof = 0;
            if (prepareLastBlock) {
                complete();
            } else {
                startPrepareColumns();
            }
        } else if (!prepareLastBlock && deprecateEof == UNKNOWN) {
            deprecateEof = 1; // the column definitions came straight after the parameters
            startPrepareColumns();
            if (--columnsLeft == 0) {
                endOfPrepareBlock();
            }
        } else {
            protocolError();
        }
    }

    private int errorCodeOf(final PacketFramer framer) {
        final UnsafeBuffer kept = framer.kept();
        return (kept.getByte(1) & 0xFF) | (kept.getByte(2) & 0xFF) << 8;
    }

    private void finishWithError(final PacketFramer framer) {
        if (kind == K_PREPARE) {
            lastPreparedId = -1; // MariaDB: an execution of id -1 now fails, and names no statement
        }
        final PayloadReader r = tracker.reader.wrap(framer.kept(), framer.keptLength());
        r.skip(1);
        errorCode = r.u16();
        // The SQL state follows '#'; the message after it is never kept (it echoes values).
        if (r.remaining() >= 6 && r.byteAt(3) == '#') {
            framer.kept().getBytes(4, sqlState, 0, 5);
            sqlStateLength = 5;
        }
        results++; // an error ends the command: statements after it in a multi-statement do not run
        complete();
    }

    private void parseOk(final PacketFramer framer, final boolean countAffected) {
        final PayloadReader r = tracker.reader.wrap(framer.kept(), framer.keptLength());
        r.skip(1);
        final long affected = r.lenenc();
        final long insertId = r.lenenc();
        if (r.overflow()) {
            tracker.counters.protocolErrors++;
            return;
        }
        if (countAffected) {
            affectedRows = (affectedRows < 0 ? 0 : affectedRows) + affected;
            lastInsertId = insertId;
        }
        final long caps = info.capabilities;
        if (caps == 0 || (caps & CLIENT_PROTOCOL_41) != 0) {
            final int status = r.u16();
            final int warningCount = r.u16();
            if (!r.overflow()) {
                serverStatus = status;
                serverStatusKnown = true;
                warnings += warningCount;
                learnSqlMode(status);
            }
        } else if ((caps & CLIENT_TRANSACTIONS) != 0) {
            final int status = r.u16();
            if (!r.overflow()) {
                serverStatus = status;
                serverStatusKnown = true;
                learnSqlMode(status);
            }
        }
    }

    // ------------------------------------------------------------------ events

    private void complete() {
        final long end = responseLast;
        emitQuery(false, false);
        if (end >= 0) {
            previousResponseEnd = end;
        }
        state = S_IDLE;
        fromClient.keep(true);
        awaitingOptionalEof = false;
        if (queuedCommand >= 0) {
            startQueuedExecution();
        }
    }

    /**
     * {@code to - from}, or -1 (unknown) when capture time stepped back between them: files merged
     * from several interfaces or queues are not always in time order, and a negative duration
     * would read as "unknown" anyway.
     */
    private static long duration(final long from, final long to) {
        return to >= from ? to - from : -1;
    }

    private void emitQuery(final boolean lossy, final boolean noResponse) {
        if (info.midstream) {
            learnIdentity();
        }
        final QueryEvent e = tracker.event;
        final MysqlCounters counters = tracker.counters;
        e.reset();
        e.timestampNanos = requestFirst;
        e.connection = info;
        e.command = commandName;
        if (sqlLength >= 0) {
            e.sql.putBytes(0, sqlBytes, 0, sqlLength);
            e.sqlLength = sqlLength;
            e.hasDigest = true;
            e.digest = digest;
        }
        if (responseFirst >= 0) {
            e.ttfbNanos = duration(requestLast, responseFirst);
            if (!lossy && !noResponse) {
                e.latencyNanos = duration(requestLast, responseLast);
                e.transferNanos = duration(responseFirst, responseLast);
            }
        }
        e.thinkNanos = think;
        e.rows = rows;
        e.results = lossy || noResponse ? -1 : Math.max(results, 1);
        e.affectedRows = affectedRows;
        e.lastInsertId = lastInsertId;
        e.bytesIn = requestBytes;
        e.bytesOut = responseBytes;
        e.errorCode = errorCode;
        System.arraycopy(sqlState, 0, e.sqlState, 0, sqlStateLength);
        e.sqlStateLength = sqlStateLength;
        e.warnings = warnings;
        e.serverStatus = serverStatus;
        e.serverStatusKnown = serverStatusKnown;
        int flags = 0;
        if (noResponse) {
            flags |= QueryEvent.FLAG_NO_RESPONSE;
        }
        if (resumedAfterResync) {
            flags |= QueryEvent.FLAG_RESYNC;
            resumedAfterResync = false;
        }
        if (unknownStatement) {
            flags |= QueryEvent.FLAG_UNKNOWN_STATEMENT;
        }
        if (replication) {
            flags |= QueryEvent.FLAG_REPLICATION;
        }
        e.params = params;
        e.spyglassFlags = flags;
        e.truncated = truncated;
        e.lossy = lossy;
        info.queries++;
        counters.queries++;
        if (errorCode != 0) {
            info.errors++;
            counters.errors++;
        }
        if (truncated) {
            counters.truncatedStatements++;
        }
        if (lossy) {
            counters.gapsInCommands++;
        }
        tracker.sink.onQuery(e);
        if (tracker.tableSightings != null) {
            tracker.tableSightings.onStatement(e);
        }
        clearPending();
    }

    /**
     * Whether this is the capture's own schema connection, known by its addresses and ports
     * ({@link OwnEndpoints}), which the collector's socket reported before sending a byte: asked
     * when the flow opens, at the login (plain or the SSLRequest), at a pickup after an idle spell,
     * and before any record. From then on it is only counted. The addresses, not the connect
     * attribute: the attribute can be read back from the server's performance_schema and copied by
     * any client, an address pair cannot be taken while in use.
     */
    private boolean leftOutAsOwn() {
        if (own) {
            return true;
        }
        if (tracker.ownEndpoints == null || !tracker.ownEndpoints.contains(info.id)) {
            return false;
        }
        own = true;
        tracker.counters.ownConnections++;
        state = S_DONE;
        return true;
    }

    private void emitConn(final long timestampNanos) {
        connEmitted = true;
        if (leftOutAsOwn()) {
            return; // also one first seen before the collector said where it connects from
        }
        if (info.midstream) {
            learnIdentity();
        }
        tracker.sink.onConnection(info, timestampNanos);
    }

    /**
     * A connection picked up mid-stream has no login to name its user and schema: the server's
     * process list may, once the schema thread has read it. Looked up once per published snapshot.
     */
    private void learnIdentity() {
        final ConnectionIdentities identities = tracker.identities;
        if (identities == null) {
            return;
        }
        final int generation = identities.generation();
        if (generation != identityGeneration && (!info.user.isKnown() || !info.db.isKnown())) {
            identityGeneration = generation;
            identities.fill(info);
        }
    }

    private void clearPending() {
        commandName = null;
        kind = K_GENERIC;
        responseState = R_FIRST;
        requestFirst = requestLast = 0;
        responseFirst = responseLast = -1;
        requestBytes = responseBytes = 0;
        think = -1;
        sqlLength = -1;
        digest = 0;
        truncated = false;
        rows = -1;
        affectedRows = -1;
        lastInsertId = 0;
        errorCode = 0;
        sqlStateLength = 0;
        warnings = 0;
        serverStatus = 0;
        serverStatusKnown = false;
        columnsLeft = 0;
        prepareParams = prepareColumns = 0;
        prepareLastBlock = false;
        params = -1;
        unknownStatement = false;
        replication = false;
        results = 0;
        awaitingOptionalEof = false;
        fromClient.keep(true);
    }
}
