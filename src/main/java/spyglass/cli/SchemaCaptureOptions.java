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
        description = "User for the schema connection (default: the option file's, else $USER, else root); it needs SELECT or "
            + "SHOW VIEW on the tables, and PROCESS to see other users' connections.")
    String user;

    @Option(names = "--defaults-file", paramLabel = "FILE",
        description = "An option file in the ~/.my.cnf format: its [client] user, password, host, port and socket.")
    Path defaultsFile;

    @Option(names = "--all-tables", paramLabel = "DB", split = ",",
        description = "Also write every table and view of these schemas at the start, used or not.")
    List<String> allTables = List.of();

    /** What a mysql user types out of habit: refused, its value never repeated. */
    @Option(names = {"--password", "--schema-password"}, arity = "0..1", hidden = true)
    String passwordGiven;

    /** The refusal of a password on the command line, with where it may come from instead. */
    static final String NO_PASSWORD_OPTION = "spyglass takes no password on the command line (every user of the "
        + "host can read a process's arguments): set MYSQL_PWD, give --defaults-file with a [client] password, or "
        + "run on a terminal to be asked";

    /** The options of this group other than --schema itself: given without it, they would do nothing. */
    private static final List<String> NEEDS_SCHEMA = List.of("--schema-host", "--schema-port", "--schema-socket",
        "--schema-user", "--defaults-file", "--all-tables", "--redact-ddl", "--schema-connect-timeout",
        "--schema-query-timeout");

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

    /**
     * Whether to collect; a schema option without {@code --schema} is a usage error, not silence,
     * and so is a password on the command line.
     */
    boolean enabled(final CommandLine commandLine) {
        if (passwordGiven != null) {
            throw new CommandLine.ParameterException(commandLine, NO_PASSWORD_OPTION);
        }
        if (!schema) {
            for (final String option : NEEDS_SCHEMA) {
                if (commandLine.getParseResult().hasMatchedOption(option)) {
                    throw new CommandLine.ParameterException(commandLine, option + " is an option of the schema "
                        + "collection: add --schema to collect it during the capture");
                }
            }
        }
        return schema;
    }

    /**
     * Refuses an output file that cannot be created (its directory missing or not writable) before
     * anything connects, in words rather than a bare path.
     */
    static void checkCreatable(final CommandLine commandLine, final String output) {
        if ("-".equals(output)) {
            return;
        }
        final Path parent = Path.of(output).toAbsolutePath().getParent();
        if (parent == null || !java.nio.file.Files.isDirectory(parent)) {
            throw new CommandLine.ParameterException(commandLine, "cannot create " + output
                + ": its directory does not exist; give -o a path in an existing directory");
        }
        if (!java.nio.file.Files.isWritable(parent)) {
            throw new CommandLine.ParameterException(commandLine, "cannot create " + output + ": " + parent
                + " is not writable by this user");
        }
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
