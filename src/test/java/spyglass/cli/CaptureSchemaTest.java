package spyglass.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class CaptureSchemaTest {
    @Test
    void theCollectorsEndpointIsWrittenAsTheWorkersWriteAClient() throws Exception {
        assertEquals("127.0.0.1:41234", CaptureSchema.endpoint(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 41234)));
        assertEquals("[::1]:5", CaptureSchema.endpoint(new InetSocketAddress(InetAddress.ofLiteral("::1"), 5)));
        assertEquals("[2001:db8::a:0:1]:3306",
            CaptureSchema.endpoint(new InetSocketAddress(InetAddress.ofLiteral("2001:db8:0:0:0:a:0:1"), 3306)));
    }
}
