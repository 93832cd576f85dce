package spyglass.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import spyglass.event.CaptureStats;
import spyglass.output.CaptureFileWriter;
import spyglass.pipeline.Pipeline;
import spyglass.pipeline.PipelineOptions;
import spyglass.pipeline.ServerFilter;
import spyglass.source.CaptureFileException;
import spyglass.source.PacketSource;
import spyglass.source.PacketSources;

/** {@code spyglass read}: the offline path, from pcap/pcapng files to a capture file. */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Reads pcap or pcapng files (as tcpdump, tshark or Wireshark write them), rebuilds every "
            + "MySQL conversation in them and writes one JSON line per statement, each literal as ?.",
        "",
        "Files are mapped into memory and read in place. Several files are read in the order given, "
            + "as one capture. '-' reads a pcap stream from standard input.",
        ""
    },
    footer = {
        "",
        "Link types: Ethernet (802.1Q, QinQ), Linux cooked (SLL, SLL2: tcpdump -i any), raw IP, "
            + "BSD loopback; IPv4 and IPv6; pcap with micro- or nanosecond timestamps; pcapng with "
            + "several interfaces.",
        "",
        "Exit status: 0 when every file was read whole; 1 when a file was damaged or cut short "
            + "(every event before the damage is kept); 2 for a usage or output error.",
        "",
        "Examples:",
        "  spyglass read capture.pcap | head",
        "  spyglass read -o events.jsonl -p 3306,3307 --server 10.0.0.5 a.pcap b.pcapng",
        "  ssh db1 sudo tcpdump -U -w - port 3306 | spyglass read -o db1.jsonl -"
    })
public final class ReadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "pcap or pcapng file, or - for a pcap stream on standard input.")
    List<String> files;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "3306", split = ",",
        description = "MySQL server port; repeat or separate with commas for several (default: ${DEFAULT-VALUE}).")
    int[] ports;

    @Option(names = "--server", paramLabel = "ADDRESS",
        description = "Only the server at this IP address (default: any address on the server ports).")
    String serverAddress;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "-",
        description = "Capture file to write, created with mode 0600; - for standard output (default).")
    String output;

    @Option(names = "--max-statement-bytes", paramLabel = "BYTES", defaultValue = "65536",
        description = "Longest statement kept; longer ones are cut on a token boundary and marked truncated (default: ${DEFAULT-VALUE}).")
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
        description = "Write a stats record every SECONDS of capture time; 0 writes only the final one (default).")
    long statsIntervalSeconds;

    @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "1",
        description = "Worker threads; connections are spread over them by a hash of their addresses. "
            + "With more than one, records of different connections may interleave differently (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no summary on standard error.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        final PipelineOptions options = buildOptions();
        final InetAddress server = resolveServer();
        checkInputsReadable();
        final long started = System.nanoTime();

        final CaptureFileWriter writer = openOutput();
        int status = 0;
        try (Pipeline pipeline = new Pipeline(options, writer)) {
            writer.writeCaptureStart(Version.VERSION, Hostname.get(), describeSources(), options.serverFilter.describe(server),
                wallClockNanos());
            final Progress progress = new Progress(err, quiet, pipeline);
            for (final String file : files) {
                try (PacketSource source = PacketSources.open(file)) {
                    pipeline.drain(source, 65_536, progress);
                } catch (final CaptureFileException e) {
                    progress.clear();
                    err.println("spyglass: " + e.getMessage());
                    status = 1;
                }
            }
            progress.clear();
            final CaptureStats end = pipeline.finish(wallClockNanos());
            if (!quiet) {
                err.println(Summary.of(end, pipeline.frames(), System.nanoTime() - started, output));
            }
        } finally {
            writer.close();
        }
        return status;
    }

    private PipelineOptions buildOptions() {
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
            throw bad("--workers must be from 1 to 256 (the default is 1)");
        }
        final PipelineOptions options = new PipelineOptions();
        options.workers = workers;
        options.serverFilter = serverAddress == null ? ServerFilter.ports(ports) : ServerFilter.portsAndAddress(ports, resolveServer());
        options.flowTable.maxFlows(maxFlows)
            .outOfOrderBytesPerDirection(reorderBuffer)
            .idleTimeoutNanos(idleTimeoutSeconds * 1_000_000_000L);
        options.mysql.maxStatementBytes = maxStatementBytes;
        options.statsIntervalNanos = statsIntervalSeconds * 1_000_000_000L;
        return options;
    }

    /** A missing input is a usage error, found before any output is created. */
    private void checkInputsReadable() {
        int stdin = 0;
        for (final String file : files) {
            if ("-".equals(file)) {
                if (++stdin > 1) {
                    throw bad("'-' (standard input) can be given only once");
                }
                continue;
            }
            final Path path = Path.of(file);
            if (!Files.exists(path)) {
                throw bad(file + ": no such file");
            }
            if (Files.isDirectory(path)) {
                throw bad(file + " is a directory: give the capture files inside it, e.g. " + file + "/*.pcap");
            }
            if (!Files.isReadable(path)) {
                throw bad(file + ": permission denied (try sudo, or make the file readable)");
            }
        }
    }

    private InetAddress resolveServer() {
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

    private CaptureFileWriter openOutput() {
        if ("-".equals(output)) {
            return CaptureFileWriter.toStream(new FileOutputStream(FileDescriptor.out));
        }
        final Path path = Path.of(output);
        for (final String file : files) {
            if (!"-".equals(file) && Files.exists(path) && Files.exists(Path.of(file)) && sameFile(path, Path.of(file))) {
                throw bad("--output " + output + " is also an input file: choose another output name");
            }
        }
        return CaptureFileWriter.create(path);
    }

    private static boolean sameFile(final Path a, final Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (final java.io.IOException e) {
            return false;
        }
    }

    private String describeSources() {
        final List<String> parts = new ArrayList<>();
        for (final String file : files) {
            parts.add("-".equals(file) ? "stdin" : "file:" + Path.of(file).toAbsolutePath().normalize());
        }
        return String.join(",", parts);
    }

    private CommandLine.ParameterException bad(final String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static long wallClockNanos() {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
