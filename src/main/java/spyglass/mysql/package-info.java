/**
 * The MySQL layer: {@link spyglass.mysql.PacketFramer} cuts each direction's reassembled stream into
 * logical packets; {@link spyglass.mysql.MysqlConnection} is the per-connection state machine
 * (handshake, commands, responses, RESYNC); {@link spyglass.mysql.MysqlConversationTracker} is the
 * {@link spyglass.tcp.TcpFlowListener} that pools connections and owns the one reused event.
 *
 * <p>Totals in {@link spyglass.event.ConnectionInfo}: {@code bytesIn/bytesOut} count every TCP payload
 * byte of the direction (TLS, compressed and skipped bytes included); {@code packetsIn/packetsOut} count
 * the physical MySQL packets actually framed (none while encrypted, compressed or out of step).
 */
package spyglass.mysql;
