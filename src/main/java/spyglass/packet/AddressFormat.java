package spyglass.packet;

/**
 * Formats an endpoint (address and port) as ASCII into a caller's byte array, without allocating:
 * {@code 192.0.2.1:3306}, or {@code [2001:db8::1]:3306} for IPv6 (RFC 5952: lower case, the longest
 * run of two or more zero groups compressed). Addresses are 128 bits; an IPv4-mapped address
 * ({@code ::ffff:a.b.c.d}) prints as plain IPv4.
 */
public final class AddressFormat {
    /** Longest output: {@code [ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535}. */
    public static final int MAX_ENDPOINT_LENGTH = 47;

    private static final long IPV4_MAPPED_HIGH = 0L;
    private static final long IPV4_MAPPED_LOW_PREFIX = 0x0000_FFFF_0000_0000L;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private AddressFormat() {
    }

    public static boolean isIpv4Mapped(final long high, final long low) {
        return high == IPV4_MAPPED_HIGH && (low & 0xFFFF_FFFF_0000_0000L) == IPV4_MAPPED_LOW_PREFIX;
    }

    /** The IPv4-mapped form of an IPv4 address given as an unsigned 32-bit int. */
    public static long ipv4MappedLow(final int ipv4) {
        return IPV4_MAPPED_LOW_PREFIX | (ipv4 & 0xFFFF_FFFFL);
    }

    /** Writes address and port; returns the number of bytes written. {@code dst} needs 47 bytes free. */
    public static int formatEndpoint(final long high, final long low, final int port, final byte[] dst, final int offset) {
        int i = offset;
        if (isIpv4Mapped(high, low)) {
            i = formatIpv4((int) low, dst, i);
        } else {
            dst[i++] = '[';
            i = formatIpv6(high, low, dst, i);
            dst[i++] = ']';
        }
        dst[i++] = ':';
        i = formatDecimal(port & 0xFFFF, dst, i);
        return i - offset;
    }

    /** Writes the address alone (no brackets, no port); returns the number of bytes written. */
    public static int formatAddress(final long high, final long low, final byte[] dst, final int offset) {
        final int end = isIpv4Mapped(high, low) ? formatIpv4((int) low, dst, offset) : formatIpv6(high, low, dst, offset);
        return end - offset;
    }

    private static int formatIpv4(final int address, final byte[] dst, final int offset) {
        int i = offset;
        for (int shift = 24; shift >= 0; shift -= 8) {
            i = formatDecimal((address >>> shift) & 0xFF, dst, i);
            if (shift != 0) {
                dst[i++] = '.';
            }
        }
        return i;
    }

    private static int group(final long high, final long low, final int index) {
        final long word = index < 4 ? high : low;
        return (int) (word >>> (48 - 16 * (index & 3))) & 0xFFFF;
    }

    private static int formatIpv6(final long high, final long low, final byte[] dst, final int offset) {
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (group(high, low, g) != 0) {
                g++;
                continue;
            }
            final int start = g;
            while (g < 8 && group(high, low, g) == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        int i = offset;
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                dst[i++] = ':';
                dst[i++] = ':';
                g += bestLength - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLength) {
                dst[i++] = ':';
            }
            i = formatHexGroup(group(high, low, g), dst, i);
        }
        return i;
    }

    private static int formatHexGroup(final int value, final byte[] dst, final int offset) {
        int i = offset;
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            final int nibble = (value >>> shift) & 0xF;
            if (nibble != 0 || started || shift == 0) {
                dst[i++] = HEX[nibble];
                started = true;
            }
        }
        return i;
    }

    private static int formatDecimal(final int value, final byte[] dst, final int offset) {
        int i = offset;
        if (value >= 10000) {
            dst[i++] = (byte) ('0' + value / 10000);
        }
        if (value >= 1000) {
            dst[i++] = (byte) ('0' + value / 1000 % 10);
        }
        if (value >= 100) {
            dst[i++] = (byte) ('0' + value / 100 % 10);
        }
        if (value >= 10) {
            dst[i++] = (byte) ('0' + value / 10 % 10);
        }
        dst[i++] = (byte) ('0' + value % 10);
        return i;
    }
}
