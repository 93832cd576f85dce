package spyglass.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TaggedSocketFactoryTest {
    @Test
    void theTagIsReadFromConnectorJsAttributeList() {
        assertEquals("00ff", TaggedSocketFactory.tagOf("program_name:spyglass-schema,spyglass_capture:00ff"));
        assertEquals("00ff", TaggedSocketFactory.tagOf(" spyglass_capture : 00ff "));
        assertEquals("", TaggedSocketFactory.tagOf("program_name:spyglass-schema"));
        assertEquals("", TaggedSocketFactory.tagOf("spyglass_capturex:1,:2"));
        assertEquals("", TaggedSocketFactory.tagOf(null));
    }
}
