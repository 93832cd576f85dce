package spyglass.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * sysbench's OLTP workloads against a {@link MariaDbServer} over TCP on 127.0.0.1, by default with
 * the text protocol ({@code --db-ps-mode=disable}) so every statement travels as COM_QUERY, or with
 * server-side prepared statements ({@link #preparedStatements}). Small tables by default (2 x 1000
 * rows) so prepare takes a second.
 */
public final class Sysbench {

    private final MariaDbServer server;
    private int tables = 2;
    private int tableSize = 1000;
    private int threads = 1;
    private int events = 20;
    private int timeSeconds;
    private Duration timeout = Duration.ofMinutes(5);
    private String psMode = "disable";

    public Sysbench(MariaDbServer server) {
        this.server = server;
    }

    public Sysbench tables(int count) {
        this.tables = count;
        return this;
    }

    public Sysbench tableSize(int rows) {
        this.tableSize = rows;
        return this;
    }

    public Sysbench threads(int count) {
        this.threads = count;
        return this;
    }

    /** Stop after this many events (transactions); 0 means no limit. */
    public Sysbench events(int count) {
        this.events = count;
        return this;
    }

    /** Stop after this many seconds; 0 means no limit. */
    public Sysbench time(int seconds) {
        this.timeSeconds = seconds;
        return this;
    }

    /** Upper bound on one sysbench process; it is killed past it. */
    public Sysbench timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Creates and fills the tables of {@code test} (e.g. {@code oltp_read_write}). */
    /** {@code --db-ps-mode=auto}: each thread prepares its statements once and executes them. */
    public Sysbench preparedStatements() {
        psMode = "auto";
        return this;
    }

    public String prepare(String test) {
        return phase(test, "prepare");
    }

    public String run(String test) {
        return phase(test, "run");
    }

    public String cleanup(String test) {
        return phase(test, "cleanup");
    }

    /** The full command line of one phase. */
    public List<String> command(String test, String phase) {
        List<String> cmd = new ArrayList<>(List.of(Tools.find("sysbench"), test,
                "--db-driver=mysql",
                "--mysql-host=127.0.0.1",
                "--mysql-port=" + server.port(),
                "--mysql-user=" + MariaDbServer.USER,
                "--mysql-password=" + MariaDbServer.PASSWORD,
                "--mysql-db=sbtest",
                "--db-ps-mode=" + psMode,
                "--tables=" + tables,
                "--table-size=" + tableSize,
                "--threads=" + threads,
                "--events=" + events,
                "--time=" + timeSeconds,
                "--rand-seed=1",
                phase));
        return cmd;
    }

    private String phase(String test, String phase) {
        return Tools.run(command(test, phase), null, timeout).orThrow("sysbench " + test + " " + phase).stdout();
    }
}
