package spyglass.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import spyglass.schema.ConnectionSettings;
import spyglass.schema.Credentials;
import spyglass.schema.SchemaCollector;
import spyglass.schema.TableName;

/** {@code spyglass schema}: the definitions of a server's tables and its context, on their own. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Connects to the server as an ordinary client (mysql-connector-j, TLS when the server offers it) "
            + "and writes, as JSON lines, a 'server' record (SHOW GLOBAL VARIABLES and STATUS) and one "
            + "'ddl' record per table and view of the schemas named: its SHOW CREATE statement, engine, "
            + "rows, data and index length.",
        "",
        "The password is never taken from the command line (every user of the host could read it): "
            + "MYSQL_PWD, else the [client] group of --defaults-file, else a prompt on the terminal.",
        ""
    },
    footer = {
        "",
        "Exit status: 0 when every definition was read; 1 when some could not be (each kind of "
            + "failure is said once, the rest is written); 2 for a usage error, no connection, or one lost "
            + "midway (what was read before is kept).",
        "",
        "Examples:",
        "  MYSQL_PWD=... spyglass schema -u app --all-tables shop,billing -o s.jsonl",
        "  spyglass schema --defaults-file ~/.my.cnf --all-tables shop",
        "  spyglass schema -S /run/mysqld/mysqld.sock -u app --tables shop.orders"
    })
public final class SchemaCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-H", "--host"}, paramLabel = "HOST",
        description = "Server address (default: the option file's, else 127.0.0.1).")
    String host;

    @Option(names = {"-P", "--port"}, paramLabel = "PORT", description = "Server port (default: the option file's, else 3306).")
    Integer port;

    @Option(names = {"-S", "--socket"}, paramLabel = "PATH",
        description = "Connect through this Unix socket instead of TCP (default: the option file's socket, when it "
            + "names no other host than localhost).")
    Path socket;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User (default: the option file's, else $USER).")
    String user;

    @Option(names = "--defaults-file", paramLabel = "FILE",
        description = "An option file in the ~/.my.cnf format: its [client] user, password, host and port.")
    Path defaultsFile;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    /** What to read: all the tables of some schemas, or tables by name. */
    static final class Which {
        @Option(names = "--all-tables", paramLabel = "DB", split = ",", required = true,
            description = "The schemas whose tables and views to write, all of them (comma-separated).")
        List<String> databases;

        @Option(names = "--tables", paramLabel = "DB.TABLE", split = ",", required = true,
            description = "Tables and views by name (comma-separated; backquote a name that holds a dot).")
        List<String> tables;
    }

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
        description = "Give up connecting after this long (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--query-timeout", paramLabel = "SECONDS", defaultValue = "30",
        description = "Give up on one query after this long (default: ${DEFAULT-VALUE}).")
    int queryTimeout;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "-",
        description = "File to write, created with mode 0600; - for standard output (default).")
    String output;

    @Option(names = "--redact-ddl", description = SchemaCaptureOptions.REDACT_DDL_HELP)
    boolean redactDdl;

    /** What a mysql user types out of habit: refused, its value never repeated. */
    @Option(names = {"-p", "--password"}, arity = "0..1", hidden = true)
    String passwordGiven;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        if (passwordGiven != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), SchemaCaptureOptions.NO_PASSWORD_OPTION);
        }
        if (connectTimeout < 1 || queryTimeout < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "timeouts are whole seconds, at least 1");
        }
        final List<TableName> names = new java.util.ArrayList<>();
        if (which.tables != null) {
            try {
                for (final String t : which.tables) {
                    names.add(TableName.parse(t.strip())); // "a.b, a.c" as typed
                }
            } catch (final IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tables: " + e.getMessage());
            }
        }
        SchemaCaptureOptions.checkCreatable(spec.commandLine(), output); // before a password is asked for
        final ConnectionSettings settings;
        try {
            // a prompt only on a terminal: since JDK 22 a console object exists without one
            final java.io.Console console = System.console();
            settings = Credentials.resolve(host, port, 3306, socket, user, defaultsFile, System.getenv(),
                console != null && console.isTerminal() ? console : null,
                Duration.ofSeconds(connectTimeout), Duration.ofSeconds(queryTimeout));
        } catch (final IllegalArgumentException | IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        final SchemaCollector collector;
        try {
            collector = SchemaCollector.connect(settings);
        } catch (final SQLException e) {
            err.println("spyglass: cannot connect to " + settings + ": " + SchemaCollector.describe(e));
            return 2;
        }
        int tables = 0;
        final List<String> problems;
        try (collector; OutputStream out = open(output)) {
            final SchemaRecords records = new SchemaRecords((line, offset, length) -> {
                try {
                    out.write(line, offset, length);
                    return true;
                } catch (final IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, redactDdl);
            try {
                collector.server("start", records);
                if (which.databases != null) {
                    collector.allTables(which.databases, records);
                } else {
                    collector.tables(names, records);
                }
            } catch (final SQLException e) {
                // the connection went, or a query timed out: what was read is written, and said
                err.println("spyglass: reading from " + settings + " stopped after " + records.tables()
                    + " definitions: " + e.getMessage());
                return 2;
            }
            tables = records.tables();
            problems = collector.problems();
        }
        for (final String problem : problems) {
            err.println("spyglass: " + problem);
        }
        final String of = which.databases != null
            ? " of " + which.databases.size() + (which.databases.size() == 1 ? " schema" : " schemas")
            : " of " + names.size() + (names.size() == 1 ? " table named" : " tables named");
        err.println("spyglass: " + tables + (tables == 1 ? " definition" : " definitions") + of + " from " + settings
            + " -> " + output);
        return problems.isEmpty() ? 0 : 1;
    }

    private static OutputStream open(final String output) throws IOException {
        if ("-".equals(output)) {
            return new java.io.FilterOutputStream(System.out) {
                @Override
                public void close() throws IOException {
                    flush(); // standard output stays open
                }
            };
        }
        final Path path = Path.of(output);
        Files.deleteIfExists(path);
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.newOutputStream(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
