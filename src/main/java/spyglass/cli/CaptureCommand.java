package spyglass.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import spyglass.event.CaptureStats;
import spyglass.linux.Libc;
import spyglass.linux.Privileges;
import spyglass.output.CaptureFileWriter;
import spyglass.pipeline.Backpressure;
import spyglass.pipeline.Pipeline;
import spyglass.pipeline.PipelineOptions;
import spyglass.pipeline.ThreadPlacement;
import spyglass.source.AfPacketOptions;
import spyglass.source.AfPacketSource;
import spyglass.source.CaptureException;
import spyglass.source.FrameHandler;

/** {@code spyglass capture}: live capture from the kernel's packet ring, the main job. */
@Command(
    name = "capture",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Captures the MySQL traffic on this host off the wire, with no change to client or server, and writes "
            + "one JSON line per statement, each literal as ?.",
        "",
        "Reads the kernel's packet ring (AF_PACKET, TPACKET_V3) in place; a filter in the kernel copies only "
            + "the server ports' TCP traffic. Needs root or CAP_NET_RAW. Stops on Ctrl-C or SIGTERM (the file is "
            + "finished cleanly; a second Ctrl-C stops at once), after --duration, or after --max-queries.",
        ""
    },
    footer = {
        "",
        "The capture file is plain JSON Lines, mode 0600: read it before you send it anywhere.",
        "",
        "Exit status: 0 when the capture ran and stopped as asked; 1 when the interface disappeared (the file "
            + "is finished); 2 when it could not start (an option, privileges, the interface) or the capture file "
            + "could not be written; 130 after a second Ctrl-C.",
        "",
        "Examples:",
        "  sudo scripts/spyglass capture                 (all interfaces, port 3306)",
        "  sudo scripts/spyglass capture -i eth0 -p 3306,3307 --duration 600",
        "  sudo scripts/spyglass capture --user nobody -o /tmp/db1.jsonl",
        "  sudo MYSQL_PWD=... scripts/spyglass capture --schema --schema-user app"
    })
public final class CaptureCommand implements Callable<Integer> {
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int POLL_BATCH = 65_536;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-i", "--interface"}, paramLabel = "NAME", defaultValue = "any",
        description = "Network interface to capture on; 'any' for all of them (default: ${DEFAULT-VALUE}).")
    String interfaceName;

    @CommandLine.Mixin
    AnalysisOptions analysis;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
        description = "Capture file, created with mode 0600 (default: spyglass-HOST-TIME.jsonl in the current "
            + "directory); - for standard output.")
    String output;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
        description = "Stop after this many seconds; 0 runs until stopped (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--max-queries", paramLabel = "N", defaultValue = "0",
        description = "Stop once this many queries were captured; 0 for no limit (default: ${DEFAULT-VALUE}).")
    long maxQueries;

    @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "0",
        description = "Start a new part of the capture file before one would grow past SIZE (e.g. 100M, 1G): "
            + "x.jsonl, x.000001.jsonl, ...; each part starts with the capture_start line. 0: one file (default).")
    String maxSize;

    @Option(names = {"-w", "--workers"}, paramLabel = "N",
        description = "Worker threads; connections are spread over them by a hash of their addresses "
            + "(default: one per two CPUs, at least 1, at most 8).")
    Integer workers;

    @Option(names = "--cpus", paramLabel = "CPU", split = ",",
        description = "Pin the workers, then the writer thread, to these CPUs in turn (default: not pinned).")
    int[] cpus;

    @Option(names = {"-Z", "--user"}, paramLabel = "NAME",
        description = "Once the packet ring is open, drop root and run as this user (like tcpdump -Z); the "
            + "capture file is then created by that user.")
    String user;

    @Option(names = "--promisc",
        description = "Put the interface in promiscuous mode, to see traffic not addressed to this host (a mirror port).")
    boolean promiscuous;

    @Option(names = "--ring-block-size", paramLabel = "SIZE", defaultValue = "1M",
        description = "Size of one block of the kernel's packet ring, a multiple of 4K (default: ${DEFAULT-VALUE}).")
    String ringBlockSize;

    @Option(names = "--ring-blocks", paramLabel = "N", defaultValue = "64",
        description = "Blocks in the kernel's packet ring; more absorb longer bursts (default: ${DEFAULT-VALUE}).")
    int ringBlocks;

    @Option(names = "--ring-block-timeout", paramLabel = "MS", defaultValue = "10",
        description = "A block of the kernel's ring that is not full is handed over after this long; also the "
            + "longest a quiet capture waits (default: ${DEFAULT-VALUE}).")
    int ringBlockTimeoutMillis;

    @Option(names = "--worker-ring-size", paramLabel = "SIZE", defaultValue = "8M",
        description = "Size of each worker's ring, a power of two of at least 1M; when one is full, "
            + "segments are dropped and counted as ring drops (default: ${DEFAULT-VALUE}).")
    String workerRingSize;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "10",
        description = "When standard error is not a terminal (a log, a pipe), a progress line every SECONDS; "
            + "on a terminal one line is rewritten every second (default: ${DEFAULT-VALUE}).")
    long progressIntervalSeconds;

    @CommandLine.ArgGroup(exclusive = false, validate = false, heading = "%nSchema (--schema):%n")
    SchemaCaptureOptions schemaOptions = new SchemaCaptureOptions();

    @Option(names = {"-q", "--quiet"}, description = "No progress and no summary on standard error.")
    boolean quiet;

    /** A tcpdump user's filter expression: not taken, but answered with what to use instead. */
    @CommandLine.Parameters(hidden = true, arity = "0..*")
    List<String> expression;

    @Override
    public Integer call() {
        final PrintWriter err = spec.commandLine().getErr();
        if (expression != null && !expression.isEmpty()) {
            throw bad("spyglass capture takes no filter expression ('" + String.join(" ", expression) + "'): it builds "
                + "its own from the options; give server ports with -p 3306,3307 and a server with --server ADDRESS");
        }
        final int workerCount = workers != null ? workers : defaultWorkers();
        final PipelineOptions options = analysis.toPipelineOptions(workerCount);
        options.backpressure = Backpressure.DROP;
        options.workerRingBytes = intSize("--worker-ring-size", workerRingSize);
        options.placement = placement(workerCount);
        final long maxPartBytes = size("--max-size", maxSize);
        final AfPacketOptions ring = ringOptions();
        if (durationSeconds < 0 || maxQueries < 0) {
            throw bad("--duration and --max-queries cannot be negative; 0 means no limit");
        }
        if (progressIntervalSeconds < 1) {
            throw bad("--progress-interval must be at least 1 second (the default is 10)");
        }
        try {
            options.validate();
        } catch (final IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        final InetAddress server = analysis.server();
        checkInterfaceType();
        // before the ring opens: the password may be asked for, and --user may take the option file away
        final CaptureSchema schema = schemaOptions.enabled(spec.commandLine())
            ? schemaOptions.create(spec.commandLine(), server == null ? null : server.getHostAddress(), analysis.ports[0])
            : null;
        if (schema != null) {
            schema.configure(options.mysql);
        }

        final AfPacketSource source;
        try {
            source = AfPacketSource.open(ring);
        } catch (final CaptureException e) {
            err.println("spyglass: " + e.getMessage());
            return 2;
        }
        try (source) {
            if (user != null) {
                final Privileges.Account account = Privileges.dropTo(user);
                if (!quiet) {
                    err.println("spyglass: running as " + account.name() + " (uid " + account.uid() + ")");
                }
            }
            final String outputName = output != null ? output : defaultOutputName();
            try (CaptureFileWriter writer = openOutput(outputName, maxPartBytes)) {
                writer.writeCaptureStart(Version.VERSION, Hostname.get(), source.description(),
                    options.serverFilter.describe(server), ReadCommand.wallClockNanos(), options.mysql.redactMode());
                return run(err, source, writer, options, outputName, schema);
            }
        }
    }

    private int run(final PrintWriter err, final AfPacketSource source, final CaptureFileWriter writer,
                    final PipelineOptions options, final String outputName, final CaptureSchema schema) {
        final StopSignals stop = StopSignals.install(err);
        final long started = System.nanoTime();
        final long deadline = durationSeconds > 0 ? started + durationSeconds * 1_000_000_000L : Long.MAX_VALUE;
        // The progress line goes to standard error, so that is the descriptor that must be a terminal.
        final CaptureProgress progress = new CaptureProgress(err, quiet, Libc.isatty(2),
            progressIntervalSeconds * 1_000_000_000L, started);
        try (Pipeline pipeline = new Pipeline(options, writer)) {
            pipeline.start();
            pipeline.watch(source);
            if (schema != null) {
                schema.start(pipeline::writeSideLine);
            }
            if (!quiet) {
                err.println("spyglass: capturing on " + source.description() + " (" + source.filterExpression() + "), "
                    + options.workers + (options.workers == 1 ? " worker" : " workers") + " -> "
                    + ("-".equals(outputName) ? "standard output" : outputName) + "; Ctrl-C to stop");
            }
            final FrameHandler capture = pipeline.frameHandler();
            final Path device = source.options().allInterfaces() ? null : Path.of("/sys/class/net", interfaceName);
            long nextCheck = started;
            long nextDeviceCheck = started;
            int status = 0;
            while (!stop.requested()) {
                source.poll(capture, POLL_BATCH);
                final long now = System.nanoTime();
                if (now < nextCheck) {
                    continue;
                }
                // A few times a second: the clock, the limits, the kernel's counters, the display.
                nextCheck = now + 100_000_000L;
                pipeline.tick(ReadCommand.wallClockNanos());
                if (now >= deadline) {
                    stop.request("duration");
                }
                if (maxQueries > 0 && pipeline.snapshot().queries >= maxQueries) {
                    stop.request("max-queries");
                }
                if (device != null && now >= nextDeviceCheck) {
                    nextDeviceCheck = now + 1_000_000_000L;
                    if (!Files.exists(device)) {
                        // Like tcpdump: a removed interface ends the capture, with every record so far kept.
                        progress.clear();
                        err.println("spyglass: interface " + interfaceName + " disappeared; finishing the capture file");
                        stop.request("interface gone");
                        status = 1;
                    }
                }
                if (schema != null) {
                    schema.drainMessages(message -> {
                        progress.clear();
                        err.println("spyglass: " + message);
                    }, quiet);
                }
                // The kernel's counters are 32-bit and reset on each read: read them often, whatever is shown.
                source.refreshKernelStatistics();
                if (progress.due(now)) {
                    progress.show(pipeline.snapshot(), writer.bytesWritten(), now);
                }
            }
            drainRing(source, capture);
            source.refreshKernelStatistics();
            pipeline.unwatch();
            final CaptureStats end = pipeline.finish(ReadCommand.wallClockNanos(),
                schema == null ? null : () -> schema.finish(schemaOptions.finishLimitNanos()));
            progress.clear();
            if (schema != null) {
                schema.drainMessages(message -> err.println("spyglass: " + message), quiet);
            }
            if (!quiet) {
                err.println(Summary.of(end, end.packets, System.nanoTime() - started, outputName)
                    + (writer.rotations() > 0 ? " in " + (writer.rotations() + 1) + " parts" : ""));
                // The kernel's own account (PACKET_STATISTICS), next to spyglass's.
                err.println(String.format("spyglass: kernel: %,d packets to the ring, %,d dropped, %,d ring freezes; "
                        + "spyglass: %,d ring drops", source.kernelPackets(), source.kernelDrops(), source.kernelFreezes(),
                    end.ringDrops));
            }
            return status;
        }
    }

    /**
     * After the stop: the blocks the kernel has already handed over still hold complete requests
     * and responses. Read them, but no more than one ring's worth, so a busy link cannot keep the
     * capture from ending.
     */
    private void drainRing(final AfPacketSource source, final FrameHandler capture) {
        for (int block = 0; block < ringBlocks; block++) {
            if (source.pollNow(capture, POLL_BATCH) <= 0) {
                return;
            }
        }
    }

    private CaptureFileWriter openOutput(final String name, final long maxPartBytes) {
        if ("-".equals(name)) {
            return CaptureFileWriter.toStream(new FileOutputStream(FileDescriptor.out));
        }
        try {
            return CaptureFileWriter.create(Path.of(name), maxPartBytes);
        } catch (final UncheckedIOException e) {
            final Throwable cause = e.getCause();
            final String who = user != null ? user + " (--user)" : "this user";
            if (cause instanceof NoSuchFileException) {
                throw bad("cannot create capture file " + name + ": its directory does not exist; create it, or give "
                    + "-o a path in an existing directory");
            }
            if (cause instanceof AccessDeniedException) {
                throw bad("cannot create capture file " + name + ": " + who + " may not write there; give -o a path in a "
                    + "directory " + who + " can write");
            }
            throw e;
        }
    }

    private static int defaultWorkers() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
    }

    private AfPacketOptions ringOptions() {
        final int blockSize = intSize("--ring-block-size", ringBlockSize);
        try {
            return AfPacketOptions.of(interfaceName, analysis.ports)
                .withBlockSize(blockSize)
                .withBlockCount(ringBlocks)
                .withBlockTimeoutMillis(ringBlockTimeoutMillis)
                .withPromiscuous(promiscuous);
        } catch (final IllegalArgumentException e) {
            throw bad("--ring-block-size / --ring-blocks / --ring-block-timeout: " + e.getMessage());
        }
    }

    private ThreadPlacement placement(final int workerCount) {
        if (cpus == null || cpus.length == 0) {
            return ThreadPlacement.NONE;
        }
        final String offline = CpuPinning.firstNotOnline(cpus);
        if (offline != null) {
            throw bad(offline);
        }
        return new CpuPinning(cpus, workerCount);
    }

    /**
     * The ring delivers Ethernet frames; on a tunnel (WireGuard, tun, ppp) or InfiniBand link every
     * frame would be skipped in silence. Loopback (772) and Ethernet (1) are what it reads.
     */
    private void checkInterfaceType() {
        if (interfaceName == null || interfaceName.isEmpty() || "any".equals(interfaceName)) {
            return;
        }
        final Path type = Path.of("/sys/class/net", interfaceName, "type");
        final String value;
        try {
            value = Files.readString(type).strip();
        } catch (final IOException e) {
            return; // no such interface: the ring's own check names it
        }
        if (!"1".equals(value) && !"772".equals(value)) {
            throw bad("interface " + interfaceName + " is not Ethernet (link type " + value + "): spyglass reads "
                + "Ethernet frames; capture on the Ethernet interface the traffic crosses, or record it with "
                + "tcpdump -i " + interfaceName + " -w FILE and use spyglass read");
        }
    }

    private long size(final String option, final String text) {
        final long bytes = ByteSize.parse(text);
        if (bytes < 0) {
            throw bad(option + " '" + text + "' is not a size: give bytes or a number with K, M or G, e.g. 8M");
        }
        return bytes;
    }

    /** A size that must fit an int (ring sizes); too large a value is left to the range check after. */
    private int intSize(final String option, final String text) {
        return (int) Math.min(size(option, text), Integer.MAX_VALUE);
    }

    private static String defaultOutputName() {
        final String host = Hostname.get().replaceAll("[^A-Za-z0-9._-]", "_");
        return "spyglass-" + host + "-" + FILE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + ".jsonl";
    }

    private CommandLine.ParameterException bad(final String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
