package spyglass.mysql;

import java.security.SecureRandom;
import spyglass.redact.SqlRedactor;

/**
 * The secret of keyed redaction ({@code --redact=keyed}): a 128-bit SipHash key, drawn once per
 * capture and handed to every worker's redactor, so equal values give equal tokens in every
 * connection of the capture and different tokens in any other capture.
 *
 * <p>It lives only in this object and the redactors: never written, never logged, never shown.
 * {@link #toString()} says nothing about it, and there is no accessor for its bits; whoever held
 * them could confirm a guessed value by hashing it.
 */
public final class LiteralKey {
    private final long k0;
    private final long k1;

    private LiteralKey(final long k0, final long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** A fresh key from the platform's strong random source. */
    public static LiteralKey random() {
        final SecureRandom random = new SecureRandom();
        return new LiteralKey(random.nextLong(), random.nextLong());
    }

    /** A fixed key, for tests that need known tokens. */
    static LiteralKey of(final long k0, final long k1) {
        return new LiteralKey(k0, k1);
    }

    /** Keys {@code redactor} with this key. */
    void applyTo(final SqlRedactor redactor) {
        redactor.literalKey(k0, k1);
    }

    /** Whether {@code other} holds the same key: tokens made under either then agree. */
    public boolean sameKey(final LiteralKey other) {
        return other != null && ((k0 ^ other.k0) | (k1 ^ other.k1)) == 0;
    }

    @Override
    public String toString() {
        return "LiteralKey[secret]";
    }
}
