package spyglass.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import spyglass.schema.ConnectionSettings;
import spyglass.schema.Credentials;

/** The options of {@code capture --schema}: where the schema connection goes, as whom, and what it reads. */
final class SchemaCaptureOptions {
    @Option(names = "--schema",
        description = "Also connect to the server as an ordinary client (mysql-connector-j) and write the definitions "
            + "and sizes of the tables the captured statements name, the server's global variables and status at the "
            + "start and the stop, and the users and schemas of connections open before the capture. Its own queries "
            + "are left out of the capture. The password: MYSQL_PWD, --defaults-file, else a prompt.")
    boolean schema;

    @Option(names = "--schema-host", paramLabel = "HOST",
        description = "Server to read the schema from (default: --server, else the option file's, else 127.0.0.1).")
    String host;

    @Option(names = "--schema-port", paramLabel = "PORT",
        description = "Its port (default: the option file's, else the first of -p).")
    Integer port;

    @Option(names = "--schema-socket", paramLabel = "PATH",
        description = "Connect for the schema through this Unix socket instead of TCP (default: the option file's "
            + "socket, when it names no other host than localhost).")
    Path socket;

    @Option(names = "--schema-user", paramLabel = "USER",
        description = "User for the schema connection (default: the option file's, else $USER); it needs SELECT or "
            + "SHOW VIEW on the tables, and PROCESS to see other users' connections.")
    String user;

    @Option(names = "--defaults-file", paramLabel = "FILE",
        description = "An option file in the ~/.my.cnf format: its [client] user, password, host and port.")
    Path defaultsFile;

    @Option(names = "--all-tables", paramLabel = "DB", split = ",",
        description = "Also write every table and view of these schemas at the start, used or not (implies --schema).")
    List<String> allTables = List.of();

    /** The help of {@code --redact-ddl}, the same in {@code schema} and {@code capture}. */
    static final String REDACT_DDL_HELP = "Hide the values a definition can carry: DEFAULT values, COMMENTs, the "
        + "AUTO_INCREMENT= counter, partition bounds, constants of checks, generated columns and views. Names, types "
        + "and sizes stay. Each ddl record says whether it was redacted.";

    @Option(names = "--redact-ddl", description = REDACT_DDL_HELP)
    boolean redactDdl;

    @Option(names = "--schema-connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
        description = "Give up connecting for the schema after this long (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--schema-query-timeout", paramLabel = "SECONDS", defaultValue = "30",
        description = "Give up on one schema query after this long (default: ${DEFAULT-VALUE}).")
    int queryTimeout;

    boolean enabled() {
        return schema || !allTables.isEmpty();
    }

    /** How long the stop waits for the last definitions and the closing snapshot. */
    long finishLimitNanos() {
        return Duration.ofSeconds(2L * queryTimeout + 5).toNanos();
    }

    /**
     * Resolves where and as whom to connect (asking for the password on the terminal if need be),
     * before the capture starts: a prompt in the middle of a capture would be lost in its progress.
     */
    CaptureSchema create(final CommandLine commandLine, final String serverAddress, final int firstPort) {
        if (connectTimeout < 1 || queryTimeout < 1) {
            throw new CommandLine.ParameterException(commandLine,
                "--schema-connect-timeout and --schema-query-timeout are whole seconds, at least 1");
        }
        final ConnectionSettings settings;
        try {
            final java.io.Console console = System.console();
            settings = Credentials.resolve(host != null ? host : serverAddress, port, firstPort, socket, user,
                defaultsFile, System.getenv(), console != null && console.isTerminal() ? console : null,
                Duration.ofSeconds(connectTimeout), Duration.ofSeconds(queryTimeout));
        } catch (final IllegalArgumentException | IOException e) {
            throw new CommandLine.ParameterException(commandLine, "--schema: " + e.getMessage());
        }
        return new CaptureSchema(settings, allTables, redactDdl);
    }
}
