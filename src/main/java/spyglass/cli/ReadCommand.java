package spyglass.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
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

    @CommandLine.Mixin
    AnalysisOptions analysis;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "-",
        description = "Capture file to write, created with mode 0600; - for standard output (default).")
    String output;

    @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "1",
        description = "Worker threads; connections are spread over them by a hash of their addresses. "
            + "With more than one, records of different connections may interleave differently (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no summary on standard error.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        final PipelineOptions options = analysis.toPipelineOptions(workers);
        try {
            options.validate();
        } catch (final IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        final InetAddress server = analysis.server();
        checkInputsReadable();
        final long started = System.nanoTime();

        final CaptureFileWriter writer = openOutput();
        int status = 0;
        try (Pipeline pipeline = new Pipeline(options, writer)) {
            writer.writeCaptureStart(Version.VERSION, Hostname.get(), describeSources(), options.serverFilter.describe(server),
                wallClockNanos(), options.mysql.redactMode());
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
                final int other = pipeline.likelyOtherServerPort();
                if (end.connections == 0 && other > 0) {
                    // The usual surprise: a server on a port other than the one asked for.
                    err.println("spyglass: no MySQL traffic on port " + portsText() + "; the input's TCP traffic "
                        + "looks served from port " + other + ": try -p " + other);
                }
            }
        } finally {
            writer.close();
        }
        return status;
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

    private String portsText() {
        final StringBuilder sb = new StringBuilder();
        for (final int port : analysis.ports) {
            sb.append(sb.length() == 0 ? "" : ",").append(port);
        }
        return sb.toString();
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
