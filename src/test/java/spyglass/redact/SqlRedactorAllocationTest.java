package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class SqlRedactorAllocationTest {
    private static final int STATEMENTS = 100_000;

    @Test
    void redactingAllocatesNothingAfterWarmUp() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        final String[][] cases = SqlRedactorTableTest.CASES;
        final UnsafeBuffer[] inputs = new UnsafeBuffer[cases.length + 2];
        final int[] lengths = new int[inputs.length];
        for (int i = 0; i < cases.length; i++) {
            final byte[] b = cases[i][0].getBytes(StandardCharsets.UTF_8);
            inputs[i] = new UnsafeBuffer(b);
            lengths[i] = b.length;
        }
        final byte[] garbage = SqlRedactorTest.bytes("SELECT `a", 0x01, "` , ", 0xFF, 0x00, "'x");
        inputs[cases.length] = new UnsafeBuffer(garbage);
        lengths[cases.length] = garbage.length;
        final StringBuilder big = new StringBuilder("INSERT INTO t (a, b) VALUES ");
        for (int i = 0; i < 500; i++) {
            big.append(i == 0 ? "" : ", ").append("(").append(i).append(", 'row ").append(i).append("')");
        }
        final byte[] bigBytes = big.toString().getBytes(StandardCharsets.UTF_8);
        inputs[cases.length + 1] = new UnsafeBuffer(bigBytes);
        lengths[cases.length + 1] = bigBytes.length;

        final SqlRedactor redactor = new SqlRedactor();
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64 * 1024]);
        final UnsafeBuffer fingerprint = new UnsafeBuffer(new byte[64 * 1024]);

        long sink = run(redactor, inputs, lengths, out, fingerprint, STATEMENTS);
        sink += run(redactor, inputs, lengths, out, fingerprint, STATEMENTS);

        final long before = threads.getCurrentThreadAllocatedBytes();
        sink += run(redactor, inputs, lengths, out, fingerprint, STATEMENTS);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertNotEquals(0, sink);
        assertTrue(allocated < STATEMENTS, "allocated " + allocated + " bytes for " + STATEMENTS + " statements");
    }

    private static long run(SqlRedactor redactor, UnsafeBuffer[] inputs, int[] lengths, UnsafeBuffer out,
        UnsafeBuffer fingerprint, int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            final int k = i % inputs.length;
            final int capacity = (i & 7) == 0 ? 20 : out.capacity();
            sink += redactor.redact(inputs[k], 0, lengths[k], out, 0, capacity);
            sink ^= redactor.digest();
            sink += redactor.fingerprint(fingerprint, 0, fingerprint.capacity());
            sink += redactor.truncated() ? 1 : 0;
            sink += redactor.unclosed() ? 1 : 0;
            sink += SqlRedactor.looksLikeStatement(inputs[k], 0, lengths[k]) ? 1 : 0;
        }
        return sink;
    }
}
