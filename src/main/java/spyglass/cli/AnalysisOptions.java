package spyglass.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import spyglass.mysql.LiteralKey;
import spyglass.pipeline.PipelineOptions;
import spyglass.pipeline.ServerFilter;

/**
 * The options {@code read} and {@code capture} share: which traffic is MySQL, and the bounds of
 * the analysis. One place, so both commands spell and check them the same way.
 */
final class AnalysisOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "3306", split = ",",
        converter = PortNumber.class,
        description = "MySQL server port; repeat or separate with commas for several (default: ${DEFAULT-VALUE}).")
    int[] ports;

    /**
     * A port number. What is not one is not repeated in the error: a mysql user's {@code -pPASSWORD}
     * lands here, and its value must not reach a terminal's scrollback or a log.
     */
    static final class PortNumber implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(final String value) {
            try {
                return Integer.parseInt(value.strip()); // its range is checked with the other options
            } catch (final NumberFormatException e) {
                throw new CommandLine.TypeConversionException("a port is a number from 1 to 65535 (if that was a "
                    + "password: spyglass takes none on the command line; see --schema)");
            }
        }
    }

    @Option(names = "--server", paramLabel = "ADDRESS",
        description = "Only the server at this IP address (default: any address on the server ports).")
    String serverAddress;

    @Option(names = "--max-statement-bytes", paramLabel = "BYTES", defaultValue = "65536",
        description = "Longest redacted text kept per statement. Every statement is read whole (its digest covers all of it); "
            + "a longer text is cut before the first token that does not fit and marked truncated (default: ${DEFAULT-VALUE}).")
    int maxStatementBytes;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "65536",
        description = "Connections tracked at once; beyond it the least recently active one is let go (default: ${DEFAULT-VALUE}).")
    int maxFlows;

    @Option(names = "--reorder-buffer", paramLabel = "BYTES", defaultValue = "262144",
        description = "Out-of-order bytes held per connection direction before a gap is declared (default: ${DEFAULT-VALUE}).")
    int reorderBuffer;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "900",
        description = "A connection silent this long (in capture time) is closed as idle (default: ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "0",
        description = "Write a stats record every SECONDS of capture time; 0 writes only the final one (default: ${DEFAULT-VALUE}).")
    long statsIntervalSeconds;

    @Option(names = "--redact", paramLabel = "MODE", defaultValue = "plain",
        description = {
            "How literal values are hidden: plain or keyed (default: ${DEFAULT-VALUE}).",
            "plain: every literal becomes ?.",
            "keyed: every literal becomes ?: and eight hex digits (id = ?:4c945df8), a keyed hash (SipHash-2-4) of its value, so "
                + "one value can be followed across statements and connections without being shown. Equal values "
                + "get equal tokens within this capture, and unrelated tokens in any other capture: the key is drawn "
                + "at random when spyglass starts, kept only in its memory, never written or logged, and gone when "
                + "it exits. Nobody, not even you, can turn a token back into its value, or confirm a guess by "
                + "hashing it. But equal tokens do show that values are equal (how often one customer id recurs, which "
                + "statements touch the same row): that is the point, and the risk. Fingerprints and digests "
                + "are the same in both modes; capture_start.redact says which mode was used."
        })
    String redact;

    /** The pipeline options these values make, each checked first: a bad value names its fix. */
    PipelineOptions toPipelineOptions(final int workers) {
        for (final int port : ports) {
            if (port < 1 || port > 65_535) {
                throw bad("--port " + port + " is not a TCP port: give a number from 1 to 65535, e.g. --port 3306");
            }
        }
        if (maxStatementBytes < 256) {
            throw bad("--max-statement-bytes must be at least 256 (the default is 65536)");
        }
        if (maxFlows < 1) {
            throw bad("--max-flows must be at least 1 (the default is 65536)");
        }
        if (reorderBuffer < 0) {
            throw bad("--reorder-buffer cannot be negative (the default is 262144)");
        }
        if (idleTimeoutSeconds < 1) {
            throw bad("--idle-timeout must be at least 1 second (the default is 900)");
        }
        if (statsIntervalSeconds < 0) {
            throw bad("--stats-interval cannot be negative; 0 writes only the final stats record");
        }
        if (workers < 1 || workers > 256) {
            throw bad("--workers must be from 1 to 256");
        }
        final boolean keyed = keyedRedaction();
        final PipelineOptions options = new PipelineOptions();
        options.workers = workers;
        final InetAddress server = server();
        options.serverFilter = server == null ? ServerFilter.ports(ports) : ServerFilter.portsAndAddress(ports, server);
        options.flowTable.maxFlows(maxFlows)
            .outOfOrderBytesPerDirection(reorderBuffer)
            .idleTimeoutNanos(idleTimeoutSeconds * 1_000_000_000L);
        options.mysql.maxStatementBytes = maxStatementBytes;
        // One key per run, drawn here, before any packet: every worker gets this same object.
        options.mysql.literalKey = keyed ? LiteralKey.random() : null;
        options.statsIntervalNanos = statsIntervalSeconds * 1_000_000_000L;
        return options;
    }

    /** Whether {@code --redact} asks for keyed tokens; a value other than plain or keyed is refused. */
    boolean keyedRedaction() {
        return switch (redact) {
            case "plain" -> false;
            case "keyed" -> true;
            default -> throw bad("--redact takes plain or keyed, not '" + redact
                + "': e.g. --redact=keyed to follow equal values, or leave it out for plain ?");
        };
    }

    /** The {@code --server} address, or null for any. */
    InetAddress server() {
        if (serverAddress == null) {
            return null;
        }
        if (!serverAddress.matches("[0-9a-fA-F:.]+")) {
            throw bad("--server takes an IP address (e.g. 10.0.0.5 or 2001:db8::5), not '" + serverAddress + "'");
        }
        try {
            return InetAddress.getByName(serverAddress);
        } catch (final UnknownHostException e) {
            throw bad("--server '" + serverAddress + "' is not an IP address (e.g. 10.0.0.5 or 2001:db8::5)");
        }
    }

    private CommandLine.ParameterException bad(final String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
