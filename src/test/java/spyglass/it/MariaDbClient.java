package spyglass.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code mariadb} command-line client connected to a {@link MariaDbServer} over TCP
 * as {@link MariaDbServer#USER}, so tests see the traffic a person at a terminal makes.
 */
public final class MariaDbClient {

    private final MariaDbServer server;
    private final List<String> extraOptions = new ArrayList<>();
    private String database = MariaDbServer.DATABASE;
    private String host;
    private final List<String> prefix = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(60);

    public MariaDbClient(MariaDbServer server) {
        this.server = server;
    }

    /** Adds client options, e.g. {@code --ssl}, {@code --force}, {@code --compress}. */
    public MariaDbClient option(String option) {
        extraOptions.add(option);
        return this;
    }

    /** Connects to this address instead of the server's own (default: {@link MariaDbServer#host()}). */
    public MariaDbClient host(String address) {
        this.host = address;
        return this;
    }

    /** Runs the client through a command prefix, e.g. {@code ip netns exec NS}. */
    public MariaDbClient via(List<String> commandPrefix) {
        prefix.clear();
        prefix.addAll(commandPrefix);
        return this;
    }

    public MariaDbClient database(String db) {
        this.database = db;
        return this;
    }

    public MariaDbClient timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Runs statements with {@code -e}; the result holds the exit code, nothing is thrown. */
    public ProcessResult execute(String sql) {
        List<String> cmd = command();
        cmd.add("-e");
        cmd.add(sql);
        return Tools.run(cmd, null, timeout);
    }

    /** Runs a script fed on stdin, as {@code mariadb ... < script.sql} does. */
    public ProcessResult script(String sqlScript) {
        return Tools.run(command(), sqlScript, timeout);
    }

    /** The command line, ready for more arguments. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Tools.find("mariadb"), "--no-defaults", "--protocol=TCP",
                "-h" + (host != null ? host : server.host()), "-P" + server.port(), "-u" + MariaDbServer.USER, "-p" + MariaDbServer.PASSWORD,
                // Not the locale's guess: the same bytes and collation id on every machine.
                "--default-character-set=utf8mb4"));
        cmd.addAll(extraOptions);
        if (database != null) {
            cmd.add(database);
        }
        return cmd;
    }
}
