package spyglass.pipeline;

import static spyglass.testing.MysqlWire.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import spyglass.testing.TcpConversation;

/**
 * One MySQL connection played into a {@link TcpConversation}, keeping what spyglass should report:
 * per command the capture times of its first and last request segment and first and last response
 * segment, its wire bytes and result; per connection the totals of {@code conn_close}.
 *
 * <p>Times are microseconds after {@link #T0}; every frame is stamped on a whole microsecond so the
 * expected {@code *_us} values are exact. Segments of a split payload are 1 µs apart (see
 * {@link TcpConversation#client(long, byte[], int)}).
 */
final class ScriptedConnection {
    /** 2023-11-14T22:13:20Z. */
    static final long T0 = 1_700_000_000_000_000_000L;
    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RFC3339_MICROS =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    static final String[] COLUMNS = {"id", "name"};
    /** An mss for "in one segment". */
    static final int WHOLE = Integer.MAX_VALUE;

    /** What one command's {@code query} record must say. */
    record Expected(String cmd, String sql, long firstRequestUs, long lastRequestUs, long firstResponseUs,
                    long lastResponseUs, long thinkUs, long bytesIn, long bytesOut, long rows, long affected,
                    List<String> flags, byte[] request, byte[] response, int firstRequestFrame, int firstResponseFrame,
                    int endFrame, long requestSeq, long responseSeq) {
        long latencyUs() {
            return lastResponseUs - lastRequestUs;
        }

        long ttfbUs() {
            return firstResponseUs - lastRequestUs;
        }

        long transferUs() {
            return lastResponseUs - firstResponseUs;
        }
    }

    final TcpConversation tcp;
    final String client;
    final String server;
    final List<Expected> expected = new ArrayList<>();
    long threadId = -1;
    String user;
    String db;
    String serverVersion;

    long openedUs = -1;
    /** Bytes the server sent in the handshake (greeting and login OK). */
    long loginServerBytes;
    long clientBytes;
    long serverBytes;
    long clientPackets;
    long serverPackets;
    /** Capture time of the previous response's last segment, -1 when none (think unknown). */
    long previousResponseEndUs = -1;

    private ScriptedConnection(final TcpConversation tcp, final String client, final String server) {
        this.tcp = tcp;
        this.client = client;
        this.server = server;
    }

    static ScriptedConnection ipv4(final String clientIp, final int clientPort, final String serverIp, final int serverPort) {
        return new ScriptedConnection(TcpConversation.ipv4(clientIp, clientPort, serverIp, serverPort),
            clientIp + ":" + clientPort, serverIp + ":" + serverPort);
    }

    static ScriptedConnection ipv6(final String clientIp, final int clientPort, final String serverIp, final int serverPort) {
        return new ScriptedConnection(TcpConversation.ipv6(clientIp, clientPort, serverIp, serverPort),
            "[" + clientIp + "]:" + clientPort, "[" + serverIp + "]:" + serverPort);
    }

    static long ns(final long micros) {
        return T0 + micros * 1_000L;
    }

    static String ts(final long micros) {
        return RFC3339_MICROS.format(Instant.ofEpochSecond(0, ns(micros)));
    }

    String conn() {
        return client + ">" + server;
    }

    /** SYN at {@code us}, greeting +100 µs, login +200 µs, OK +300 µs. */
    ScriptedConnection connect(final long us, final long thread, final String userName, final String schema) {
        openedUs = us;
        tcp.handshake(ns(us));
        threadId = thread;
        user = userName;
        db = schema;
        serverVersion = "8.0.36";
        server(us + 100, packet(0, greeting(serverVersion, thread, SERVER_CAPS)), WHOLE);
        client(us + 200, packet(1, login(CLIENT_CAPS | CONNECT_WITH_DB, userName, schema)), WHOLE);
        server(us + 300, packet(2, ok(0, 0, 2, 0)), WHOLE);
        loginServerBytes = serverBytes;
        return this;
    }

    /**
     * A COM_QUERY sent at {@code us} in segments of {@code requestMss} bytes, answered at
     * {@code responseUs} by a result set of {@code rows} in segments of {@code responseMss} bytes.
     */
    Expected select(final long us, final String sql, final String redacted, final int requestMss, final long responseUs,
                    final int responseMss, final String[][] rows, final int status, final String... flags) {
        final byte[] request = packet(0, query(sql));
        final byte[] response = resultSet(1, COLUMNS, rows, status);
        return exchange(us, request, requestMss, redacted, responseUs, response, responseMss, rows.length, -1,
            3 + COLUMNS.length + rows.length, flags);
    }

    /** A COM_QUERY answered by one OK with {@code affected} rows. */
    Expected update(final long us, final String sql, final String redacted, final int requestMss, final long responseUs,
                    final long affected, final int status, final String... flags) {
        final byte[] request = packet(0, query(sql));
        final byte[] response = packet(1, ok(affected, 0, status, 0));
        return exchange(us, request, requestMss, redacted, responseUs, response, response.length, -1, affected, 1, flags);
    }

    private Expected exchange(final long us, final byte[] request, final int requestMss, final String redacted,
                              final long responseUs, final byte[] response, final int responseMss, final long rows,
                              final long affected, final int responsePackets, final String... flags) {
        final int firstRequestFrame = tcp.frames().size();
        final long requestSeq = tcp.clientSequence();
        final long responseSeq = tcp.serverSequence();
        final long lastRequest = client(us, request, requestMss);
        final int firstResponseFrame = tcp.frames().size();
        final long lastResponse = server(responseUs, response, responseMss);
        final Expected e = new Expected(redacted == null ? commandNameOf(request) : "query", redacted, us, lastRequest,
            responseUs, lastResponse, previousResponseEndUs < 0 ? -1 : us - previousResponseEndUs, request.length,
            response.length, rows, affected, List.of(flags), request, response, firstRequestFrame, firstResponseFrame,
            tcp.frames().size(), requestSeq, responseSeq);
        serverPackets += responsePackets - 1; // server() counted one
        previousResponseEndUs = lastResponse;
        expected.add(e);
        return e;
    }

    /**
     * A COM_QUERY that gets no answer (the capture, or the connection, ends first). The expected
     * record has no response: latency, ttfb, transfer, rows and affected unknown, flag no_response.
     */
    Expected unanswered(final long us, final String sql, final String redacted, final int requestMss) {
        final byte[] request = packet(0, query(sql));
        final int firstRequestFrame = tcp.frames().size();
        final long requestSeq = tcp.clientSequence();
        final long lastRequest = client(us, request, requestMss);
        final Expected e = new Expected("query", redacted, us, lastRequest, -1, -1,
            previousResponseEndUs < 0 ? -1 : us - previousResponseEndUs, request.length, 0, -1, -1,
            List.of("no_response"), request, new byte[0], firstRequestFrame, tcp.frames().size(), tcp.frames().size(),
            requestSeq, tcp.serverSequence());
        expected.add(e);
        return e;
    }

    /** COM_PING at {@code us}, answered by OK (0 affected rows) at {@code responseUs}. */
    Expected ping(final long us, final int requestMss, final long responseUs, final int responseMss) {
        return exchange(us, packet(0, new byte[] {0x0E}), requestMss, null, responseUs, packet(1, ok(0, 0, 2, 0)),
            responseMss, -1, 0, 1);
    }

    private static String commandNameOf(final byte[] request) {
        return switch (request[4]) {
            case 0x0E -> "ping";
            case 0x03 -> "query";
            default -> throw new IllegalArgumentException("command " + request[4]);
        };
    }

    /**
     * Bytes [from, to) of {@code e}'s request or response sent again, as a segment stamped
     * {@code timestampNanos} with the acknowledgement the original carried; not added to the frames.
     */
    TcpConversation.Frame resend(final Expected e, final boolean request, final int from, final int to,
                                 final long timestampNanos) {
        final byte[] bytes = request ? e.request() : e.response();
        final long seq = (request ? e.requestSeq() : e.responseSeq()) + from;
        final long ack = request ? e.responseSeq() : e.requestSeq() + e.request().length;
        return tcp.segment(timestampNanos, request, seq, ack, java.util.Arrays.copyOfRange(bytes, from, to));
    }

    /** COM_QUIT at {@code us}, then FIN, FIN, ACK from {@code us + 100}. */
    ScriptedConnection quit(final long us) {
        client(us, packet(0, new byte[] {0x01}), WHOLE);
        tcp.close(ns(us + 100));
        return this;
    }

    /** The capture time the flow closes after {@link #quit}: the server's FIN completes both directions. */
    static long closedAfterQuitUs(final long quitUs) {
        return quitUs + 110;
    }

    /** Sends bytes in segments 1 µs apart; returns the last segment's time. Counts one MySQL packet. */
    long client(final long us, final byte[] bytes, final int mss) {
        tcp.client(ns(us), bytes, Math.max(1, Math.min(mss, bytes.length)));
        clientBytes += bytes.length;
        clientPackets++;
        return us + (bytes.length + Math.min(mss, bytes.length) - 1) / Math.min(mss, bytes.length) - 1;
    }

    long server(final long us, final byte[] bytes, final int mss) {
        tcp.server(ns(us), bytes, Math.max(1, Math.min(mss, bytes.length)));
        serverBytes += bytes.length;
        serverPackets++;
        return us + (bytes.length + Math.min(mss, bytes.length) - 1) / Math.min(mss, bytes.length) - 1;
    }

    // ------------------------------------------------------------------ expected records

    /** The {@code conn} record of a connection whose start was seen. */
    ObjectNode connRecord(final long atUs) {
        final ObjectNode n = JSON.createObjectNode();
        n.put("type", "conn");
        n.put("ts", ts(atUs));
        n.put("conn", conn());
        n.put("client", client);
        n.put("server", server);
        n.put("thread_id", threadId);
        n.put("server_version", serverVersion);
        n.put("user", user);
        n.put("db", db);
        n.put("tls", false);
        n.put("compressed", false);
        n.put("midstream", false);
        return n;
    }

    /** The {@code query} record of {@code e}, digest left out (checked separately: it is spyglass's hash). */
    ObjectNode queryRecord(final Expected e) {
        final ObjectNode n = JSON.createObjectNode();
        n.put("type", "query");
        n.put("ts", ts(e.firstRequestUs()));
        n.put("conn", conn());
        if (threadId < 0) {
            n.putNull("thread_id");
        } else {
            n.put("thread_id", threadId);
        }
        putOrNull(n, "user", user);
        putOrNull(n, "db", db);
        n.put("cmd", e.cmd());
        putOrNull(n, "sql", e.sql());
        if (e.sql() == null) {
            n.putNull("digest");
        }
        if (e.firstResponseUs() < 0) {
            n.putNull("latency_us");
            n.putNull("ttfb_us");
            n.putNull("transfer_us");
        } else {
            n.put("latency_us", e.latencyUs());
            n.put("ttfb_us", e.ttfbUs());
            n.put("transfer_us", e.transferUs());
        }
        putMicros(n, "think_us", e.thinkUs());
        putMicros(n, "rows", e.rows());
        if (e.firstResponseUs() < 0) {
            n.putNull("results");
        } else {
            n.put("results", 1);
        }
        putMicros(n, "affected", e.affected());
        n.put("bytes_in", e.bytesIn());
        n.put("bytes_out", e.bytesOut());
        n.putNull("error");
        n.put("warnings", 0);
        final ArrayNode flags = n.putArray("flags");
        e.flags().forEach(flags::add);
        n.putNull("params");
        n.put("truncated", false);
        n.put("lossy", false);
        return n;
    }

    ObjectNode closeRecord(final long atUs, final String reason) {
        final ObjectNode n = JSON.createObjectNode();
        n.put("type", "conn_close");
        n.put("ts", ts(atUs));
        n.put("conn", conn());
        n.put("reason", reason);
        n.put("duration_us", atUs - openedUs);
        n.put("queries", expected.size());
        n.put("errors", 0);
        n.put("bytes_in", clientBytes);
        n.put("bytes_out", serverBytes);
        n.put("packets_in", clientPackets);
        n.put("packets_out", serverPackets);
        return n;
    }

    static void putOrNull(final ObjectNode n, final String field, final String value) {
        if (value == null) {
            n.putNull(field);
        } else {
            n.put(field, value);
        }
    }

    static void putMicros(final ObjectNode n, final String field, final long value) {
        if (value < 0) {
            n.putNull(field);
        } else {
            n.put(field, value);
        }
    }

    /** A copy of a {@code query} record without its digest, after checking the digest's form. */
    static JsonNode withoutDigest(final JsonNode query) {
        final ObjectNode copy = query.deepCopy();
        if (copy.path("sql").isNull()) {
            return copy; // no statement, no digest: compared as null
        }
        final JsonNode digest = copy.remove("digest");
        if (digest == null || !digest.asText().matches("[0-9a-f]{16}")) {
            throw new AssertionError("digest is not 16 hex digits: " + query);
        }
        return copy;
    }
}
