package spyglass.pipeline;

import spyglass.mysql.MysqlOptions;
import spyglass.tcp.FlowTableOptions;

/** Everything a pipeline is built from; each bound is a named option with a sane default. */
public final class PipelineOptions {
    /** Which segments are MySQL traffic. */
    public ServerFilter serverFilter = ServerFilter.ports(3306);
    public final FlowTableOptions flowTable = new FlowTableOptions();
    public final MysqlOptions mysql = new MysqlOptions();
    /** Capture-time interval between {@code stats} records, 0 for only the final one. */
    public long statsIntervalNanos;
    /** How often, in capture time, idle flows are looked for. */
    public long idleCheckIntervalNanos = 1_000_000_000L;
}
