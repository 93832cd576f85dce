package spyglass.redact;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

/** Test-side convenience around one {@link SqlRedactor}: Strings in, Strings out. */
final class RedactorHarness {
    final SqlRedactor redactor;
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 20]);
    private final UnsafeBuffer fp = new UnsafeBuffer(new byte[1 << 17]);

    String redacted;
    String fingerprint;
    byte[] redactedBytes;
    byte[] fingerprintBytes;

    RedactorHarness() {
        this(new SqlRedactor());
    }

    RedactorHarness(SqlRedactor redactor) {
        this.redactor = redactor;
    }

    RedactorHarness run(String sql) {
        return run(sql.getBytes(StandardCharsets.UTF_8), out.capacity() - 5);
    }

    RedactorHarness run(String sql, int capacity) {
        return run(sql.getBytes(StandardCharsets.UTF_8), capacity);
    }

    RedactorHarness run(byte[] sql, int capacity) {
        // put the statement at an offset so offset handling is exercised too
        final byte[] padded = new byte[sql.length + 7];
        System.arraycopy(sql, 0, padded, 3, sql.length);
        final int n = redactor.redact(new UnsafeBuffer(padded), 3, sql.length, out, 5, capacity);
        redactedBytes = new byte[n];
        out.getBytes(5, redactedBytes);
        final int m = redactor.fingerprint(fp, 0, fp.capacity());
        fingerprintBytes = new byte[m];
        fp.getBytes(0, fingerprintBytes);
        redacted = new String(redactedBytes, StandardCharsets.UTF_8);
        fingerprint = new String(fingerprintBytes, StandardCharsets.UTF_8);
        return this;
    }

    long digest() {
        return redactor.digest();
    }
}
