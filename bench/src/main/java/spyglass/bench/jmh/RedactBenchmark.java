package spyglass.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import spyglass.redact.SqlRedactor;

/**
 * Throughput of {@link SqlRedactor} on one core, over the workloads of {@link StatementMix}: whole
 * statements ({@link #redact}, issue 4's figure) and statements streamed in chunks ({@link #stream}).
 *
 * <pre>
 *   bench/jmh.sh 'RedactBenchmark.redact$' -prof gc
 *   bench/jmh.sh RedactBenchmark -p workload=mix -wi 2 -i 3 -f 1 -w 2s -r 2s -prof gc
 * </pre>
 *
 * <p>How to read the output. One operation is one statement ({@code @OperationsPerInvocation}):
 * the primary score is statements per second, and {@code gc.alloc.rate.norm} is bytes allocated
 * per statement (the target is 0). The secondary result {@code redact:mb} (or {@code stream:mb}) is the same run counted in
 * SQL megabytes (10^6 bytes of input): it reads as MB/s, the per-core figure issue 4 asks for.
 * The two agree: MB/s = statements/s * (bytes in the workload / statements) / 10^6, which the
 * setup prints once per fork. JMH prints a secondary counter in the primary's unit ("ops/s"):
 * read it as MB/s.
 *
 * <p>The redactor writes into a heap buffer as large as the longest statement, so nothing is ever
 * cut; the redacted text's length and the digest go to the Blackhole. Run one workload per fork
 * (the default {@code -f 1} does): the JIT compiles for what it saw first.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {
    // Agrona 2.x uses jdk.internal.misc.Unsafe: its buffers throw IllegalAccessError without this.
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    // JDK 23+ warns about sun.misc.Unsafe users (JMH is one); JDK 22 does not know this flag,
    // which is why bench/jmh.sh asks for 23 or newer.
    "--sun-misc-unsafe-memory-access=allow"})
public class RedactBenchmark {

    @Param({"mix", "point"})
    public String workload;

    private StatementMix statements;
    private UnsafeBuffer src;
    private UnsafeBuffer dst;
    private SqlRedactor redactor;
    private double megabytesPerPass;

    /**
     * SQL bytes redacted, in megabytes: JMH divides it by the iteration's time, so it reads as MB/s.
     * A double, so that the figure needs no conversion by the reader.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public double mb;

        @Setup(Level.Iteration)
        public void reset() {
            mb = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        statements = StatementMix.named(workload);
        if (statements.count() != StatementMix.STATEMENTS) {
            throw new IllegalStateException("@OperationsPerInvocation assumes " + StatementMix.STATEMENTS + " statements");
        }
        src = new UnsafeBuffer(statements.bytes());
        dst = new UnsafeBuffer(new byte[statements.maxLength() + 64]);
        redactor = new SqlRedactor();
        megabytesPerPass = statements.totalBytes() / 1e6;
        final double perStatement = (double) statements.totalBytes() / statements.count();
        System.out.printf("%n[%s] %d statements, %d bytes of SQL: MB/s = statements/s * %.3f / 10^6%n",
            workload, statements.count(), statements.totalBytes(), perStatement);
        // Proof the work is real: every statement redacted once, its output not cut.
        for (int i = 0; i < statements.count(); i++) {
            redactor.redact(src, statements.offset(i), statements.length(i), dst, 0, dst.capacity());
            if (redactor.truncated()) {
                throw new IllegalStateException("statement " + i + " was cut: the destination is too small");
            }
        }
    }

    /** One invocation redacts the whole workload, each statement whole in one call. */
    @Benchmark
    @OperationsPerInvocation(StatementMix.STATEMENTS)
    public void redact(Blackhole bh, Bytes bytes) {
        final StatementMix s = statements;
        final int n = s.count();
        for (int i = 0; i < n; i++) {
            bh.consume(redactor.redact(src, s.offset(i), s.length(i), dst, 0, dst.capacity()));
            bh.consume(redactor.digest());
        }
        bytes.mb += megabytesPerPass;
    }

    /** The chunk size for {@link #stream}: its own state, so that {@link #redact} is not run once per size. */
    @State(Scope.Thread)
    public static class Chunks {
        /** 1460: one TCP segment's payload on a 1500-byte MTU; 64: a worst case of many resumptions. */
        @Param({"1460", "64"})
        public int chunk;
    }

    /**
     * The streaming path ({@code begin/feed/end}), each statement fed in chunks of {@code chunk}
     * bytes. The capture streams only a statement split over TCP segments (one whole in its segment
     * goes through {@link #redact}); streaming never answers from a statement shape, so this is the
     * lexer's own speed plus the cost of resuming at each chunk's end.
     */
    @Benchmark
    @OperationsPerInvocation(StatementMix.STATEMENTS)
    public void stream(Blackhole bh, Bytes bytes, Chunks chunks) {
        final StatementMix s = statements;
        final int n = s.count();
        final int chunk = chunks.chunk;
        for (int i = 0; i < n; i++) {
            final int end = s.offset(i) + s.length(i);
            redactor.begin(dst.capacity());
            for (int at = s.offset(i); at < end; at += chunk) {
                redactor.feed(src, at, Math.min(chunk, end - at));
            }
            bh.consume(redactor.end(false, dst, 0));
            bh.consume(redactor.digest());
        }
        bytes.mb += megabytesPerPass;
    }
}
