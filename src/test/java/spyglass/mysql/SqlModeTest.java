package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static spyglass.mysql.MysqlConversationTrackerTest.GREETING;
import static spyglass.mysql.MysqlConversationTrackerTest.loginPacket;
import static spyglass.testing.MysqlWire.CLIENT_CAPS;
import static spyglass.testing.MysqlWire.ok;
import static spyglass.testing.MysqlWire.packet;
import static spyglass.testing.MysqlWire.query;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import spyglass.event.ServerStatus;

/**
 * The session's NO_BACKSLASH_ESCAPES, as the server reports it in its status flags, decides how
 * the redactor reads {@code \'}: a wrong guess would show a string's neighbour as plain words.
 */
class SqlModeTest {
    /** Under NO_BACKSLASH_ESCAPES, 'a\' is a whole string and 'zz-secret' a second one. */
    private static final String AMBIGUOUS = "SELECT 'a\\' , 'zz-secret' FROM t";

    private static List<String> sqlOf(final List<Object> events) {
        final List<String> out = new ArrayList<>();
        for (final Object e : events) {
            if (e instanceof Recorder.Q q) {
                out.add(q.sql);
            }
        }
        return out;
    }

    private static Conversation loggedInWithStatus(final int status) {
        return new Conversation().server(10, GREETING).client(20, loginPacket(CLIENT_CAPS, ""))
            .server(30, packet(2, ok(0, 0, status, 0)));
    }

    @Test
    void loginOkSayingNoBackslashEscapesReadsBackslashAsACharacter() {
        final Conversation c = loggedInWithStatus(ServerStatus.AUTOCOMMIT | ServerStatus.NO_BACKSLASH_ESCAPES)
            .client(100, packet(0, query(AMBIGUOUS))).server(110, packet(1, ok(0, 0, ServerStatus.AUTOCOMMIT
                | ServerStatus.NO_BACKSLASH_ESCAPES, 0)));
        assertEquals(List.of("SELECT ? , ? FROM t"), sqlOf(c.run(Conversation.tracker())));
    }

    @Test
    void defaultModeReadsBackslashAsAnEscape() {
        final Conversation c = loggedInWithStatus(ServerStatus.AUTOCOMMIT)
            .client(100, packet(0, query("SELECT 'it\\'s' , 'zz-secret' FROM t")))
            .server(110, packet(1, ok(0, 0, ServerStatus.AUTOCOMMIT, 0)));
        assertEquals(List.of("SELECT ? , ? FROM t"), sqlOf(c.run(Conversation.tracker())));
    }

    @Test
    void modeChangedMidSessionIsFollowed() {
        // SET sql_mode = 'NO_BACKSLASH_ESCAPES' answers with an OK whose status carries the new mode.
        final Conversation c = loggedInWithStatus(ServerStatus.AUTOCOMMIT)
            .client(100, packet(0, query("SET sql_mode = 'NO_BACKSLASH_ESCAPES'")))
            .server(110, packet(1, ok(0, 0, ServerStatus.AUTOCOMMIT | ServerStatus.NO_BACKSLASH_ESCAPES, 0)))
            .client(200, packet(0, query(AMBIGUOUS)))
            .server(210, packet(1, ok(0, 0, ServerStatus.AUTOCOMMIT | ServerStatus.NO_BACKSLASH_ESCAPES, 0)));
        assertEquals(List.of("SET sql_mode = ?", "SELECT ? , ? FROM t"), sqlOf(c.run(Conversation.tracker())));
    }

    @Test
    void unknownModeHidesTheRestRatherThanGuess() {
        // Picked up mid-stream: no status seen yet, so the redactor cannot know which reading is right.
        final Conversation c = new Conversation().midstream()
            .client(100, packet(0, query(AMBIGUOUS))).server(110, packet(1, ok(0, 0, ServerStatus.AUTOCOMMIT, 0)))
            // The OK said: default mode. From now on the same text reads the default way.
            .client(200, packet(0, query("SELECT 'it\\'s' , 'zz-secret' FROM t")))
            .server(210, packet(1, ok(0, 0, ServerStatus.AUTOCOMMIT, 0)));
        final List<String> sql = sqlOf(c.run(Conversation.tracker()));
        assertEquals(List.of("SELECT ?", "SELECT ? , ? FROM t"), sql);
        for (final String s : sql) {
            assertFalse(s.contains("secret"), s);
        }
    }
}
