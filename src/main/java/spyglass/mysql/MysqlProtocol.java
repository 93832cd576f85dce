package spyglass.mysql;

/** Wire constants of the MySQL/MariaDB client protocol, and the command names spyglass writes. */
final class MysqlProtocol {
    /** A physical packet of this payload length is continued by the next one (16 MB continuation). */
    static final int MAX_PACKET_PAYLOAD = 0xFFFFFF;
    static final int HEADER_LENGTH = 4;

    // Capability flags (lower 32 bits: MySQL; upper 32 bits: MariaDB's extended capabilities).
    static final long CLIENT_MYSQL = 1L;
    static final long CLIENT_CONNECT_WITH_DB = 1L << 3;
    static final long CLIENT_COMPRESS = 1L << 5;
    static final long CLIENT_PROTOCOL_41 = 1L << 9;
    static final long CLIENT_SSL = 1L << 11;
    static final long CLIENT_TRANSACTIONS = 1L << 13;
    static final long CLIENT_SECURE_CONNECTION = 1L << 15;
    static final long CLIENT_PLUGIN_AUTH = 1L << 19;
    static final long CLIENT_CONNECT_ATTRS = 1L << 20;
    static final long CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 1L << 21;
    static final long CLIENT_DEPRECATE_EOF = 1L << 24;
    static final long CLIENT_OPTIONAL_RESULTSET_METADATA = 1L << 25;
    static final long CLIENT_ZSTD_COMPRESSION_ALGORITHM = 1L << 26;
    /** MySQL 8.0.23+: COM_QUERY (and COM_STMT_EXECUTE) may carry query attributes. */
    static final long CLIENT_QUERY_ATTRIBUTES = 1L << 27;
    static final long MARIADB_CLIENT_PROGRESS = 1L << 32;
    static final long MARIADB_CLIENT_CACHE_METADATA = 1L << 36;

    // First bytes of server packets.
    static final int OK = 0x00;
    static final int AUTH_MORE_DATA = 0x01;
    static final int LOCAL_INFILE = 0xFB;
    static final int EOF = 0xFE;
    static final int ERR = 0xFF;
    /** MariaDB sends progress reports as ERR packets with this code; they are not errors. */
    static final int PROGRESS_REPORT_CODE = 0xFFFF;
    /** An EOF packet is shorter than this; an OK with a 0xFE header is at least 7 bytes. */
    static final int EOF_MAX_LENGTH = 9;

    // Command bytes.
    static final int COM_SLEEP = 0x00;
    static final int COM_QUIT = 0x01;
    static final int COM_INIT_DB = 0x02;
    static final int COM_QUERY = 0x03;
    static final int COM_FIELD_LIST = 0x04;
    static final int COM_STATISTICS = 0x09;
    static final int COM_PROCESS_KILL = 0x0c;
    static final int COM_DEBUG = 0x0d;
    static final int COM_PING = 0x0e;
    static final int COM_CHANGE_USER = 0x11;
    /** Replication: a replica asks for the binary log from a position (or GTID set); it streams for ever. */
    static final int COM_BINLOG_DUMP = 0x12;
    static final int COM_REGISTER_SLAVE = 0x15;
    static final int COM_BINLOG_DUMP_GTID = 0x1e;
    static final int COM_STMT_PREPARE = 0x16;
    static final int COM_STMT_EXECUTE = 0x17;
    static final int COM_STMT_SEND_LONG_DATA = 0x18;
    static final int COM_STMT_CLOSE = 0x19;
    static final int COM_STMT_RESET = 0x1a;
    static final int COM_SET_OPTION = 0x1b;
    static final int COM_STMT_FETCH = 0x1c;
    static final int COM_RESET_CONNECTION = 0x1f;
    /** MariaDB: one prepared statement run over many rows of parameters (batch inserts). */
    static final int COM_STMT_BULK_EXECUTE = 0xfa;
    /** MariaDB 10.2+: in COM_STMT_EXECUTE, "the statement this connection prepared last". */
    static final long LAST_PREPARED_STATEMENT = 0xFFFF_FFFFL;

    /** Command names as written in {@code query.cmd}. */
    static final String CMD_QUERY = "query";
    static final String CMD_INIT_DB = "init_db";
    static final String CMD_PING = "ping";
    static final String CMD_FIELD_LIST = "field_list";
    static final String CMD_STATISTICS = "statistics";
    static final String CMD_PROCESS_KILL = "process_kill";
    static final String CMD_DEBUG = "debug";
    static final String CMD_CHANGE_USER = "change_user";
    static final String CMD_RESET_CONNECTION = "reset_connection";
    static final String CMD_SET_OPTION = "set_option";
    static final String CMD_PREPARE = "prepare";
    static final String CMD_EXECUTE = "execute";
    static final String CMD_BULK_EXECUTE = "bulk_execute";
    static final String CMD_STMT_CLOSE = "stmt_close";
    static final String CMD_STMT_RESET = "stmt_reset";
    static final String CMD_FETCH = "fetch";
    static final String CMD_LONG_DATA = "long_data";
    static final String CMD_BINLOG_DUMP = "binlog_dump";
    static final String CMD_BINLOG_DUMP_GTID = "binlog_dump_gtid";
    static final String CMD_REGISTER_REPLICA = "register_replica";
    static final String CMD_QUIT = "quit";
    /** {@code unknown_0x20} and so on: an unknown command is reported by its number, made once. */
    private static final String[] UNKNOWN_BY_NUMBER = new String[256];

    static {
        for (int i = 0; i < UNKNOWN_BY_NUMBER.length; i++) {
            UNKNOWN_BY_NUMBER[i] = String.format("unknown_0x%02x", i);
        }
    }

    /** The name an unknown command byte is reported under. */
    static String unknownCommandName(final int command) {
        return UNKNOWN_BY_NUMBER[command & 0xFF];
    }

    private MysqlProtocol() {
    }

    /** The name of a command byte spyglass knows, or null. */
    static String commandName(final int command) {
        return switch (command) {
            case COM_QUIT -> CMD_QUIT;
            case COM_INIT_DB -> CMD_INIT_DB;
            case COM_QUERY -> CMD_QUERY;
            case COM_FIELD_LIST -> CMD_FIELD_LIST;
            case COM_STATISTICS -> CMD_STATISTICS;
            case COM_PROCESS_KILL -> CMD_PROCESS_KILL;
            case COM_DEBUG -> CMD_DEBUG;
            case COM_PING -> CMD_PING;
            case COM_CHANGE_USER -> CMD_CHANGE_USER;
            case COM_BINLOG_DUMP -> CMD_BINLOG_DUMP;
            case COM_REGISTER_SLAVE -> CMD_REGISTER_REPLICA;
            case COM_BINLOG_DUMP_GTID -> CMD_BINLOG_DUMP_GTID;
            case COM_STMT_PREPARE -> CMD_PREPARE;
            case COM_STMT_EXECUTE -> CMD_EXECUTE;
            case COM_STMT_SEND_LONG_DATA -> CMD_LONG_DATA;
            case COM_STMT_CLOSE -> CMD_STMT_CLOSE;
            case COM_STMT_RESET -> CMD_STMT_RESET;
            case COM_SET_OPTION -> CMD_SET_OPTION;
            case COM_STMT_FETCH -> CMD_FETCH;
            case COM_RESET_CONNECTION -> CMD_RESET_CONNECTION;
            case COM_STMT_BULK_EXECUTE -> CMD_BULK_EXECUTE;
            default -> null;
        };
    }

    /** Commands the server never answers. */
    static boolean hasNoResponse(final int command) {
        return command == COM_QUIT || command == COM_STMT_CLOSE || command == COM_STMT_SEND_LONG_DATA;
    }
}
