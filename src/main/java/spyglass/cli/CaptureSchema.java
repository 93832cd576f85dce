package spyglass.cli;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import spyglass.mysql.ConnectionIdentities;
import spyglass.mysql.OwnEndpoints;
import spyglass.packet.AddressFormat;
import spyglass.schema.TaggedSocketFactory;
import spyglass.mysql.MysqlOptions;
import spyglass.mysql.TableNameListener;
import spyglass.schema.ConnectionSettings;
import spyglass.schema.SchemaCollector;
import spyglass.schema.TableName;
import spyglass.redact.TableReferences;

/**
 * {@code capture --schema}: the schema collector beside a live capture, on a thread of its own so
 * that a slow or absent server never holds the capture up. In order, it connects, reads the
 * process list (users and schemas of the connections already open), writes the {@code server}
 * snapshot at the start, the definitions of every table of {@code --all-tables}, then of each
 * table the traffic names as the workers report them; at the stop, the last names and the
 * closing {@code server} snapshot. Its lines go into the capture's output ring beside the
 * workers'. A failure is said once, on standard error, and the capture goes on without it.
 */
final class CaptureSchema implements TableNameListener {
    /** Names waiting for the collector; a worker whose offer is refused offers again later. */
    private static final int QUEUE_CAPACITY = 4096;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ConnectionSettings settings;
    private final List<String> allTablesOf;
    private final SchemaRecords records;
    private final String tag = newTag();
    private final ConnectionIdentities identities = new ConnectionIdentities();
    private final OwnEndpoints ownEndpoints = new OwnEndpoints();
    private final ManyToOneConcurrentArrayQueue<TableName> names = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    /** A line for standard error: a problem, always said, or news of what was done, not said with -q. */
    private record Message(boolean problem, String text) {
    }

    /** What the collector has to say, for the capture thread to print. */
    private final Queue<Message> messages = new ConcurrentLinkedQueue<>();
    private final Set<TableName> read = new HashSet<>();
    private SchemaRecords.Lines lines;

    /** False once the collector has ended (or never connected): names are then dropped, not queued. */
    private volatile boolean accepting = true;
    private volatile boolean stopRequested;
    private volatile boolean abandoned;
    private Thread thread;

    CaptureSchema(final ConnectionSettings settings, final List<String> allTablesOf, final boolean redactDdl) {
        this.settings = settings;
        this.allTablesOf = List.copyOf(allTablesOf);
        this.records = new SchemaRecords(this::write, redactDdl);
    }

    /** Sixteen hex digits no other capture shares: the value of the connect attribute {@code spyglass_capture}. */
    private static String newTag() {
        final byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** What the workers need: where the collector's own connections come from, the identities it publishes, where names go. */
    void configure(final MysqlOptions options) {
        options.ownEndpoints = ownEndpoints;
        options.identities = identities;
        options.tableNames = this;
    }

    /** Starts the collector, its lines going to {@code lines} (the capture's output ring). */
    void start(final SchemaRecords.Lines lines) {
        this.lines = lines;
        thread = Thread.ofPlatform().name("sg-schema").daemon().start(this::run);
    }

    @Override
    public boolean offer(final String db, final String table) {
        return !accepting || names.offer(new TableName(db, table));
    }

    @Override
    public boolean ready() {
        return !accepting || names.remainingCapacity() >= TableReferences.DEFAULT_CAPACITY;
    }

    /** Says what the collector has to say, each message once: its problems always, what it did unless {@code quiet}. */
    void drainMessages(final Consumer<String> out, final boolean quiet) {
        for (Message m; (m = messages.poll()) != null; ) {
            if (m.problem() || !quiet) {
                out.accept(m.text());
            }
        }
    }

    /**
     * Called once the workers have closed every connection: reads the last names and the closing
     * snapshot, waiting at most {@code limitNanos}; past it the capture ends without them.
     */
    void finish(final long limitNanos) {
        stopRequested = true;
        if (thread == null) {
            return;
        }
        LockSupport.unpark(thread);
        try {
            thread.join(java.time.Duration.ofNanos(limitNanos));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            abandoned = true;
            problem("schema: the closing snapshot did not finish within "
                + TimeUnit.NANOSECONDS.toSeconds(limitNanos) + " s; the capture file ends without it");
        }
    }

    private void problem(final String text) {
        messages.add(new Message(true, text));
    }

    private void news(final String text) {
        messages.add(new Message(false, text));
    }

    private boolean write(final byte[] line, final int offset, final int length) {
        if (abandoned) {
            return false;
        }
        if (!lines.write(line, offset, length)) {
            problem("schema: a record of " + length + " bytes could not go into the capture file (longer than its "
                + "output ring takes, or the capture was ending): skipped");
            return false;
        }
        return true;
    }

    private void run() {
        TaggedSocketFactory.listen(tag, (local, remote) -> ownEndpoints.add(endpoint(local) + ">" + endpoint(remote)));
        try {
            collect();
        } finally {
            TaggedSocketFactory.forget(tag);
        }
    }

    /** The endpoint as the workers write a connection's client: the same formatter, so the bytes match. */
    static String endpoint(final InetSocketAddress local) {
        final byte[] address = local.getAddress().getAddress();
        long high = 0;
        long low;
        if (address.length == 4) {
            low = AddressFormat.ipv4MappedLow(ByteBuffer.wrap(address).getInt());
        } else {
            final ByteBuffer b = ByteBuffer.wrap(address);
            high = b.getLong();
            low = b.getLong();
        }
        final byte[] text = new byte[AddressFormat.MAX_ENDPOINT_LENGTH];
        final int n = AddressFormat.formatEndpoint(high, low, local.getPort(), text, 0);
        return new String(text, 0, n, StandardCharsets.US_ASCII);
    }

    private void collect() {
        final SchemaCollector collector;
        try {
            collector = SchemaCollector.connect(settings, tag);
        } catch (final SQLException | RuntimeException e) {
            accepting = false;
            problem("schema: cannot connect to " + settings + " (" + (e instanceof SQLException sql
                ? SchemaCollector.describe(sql) : e)
                + "); the capture goes on without the schema");
            return;
        }
        String phase = "reading the process list";
        try (collector) {
            publishIdentities(collector);
            phase = "the start snapshot";
            collector.server("start", records);
            phase = "the tables of --all-tables";
            if (!allTablesOf.isEmpty()) {
                collector.stopWhen(() -> stopRequested || abandoned); // a stop cuts this long read short
                collector.allTables(allTablesOf, records);
            }
            collector.stopWhen(() -> abandoned); // the last names are read at the stop
            phase = "the tables the traffic named";
            while (!stopRequested && !abandoned) {
                readNames(collector);
                LockSupport.parkNanos(POLL_NANOS);
            }
            readNames(collector);
            phase = "the stop snapshot";
            if (!abandoned) {
                collector.server("stop", records);
            }
            for (final String problem : collector.problems()) {
                problem("schema: " + problem);
            }
            news("schema: " + records.tables() + (records.tables() == 1 ? " definition" : " definitions")
                + " from " + settings);
        } catch (final SQLException | RuntimeException e) {
            problem("schema: " + phase + " failed (" + (e instanceof SQLException ? e.getMessage() : e)
                + "); " + records.tables()
                + " definitions were written, the capture goes on without the rest");
        } finally {
            accepting = false;
            names.clear();
        }
    }

    private void publishIdentities(final SchemaCollector collector) throws SQLException {
        final ConnectionIdentities.Snapshot snapshot = new ConnectionIdentities.Snapshot();
        final List<SchemaCollector.Process> processes = collector.processList();
        for (final SchemaCollector.Process p : processes) {
            snapshot.add(p.host(), p.user(), p.db(), p.id());
        }
        identities.publish(snapshot);
        final boolean othersSeen = processes.stream().anyMatch(p -> !settings.user().equals(p.user()));
        news("schema: connected to " + settings + "; " + processes.size()
            + (processes.size() == 1 ? " other connection" : " other connections") + " in its process list"
            + (othersSeen ? "" : ", none of another user (those need the PROCESS privilege to be seen)"));
    }

    private void readNames(final SchemaCollector collector) throws SQLException {
        final List<TableName> batch = new ArrayList<>();
        names.drainTo(batch, QUEUE_CAPACITY);
        for (final TableName name : batch) {
            if (abandoned) {
                return;
            }
            if (name.db() != null && allTablesOf.contains(name.db())) {
                continue; // written whole at the start
            }
            if (read.add(name)) {
                collector.tableSeen(name, records);
            }
        }
    }
}
