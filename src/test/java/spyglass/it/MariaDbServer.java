package spyglass.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private MariaDB server for one test: its own temporary data directory, a free TCP port on
 * 127.0.0.1, its own socket and pid file, the general log in a table. It never touches a system
 * server, and it is stopped by the pid it was started with.
 *
 * <p>Tests connect as {@link #USER}/{@link #PASSWORD} (all privileges) over TCP; databases
 * {@code spydb}, {@code sbtest} and {@code otherdb} exist. The harness itself only talks to the
 * server as root over the unix socket, so its own traffic never shows up in a TCP capture.
 */
public final class MariaDbServer implements AutoCloseable {

    public static final String USER = "spy";
    public static final String PASSWORD = "spypass";
    public static final String DATABASE = "spydb";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Process process;
    private final int port;
    private final String host;
    private boolean closed;

    private MariaDbServer(Path dir, Process process, int port, String host) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.host = host;
    }

    /** Starts a fresh server with the default options. */
    public static MariaDbServer start() {
        return start(List.of());
    }

    /** Starts a fresh server with extra mariadbd options, e.g. {@code --ssl-cert=...}. */
    public static MariaDbServer start(List<String> extraServerOptions) {
        return start(extraServerOptions, List.of(), "127.0.0.1", "127.0.0.1", 0);
    }

    /**
     * Starts a fresh server through {@code launchPrefix} (e.g. {@code ip netns exec NS}, which execs
     * in place, so the process's pid is the server's), listening on {@code bindAddress} (MariaDB's
     * syntax: {@code *} is every address, IPv4 and IPv6) and {@code port} (0: a free port on
     * 127.0.0.1); {@code host} is the address clients are given ({@link #host()}). The harness still
     * reaches it over its unix socket, which works across network namespaces.
     */
    public static MariaDbServer start(List<String> extraServerOptions, List<String> launchPrefix,
            String bindAddress, String host, int port) {
        Path dir;
        try {
            dir = Files.createTempDirectory("spyglass-mariadb-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            install(dir);
            MariaDbServer server = null;
            // A free port can be taken between our check and the server's bind: try again then.
            for (int attempt = 1; server == null; attempt++) {
                server = launch(dir, extraServerOptions, launchPrefix, bindAddress, host, port, port != 0 || attempt == 3);
            }
            server.setUp();
            return server;
        } catch (RuntimeException | Error e) {
            Tools.deleteTree(dir);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** The address clients connect to ({@code 127.0.0.1} unless started elsewhere). */
    public String host() {
        return host;
    }

    public Path socket() {
        return dir.resolve("mariadbd.sock");
    }

    /** The temporary directory that holds the data directory, logs, socket and pid file. */
    public Path directory() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    /** Connector/J URL as {@link #USER} over TCP, text protocol, no TLS. */
    public String jdbcUrl(String db) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "jdbc:mysql://" + h + ":" + port + "/" + db + "?user=" + USER + "&password=" + PASSWORD
                + "&sslMode=DISABLED&useServerPrepStmts=false";
    }

    /** The server's version string, e.g. {@code 10.11.19-MariaDB-0+deb12u1-log}. */
    public String version() {
        return rootSql("SELECT VERSION()").strip();
    }

    /** Runs SQL as root over the unix socket (no TCP traffic); returns the batch-mode output. */
    public String rootSql(String sql) {
        List<String> cmd = List.of(Tools.find("mariadb"), "--no-defaults", "--socket=" + socket(), "-uroot",
                "--batch", "--skip-column-names", "-e", sql);
        return Tools.run(cmd, null, SQL_TIMEOUT).orThrow("root SQL `" + sql + "`").stdout();
    }

    /** Every general-log row except those of the harness's own connections, in server order. */
    public List<GeneralLogRow> generalLog() {
        return readGeneralLog("");
    }

    /** The general-log rows of one connection (its thread id is the greeting's connection id). */
    public List<GeneralLogRow> generalLog(long threadId) {
        return readGeneralLog(" AND thread_id = " + threadId);
    }

    public void truncateGeneralLog() {
        rootSql("TRUNCATE TABLE mysql.general_log");
    }

    /** The last lines of the server's error log, for failure messages. */
    public String errorLogTail() {
        return Tools.tail(dir.resolve("error.log"), 30);
    }

    /** Stops the server by its pid (SIGTERM, then SIGKILL after 30 s) and deletes its directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(process);
        } finally {
            Tools.deleteTree(dir);
        }
    }

    private List<GeneralLogRow> readGeneralLog(String filter) {
        // Hex keeps arguments byte-exact whatever tabs, newlines or backslashes they hold. The
        // harness's connections (root over the socket) are excluded; the log table keeps
        // insertion order without ORDER BY.
        String out = rootSql("SELECT thread_id, command_type, HEX(argument) FROM mysql.general_log"
                + " WHERE thread_id <> CONNECTION_ID() AND user_host NOT LIKE '%[root] @ localhost []%'"
                + filter);
        List<GeneralLogRow> rows = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            rows.add(new GeneralLogRow(Long.parseLong(f[0]), f[1],
                    new String(hex.parseHex(f[2]), StandardCharsets.UTF_8)));
        }
        return rows;
    }

    private static void install(Path dir) {
        List<String> cmd = new ArrayList<>(List.of(Tools.find("mariadb-install-db"), "--no-defaults",
                "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=normal",
                "--skip-test-db", "--innodb-log-file-size=8M"));
        if (Tools.isRoot()) {
            cmd.add("--user=root");
        }
        Tools.run(cmd, null, Duration.ofSeconds(120)).orThrow("mariadb-install-db");
    }

    /** Returns the running server, or null when the port was taken and {@code last} is false. */
    private static MariaDbServer launch(Path dir, List<String> extra, List<String> prefix, String bindAddress,
            String host, int fixedPort, boolean last) {
        int port = fixedPort != 0 ? fixedPort : Tools.freePort();
        Path errorLog = dir.resolve("error.log");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Tools.find("mariadbd"), "--no-defaults"));
        if (Tools.isRoot()) {
            cmd.add("--user=root");
        }
        cmd.addAll(List.of(
                "--datadir=" + dir.resolve("data"),
                "--bind-address=" + bindAddress,
                "--port=" + port,
                "--skip-name-resolve",
                "--socket=" + dir.resolve("mariadbd.sock"),
                "--pid-file=" + dir.resolve("mariadbd.pid"),
                "--log-error=" + errorLog,
                "--general-log=1",
                "--log-output=TABLE",
                // What Debian's packaged server is configured with; --no-defaults would give latin1.
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
                "--innodb-log-file-size=8M",
                "--innodb-buffer-pool-size=64M",
                "--innodb-flush-log-at-trx-commit=0",
                "--max-connections=200"));
        cmd.addAll(extra);
        Process process;
        try {
            Files.deleteIfExists(errorLog);
            process = new ProcessBuilder(cmd)
                    .redirectOutput(dir.resolve("mariadbd.out").toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            String log = readQuietly(errorLog);
            if (log.contains("ready for connections")) {
                return new MariaDbServer(dir, process, port, host);
            }
            if (!process.isAlive()) {
                boolean portTaken = log.contains("Address already in use") || log.contains("Bind on TCP/IP port");
                if (portTaken && !last) {
                    return null;
                }
                throw new IllegalStateException("mariadbd exited with code " + process.exitValue()
                        + " during start-up; error log tail:\n" + Tools.tail(errorLog, 30));
            }
            if (System.nanoTime() > deadline) {
                stop(process);
                throw new IllegalStateException("mariadbd (pid " + process.pid() + ") not ready after "
                        + START_TIMEOUT.toSeconds() + " s; error log tail:\n" + Tools.tail(errorLog, 30));
            }
            sleep(50);
        }
    }

    private void setUp() {
        try {
            rootSql("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "';"
                    + " GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%';"
                    + " CREATE DATABASE " + DATABASE + "; CREATE DATABASE sbtest; CREATE DATABASE otherdb;"
                    + " TRUNCATE TABLE mysql.general_log;");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM to this pid: mariadbd shuts down cleanly
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
