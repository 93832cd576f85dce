package spyglass.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds MySQL protocol bytes by hand, from the protocol documentation, for tests: payloads
 * (greeting, login, commands, OK, ERR, EOF, column definitions, rows) and their framing.
 */
public final class MysqlWire {
    public static final long CLIENT_MYSQL = 1;
    public static final long CONNECT_WITH_DB = 1 << 3;
    public static final long COMPRESS = 1 << 5;
    public static final long PROTOCOL_41 = 1 << 9;
    public static final long SSL = 1 << 11;
    public static final long TRANSACTIONS = 1 << 13;
    public static final long SECURE_CONNECTION = 1 << 15;
    public static final long MULTI_STATEMENTS = 1 << 16;
    public static final long MULTI_RESULTS = 1 << 17;
    public static final long PLUGIN_AUTH = 1 << 19;
    public static final long CONNECT_ATTRS = 1 << 20;
    public static final long PLUGIN_AUTH_LENENC = 1 << 21;
    public static final long DEPRECATE_EOF = 1 << 24;
    public static final long MARIADB_PROGRESS = 1L << 32;
    public static final long MARIADB_BULK = 1L << 34;

    /** What a modern server offers. */
    public static final long SERVER_CAPS = CLIENT_MYSQL | CONNECT_WITH_DB | COMPRESS | PROTOCOL_41 | SSL | TRANSACTIONS
        | SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS | PLUGIN_AUTH | CONNECT_ATTRS | PLUGIN_AUTH_LENENC
        | DEPRECATE_EOF;
    /** What a typical client asks for (no TLS, no compression, no DEPRECATE_EOF). */
    public static final long CLIENT_CAPS = CLIENT_MYSQL | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION
        | MULTI_STATEMENTS | MULTI_RESULTS | PLUGIN_AUTH | PLUGIN_AUTH_LENENC;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static MysqlWire payload() {
        return new MysqlWire();
    }

    public MysqlWire u8(final int v) {
        out.write(v & 0xFF);
        return this;
    }

    public MysqlWire u16(final int v) {
        return u8(v).u8(v >>> 8);
    }

    public MysqlWire u24(final int v) {
        return u16(v).u8(v >>> 16);
    }

    public MysqlWire u32(final long v) {
        return u16((int) v).u16((int) (v >>> 16));
    }

    public MysqlWire u64(final long v) {
        return u32(v).u32(v >>> 32);
    }

    public MysqlWire bytes(final byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public MysqlWire zeros(final int n) {
        return bytes(new byte[n]);
    }

    public MysqlWire text(final String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public MysqlWire nul(final String s) {
        return text(s).u8(0);
    }

    public MysqlWire lenenc(final long v) {
        if (v < 0xFB) {
            return u8((int) v);
        }
        if (v < 0x10000) {
            return u8(0xFC).u16((int) v);
        }
        if (v < 0x1000000) {
            return u8(0xFD).u24((int) v);
        }
        return u8(0xFE).u32(v).u32(v >>> 32);
    }

    public MysqlWire lenencText(final String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return lenenc(b.length).bytes(b);
    }

    public byte[] build() {
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ framing

    /** One physical packet (payload shorter than 0xFFFFFF). */
    public static byte[] packet(final int sequence, final byte[] payload) {
        return payload().u24(payload.length).u8(sequence).bytes(payload).build();
    }

    /** A logical packet split into 0xFFFFFF pieces, with the empty trailer when it divides exactly. */
    public static byte[] packets(final int firstSequence, final byte[] payload) {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        int seq = firstSequence;
        int pos = 0;
        while (true) {
            final int n = Math.min(0xFFFFFF, payload.length - pos);
            o.write(n & 0xFF);
            o.write(n >>> 8 & 0xFF);
            o.write(n >>> 16 & 0xFF);
            o.write(seq++ & 0xFF);
            o.write(payload, pos, n);
            pos += n;
            if (n < 0xFFFFFF) {
                return o.toByteArray();
            }
        }
    }

    public static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    // ------------------------------------------------------------------ payloads

    public static byte[] greeting(final String version, final long threadId, final long caps) {
        final boolean mariadbExtended = (caps & CLIENT_MYSQL) == 0;
        return payload().u8(10).nul(version).u32(threadId).text("abcdefgh").u8(0)
            .u16((int) caps).u8(0x21).u16(0x0002).u16((int) (caps >>> 16)).u8(21)
            .zeros(6).u32(mariadbExtended ? caps >>> 32 : 0)
            .text("ijklmnopqrst").u8(0).nul("mysql_native_password").build();
    }

    public static byte[] login(final long caps, final String user, final String db) {
        final MysqlWire w = payload().u32(caps).u32(16 * 1024 * 1024).u8(0x21).zeros(19)
            .u32((caps & CLIENT_MYSQL) == 0 ? caps >>> 32 : 0).nul(user);
        final byte[] auth = new byte[20];
        for (int i = 0; i < auth.length; i++) {
            auth[i] = (byte) (0xA0 + i); // scramble bytes, including ones that look like NUL-free junk
        }
        if ((caps & PLUGIN_AUTH_LENENC) != 0) {
            w.lenenc(auth.length).bytes(auth);
        } else if ((caps & SECURE_CONNECTION) != 0) {
            w.u8(auth.length).bytes(auth);
        } else {
            w.nul("oldpass");
        }
        if ((caps & CONNECT_WITH_DB) != 0) {
            w.nul(db);
        }
        if ((caps & PLUGIN_AUTH) != 0) {
            w.nul("mysql_native_password");
        }
        if ((caps & CONNECT_ATTRS) != 0) {
            final byte[] attrs = payload().lenencText("_client_name").lenencText("libmysql")
                .lenencText("_pid").lenencText("24518")
                .lenencText("program_name").lenencText("mysql")
                .lenencText("_client_version").lenencText("8.0.36")
                .lenencText("app_tenant").lenencText("tenant-secret-acme").build();
            w.lenenc(attrs.length).bytes(attrs);
        }
        return w.build();
    }

    public static byte[] sslRequest(final long caps) {
        return payload().u32(caps | SSL).u32(16 * 1024 * 1024).u8(0x21).zeros(23).build();
    }

    public static byte[] command(final int command, final String text) {
        return payload().u8(command).text(text).build();
    }

    /** A command with raw bytes after the command byte (fuzzers, binary protocols). */
    public static byte[] command(final int command, final byte[] body) {
        return payload().u8(command).bytes(body).build();
    }

    public static byte[] query(final String sql) {
        return command(0x03, sql);
    }

    public static byte[] ok(final long affected, final long insertId, final int status, final int warnings) {
        return payload().u8(0x00).lenenc(affected).lenenc(insertId).u16(status).u16(warnings).build();
    }

    /** OK with a 0xFE header: ends a result set under CLIENT_DEPRECATE_EOF. */
    public static byte[] okEof(final int status, final int warnings) {
        return payload().u8(0xFE).lenenc(0).lenenc(0).u16(status).u16(warnings).build();
    }

    public static byte[] eof(final int warnings, final int status) {
        return payload().u8(0xFE).u16(warnings).u16(status).build();
    }

    public static byte[] err(final int code, final String sqlState, final String message) {
        return payload().u8(0xFF).u16(code).u8('#').text(sqlState).text(message).build();
    }

    /** MariaDB progress report: ERR with code 0xFFFF. */
    public static byte[] progress(final int stage, final int maxStage, final int progressPerMille) {
        return payload().u8(0xFF).u16(0xFFFF).u8(1).u8(stage).u8(maxStage).u24(progressPerMille)
            .lenencText("copy to tmp table").build();
    }

    public static byte[] columnCount(final int n) {
        return payload().lenenc(n).build();
    }

    public static byte[] columnDef(final String name) {
        return payload().lenencText("def").lenencText("shop").lenencText("t").lenencText("t")
            .lenencText(name).lenencText(name).lenenc(0x0C).u16(0x21).u32(255).u8(0xFD).u16(0).u8(0).u16(0)
            .build();
    }

    /** A text-protocol row; null values are written as 0xFB. */
    public static byte[] row(final String... values) {
        final MysqlWire w = payload();
        for (final String v : values) {
            if (v == null) {
                w.u8(0xFB);
            } else {
                w.lenencText(v);
            }
        }
        return w.build();
    }

    public static byte[] prepareOk(final int statementId, final int columns, final int params, final int warnings) {
        return payload().u8(0).u32(statementId).u16(columns).u16(params).u8(0).u16(warnings).build();
    }
    // ------------------------------------------------------------------ whole responses

    /**
     * A classic text result set, framed, sequence ids from {@code firstSequence} (1 after a
     * command): column count, definitions, EOF, rows, EOF with {@code status}.
     */
    public static byte[] resultSet(final int firstSequence, final String[] columns, final String[][] rows, final int status) {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        int seq = firstSequence;
        o.writeBytes(packet(seq++, columnCount(columns.length)));
        for (final String c : columns) {
            o.writeBytes(packet(seq++ & 0xFF, columnDef(c)));
        }
        o.writeBytes(packet(seq++ & 0xFF, eof(0, status)));
        for (final String[] r : rows) {
            o.writeBytes(packet(seq++ & 0xFF, row(r)));
        }
        o.writeBytes(packet(seq & 0xFF, eof(0, status)));
        return o.toByteArray();
    }
}
