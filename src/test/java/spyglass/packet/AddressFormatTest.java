package spyglass.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AddressFormatTest {
    private static String endpoint(final String address, final int port) throws Exception {
        final byte[] raw = InetAddress.getByName(address).getAddress();
        final long high;
        final long low;
        if (raw.length == 4) {
            high = 0;
            low = AddressFormat.ipv4MappedLow(ByteBuffer.wrap(raw).getInt());
        } else {
            final ByteBuffer b = ByteBuffer.wrap(raw);
            high = b.getLong();
            low = b.getLong();
        }
        final byte[] out = new byte[AddressFormat.MAX_ENDPOINT_LENGTH + 5];
        final int n = AddressFormat.formatEndpoint(high, low, port, out, 5);
        assertTrue(n <= AddressFormat.MAX_ENDPOINT_LENGTH);
        return new String(out, 5, n, StandardCharsets.US_ASCII);
    }

    @Test
    void ipv4() throws Exception {
        assertEquals("127.0.0.1:3306", endpoint("127.0.0.1", 3306));
        assertEquals("0.0.0.0:0", endpoint("0.0.0.0", 0));
        assertEquals("255.255.255.255:65535", endpoint("255.255.255.255", 65535));
        assertEquals("10.20.30.40:9", endpoint("10.20.30.40", 9));
    }

    @Test
    void ipv6FollowsRfc5952() throws Exception {
        assertEquals("[2001:db8::1]:3306", endpoint("2001:db8:0:0:0:0:0:1", 3306));
        assertEquals("[::1]:3306", endpoint("::1", 3306));
        assertEquals("[::]:1", endpoint("::", 1));
        // A single zero group is not compressed; the longest run wins; the first of equal runs wins.
        assertEquals("[2001:db8:0:1:1:1:1:1]:80", endpoint("2001:db8:0:1:1:1:1:1", 80));
        assertEquals("[2001:0:0:1::1]:80", endpoint("2001:0:0:1:0:0:0:1", 80));
        assertEquals("[2001:db8::1:0:0:1]:80", endpoint("2001:db8:0:0:1:0:0:1", 80));
        assertEquals("[fe80::abcd:ef01]:5", endpoint("fe80::abcd:ef01", 5));
        assertEquals("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
            endpoint("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535));
    }
}
