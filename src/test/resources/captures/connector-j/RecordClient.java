import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The client behind captures/connector-j: mysql-connector-j with the text protocol (client-side
 * prepared statements put the literals inline), no TLS. Run by scripts/record-fixtures as
 *   java -cp mysql-connector-j.jar RecordClient.java JDBC_URL CLIENT_LOG
 * It writes every statement it runs to CLIENT_LOG (prepared ones as the driver's toString()
 * shows them), with the JDBC calls that make the driver send statements of its own, row counts
 * and error codes as comments.
 */
public class RecordClient {

    private static PrintWriter log;

    public static void main(String[] args) throws Exception {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8));
                Connection c = DriverManager.getConnection(args[0])) {
            log = out;
            note("DriverManager.getConnection(url)  -- the driver sends its own SET/SELECT statements");
            try (Statement s = c.createStatement()) {
                update(s, "CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, owner VARCHAR(64) NOT NULL,"
                        + " email VARCHAR(100) UNIQUE, balance DECIMAL(12,2) NOT NULL)");
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO accounts (id, owner, email, balance) VALUES (?, ?, ?, ?)")) {
                insert(ins, 1, "alice", "alice@example.com", "100.00");
                insert(ins, 2, "bob o'neil", "bob@example.com", "250.50");
                insert(ins, 3, "carol \"cc\" ünïcode", "carol@example.com", "-12.75");
            }
            try (PreparedStatement byId = c.prepareStatement("SELECT owner, balance FROM accounts WHERE id = ?")) {
                byId.setInt(1, 2);
                query(byId);
                byId.setInt(1, 99);
                query(byId); // no rows
            }
            try (PreparedStatement like = c.prepareStatement(
                    "SELECT id, email FROM accounts WHERE owner LIKE ? AND balance > ? ORDER BY id")) {
                like.setString(1, "%o%");
                like.setBigDecimal(2, new BigDecimal("-100"));
                query(like);
            }
            try (PreparedStatement raise = c.prepareStatement(
                    "UPDATE accounts SET balance = balance + ? WHERE balance > ?")) {
                raise.setBigDecimal(1, new BigDecimal("5.00"));
                raise.setInt(2, 0);
                int affected = update(raise);
                if (affected != 2) {
                    throw new IllegalStateException("expected 2 affected rows, got " + affected);
                }
            }
            c.setAutoCommit(false);
            note("connection.setAutoCommit(false)");
            try (PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                move.setBigDecimal(1, new BigDecimal("-30.00"));
                move.setInt(2, 1);
                update(move);
                move.setBigDecimal(1, new BigDecimal("30.00"));
                move.setInt(2, 3);
                update(move);
            }
            c.commit();
            note("connection.commit()");
            c.setAutoCommit(true);
            note("connection.setAutoCommit(true)");
            try (PreparedStatement dup = c.prepareStatement(
                    "INSERT INTO accounts (id, owner, email, balance) VALUES (?, ?, ?, ?)")) {
                insert(dup, 4, "mallory", "alice@example.com", "1.00"); // ERR 1062 echoes the email
            }
            try (Statement s = c.createStatement()) {
                query(s, "SELECT id FROM missing_table WHERE id = 1"); // ERR 1146
            }
            note("connection.close()");
        }
    }

    private static void insert(PreparedStatement ps, int id, String owner, String email, String balance)
            throws SQLException {
        ps.setInt(1, id);
        ps.setString(2, owner);
        ps.setString(3, email);
        ps.setBigDecimal(4, new BigDecimal(balance));
        update(ps);
    }

    private static int update(PreparedStatement ps) throws SQLException {
        sent(ps);
        try {
            return ps.executeUpdate();
        } catch (SQLException e) {
            error(e);
            return -1;
        }
    }

    private static void update(Statement s, String sql) throws SQLException {
        sent(sql);
        s.executeUpdate(sql);
    }

    private static void query(PreparedStatement ps) throws SQLException {
        sent(ps);
        try (ResultSet rs = ps.executeQuery()) {
            drain(rs);
        }
    }

    private static void query(Statement s, String sql) throws SQLException {
        sent(sql);
        try (ResultSet rs = s.executeQuery(sql)) {
            drain(rs);
        } catch (SQLException e) {
            error(e);
        }
    }

    private static void drain(ResultSet rs) throws SQLException {
        int rows = 0;
        while (rs.next()) {
            rows++;
        }
        log.println("-- rows: " + rows);
    }

    private static void error(SQLException e) {
        log.println("-- error: " + e.getErrorCode() + " " + e.getSQLState());
    }

    /** Client-side prepared statements print as "ClassName: SQL with literals inline". */
    private static void sent(PreparedStatement ps) {
        String text = ps.toString();
        sent(text.substring(text.indexOf(": ") + 2));
    }

    private static void sent(String sql) {
        log.println(sql + ";");
    }

    private static void note(String call) {
        log.println("-- " + call);
    }
}
