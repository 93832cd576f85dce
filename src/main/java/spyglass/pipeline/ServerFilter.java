package spyglass.pipeline;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import spyglass.packet.AddressFormat;
import spyglass.packet.TcpSegment;

/**
 * Which segments belong to the MySQL servers the user asked about: one of the server ports on
 * either side and, when a server address is given, that address on the same side as the port.
 * Decided on primitive fields, so it costs a few compares per packet.
 */
public final class ServerFilter {
    private final int[] serverPorts;
    private final boolean addressSet;
    private final long addressHigh;
    private final long addressLow;

    private ServerFilter(final int[] serverPorts, final boolean addressSet, final long addressHigh, final long addressLow) {
        this.serverPorts = serverPorts.clone();
        this.addressSet = addressSet;
        this.addressHigh = addressHigh;
        this.addressLow = addressLow;
    }

    public static ServerFilter ports(final int... serverPorts) {
        return new ServerFilter(serverPorts, false, 0, 0);
    }

    public static ServerFilter portsAndAddress(final int[] serverPorts, final InetAddress address) {
        final byte[] raw = address.getAddress();
        final ByteBuffer b = ByteBuffer.wrap(raw);
        if (address instanceof Inet4Address) {
            return new ServerFilter(serverPorts, true, 0, AddressFormat.ipv4MappedLow(b.getInt()));
        }
        return new ServerFilter(serverPorts, true, b.getLong(), b.getLong());
    }

    public int[] serverPorts() {
        return serverPorts.clone();
    }

    public boolean accepts(final TcpSegment s) {
        return isServer(s.dstAddressHigh, s.dstAddressLow, s.dstPort) || isServer(s.srcAddressHigh, s.srcAddressLow, s.srcPort);
    }

    private boolean isServer(final long high, final long low, final int port) {
        if (addressSet && (high != addressHigh || low != addressLow)) {
            return false;
        }
        for (final int p : serverPorts) {
            if (p == port) {
                return true;
            }
        }
        return false;
    }

    /** The filter in tcpdump's words, for {@code capture_start.filter}. */
    public String describe(final InetAddress address) {
        final StringBuilder sb = new StringBuilder("tcp and (");
        for (int i = 0; i < serverPorts.length; i++) {
            if (i > 0) {
                sb.append(" or ");
            }
            sb.append("port ").append(serverPorts[i]);
        }
        sb.append(')');
        if (address != null) {
            sb.append(" and host ").append(address.getHostAddress());
        }
        return sb.toString();
    }
}
