package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The key of keyed redaction reaches the tracker's redactor, and says nothing about itself. */
class LiteralKeyTest {
    @Test
    void aTrackerKeysItsRedactorWithTheKeyOfItsOptions() {
        final MysqlOptions options = new MysqlOptions();
        final LiteralKey key = LiteralKey.of(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        options.literalKey = key;
        assertEquals("keyed", options.redactMode());
        final MysqlConversationTracker tracker = new MysqlConversationTracker(new Recorder(), options);
        assertTrue(tracker.redactor.keyed());
        assertTrue(tracker.redactsKeyed());
        assertSame(key, tracker.literalKey());
    }

    @Test
    void withoutAKeyTheRedactorStaysPlain() {
        final MysqlOptions options = new MysqlOptions();
        assertEquals("plain", options.redactMode());
        final MysqlConversationTracker tracker = new MysqlConversationTracker(new Recorder(), options);
        assertFalse(tracker.redactor.keyed());
        assertFalse(tracker.redactsKeyed());
        assertNull(tracker.literalKey());
    }

    @Test
    void sameKeyComparesBothHalves() {
        final LiteralKey a = LiteralKey.of(1, 2);
        assertTrue(a.sameKey(LiteralKey.of(1, 2)));
        assertFalse(a.sameKey(LiteralKey.of(1, 3)));
        assertFalse(a.sameKey(LiteralKey.of(0, 2)));
        assertFalse(a.sameKey(null));
    }

    @Test
    void everyRunDrawsAFreshKey() {
        // 128 random bits: two draws agree with probability 2^-128.
        assertFalse(LiteralKey.random().sameKey(LiteralKey.random()));
    }

    @Test
    void itsTextHoldsNoKeyMaterial() {
        assertEquals("LiteralKey[secret]", LiteralKey.of(0x1234_5678_9abc_def0L, -1).toString());
        assertEquals("LiteralKey[secret]", LiteralKey.random().toString());
    }
}
