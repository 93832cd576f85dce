package spyglass.bench.jmh;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a workload of {@link StatementMix}, the very statements {@link RedactBenchmark} redacts,
 * in the input format of pt-fingerprint: each statement followed by {@code ;\n} (pt-fingerprint
 * reads its files with that record separator). Prints one line to stdout for the caller to parse:
 * {@code statements=N sql_bytes=B file_bytes=F}, where B counts the SQL alone (the bytes the
 * benchmark's MB/s is computed from) and F adds the separators.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar spyglass.bench.jmh.DumpMix mix /tmp/mix.sql [copies]
 * </pre>
 *
 * {@code copies} (default 1) writes the workload that many times back to back, so a timed run is
 * long enough next to pt-fingerprint's start-up.
 */
public final class DumpMix {
    private static final byte[] SEPARATOR = {';', '\n'};

    private DumpMix() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: DumpMix mix|point FILE [copies]");
            System.exit(2);
        }
        final StatementMix mix = StatementMix.named(args[0]);
        final int copies = args.length == 3 ? Integer.parseInt(args[2]) : 1;
        if (copies < 1) {
            throw new IllegalArgumentException("copies < 1: " + copies);
        }
        final byte[] bytes = mix.bytes();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[1])), 1 << 16)) {
            for (int c = 0; c < copies; c++) {
                for (int i = 0; i < mix.count(); i++) {
                    out.write(bytes, mix.offset(i), mix.length(i));
                    out.write(SEPARATOR);
                }
            }
        }
        final long statements = (long) mix.count() * copies;
        final long sqlBytes = (long) mix.totalBytes() * copies;
        System.out.printf("statements=%d sql_bytes=%d file_bytes=%d%n", statements, sqlBytes, sqlBytes + 2 * statements);
    }
}
