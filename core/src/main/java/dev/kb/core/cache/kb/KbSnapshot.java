package dev.kb.core.cache.kb;

import dev.kb.core.fs.RuntimeSetup;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.PageOrigin;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Another KB's registry, read the one way that writes nothing beside it and takes no lock: SQLite's
 * {@code immutable=1}, read only.
 *
 * <p>Why not the way {@code kb status} reads a registry it must not write: a WAL reader creates
 * the {@code -shm} and {@code -wal} files when no connection has them open (and {@code mode=ro}
 * leaves them behind), and while a writer runs it marks its read in the writer's {@code -shm}.
 * Either changes the other KB's {@code .kb/}, and a lock of any kind could keep that KB's own
 * writer or {@code kb recover} waiting. {@code immutable=1} opens the database file alone: no
 * {@code -shm}, no {@code -wal}, no locks.
 *
 * <p>What that costs, and why it is safe:
 * <ul>
 * <li>Commits still in the other KB's write-ahead log (a writer at work, or one killed before its
 *     last checkpoint) are not seen: their documents are misses, or older rows whose files no
 *     longer match them, which verification turns into misses.</li>
 * <li>A checkpoint may rewrite pages of the file while we read it, and SQLite, told the file is
 *     immutable, does not notice: a read may see a mix of two states, or fail. So the file's
 *     identity (size, modification time, inode) is checked before each query and the connection
 *     opened again when it changed; a failed query is tried once more on a new connection; and
 *     nothing read here is used without the checks of {@link KbCache} (the row is the one asked
 *     for, its files exist, match its size and hash, and its page names its hash and source).</li>
 * </ul>
 * Thread-safe: one connection, used by one query at a time.
 */
final class KbSnapshot implements AutoCloseable {
    /** Columns read, in {@link #row} order; schema 1 already had all of them. */
    private static final String COLUMNS = "doc_name, sha256, raw_path, source_path, source_uri, type, title, size, "
            + "added_at, updated_at, etag, last_modified";
    /** And how the page was made and what a URL's fetch said, in schema 5 and later. */
    private static final String ORIGIN_COLUMNS = ", page_key, page_sha256, page_fields, fetch_fields";
    /** In place of them in an older schema: no row of it says how its page was made, or its fetch. */
    private static final String NO_ORIGIN = ", NULL, NULL, NULL, NULL";
    private static final int ORIGINS_SINCE = SqliteRegistry.ORIGINS_SINCE;

    private final Path file;
    private Connection conn;
    private boolean closed;
    /** The identity of the file {@link #conn} was opened on. */
    private Stamp stamp;
    /** The schema version it holds ({@code user_version}), as of that opening. */
    private int schema;

    private KbSnapshot(Path file) {
        this.file = file;
    }

    /**
     * Opens {@code file} and checks it is a kb registry this kb can read.
     *
     * @throws IOException naming the file and why not: missing, not a database, damaged, of a
     *                     newer schema, or unreadable
     */
    static KbSnapshot open(Path file) throws IOException {
        KbSnapshot s = new KbSnapshot(file);
        synchronized (s) {
            s.connect();
        }
        return s;
    }

    /** The file's identity: a new one means a checkpoint (or a rebuild) changed it under an open connection. */
    private record Stamp(long size, FileTime modified, Object key) {
    }

    private Stamp stampNow() throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new IOException("registry " + file + " is not a regular file");
            }
            return new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        } catch (NoSuchFileException e) {
            throw new IOException("registry " + file + " is gone", e);
        }
    }

    private void connect() throws IOException {
        closeConnection();
        Stamp before = stampNow();
        if (before.size() == 0) {
            throw new IOException("registry " + file + " is empty (zero bytes)");
        }
        Properties p = new Properties();
        p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY: never create, never write
        p.setProperty("temp_store", "MEMORY"); // a sort's spill never goes to /var/tmp (SqliteRegistry.tempInMemory)
        String url = "jdbc:sqlite:" + file.toAbsolutePath().toUri() + "?immutable=1";
        Connection c = null;
        try {
            RuntimeSetup.ensure(); // sqlite-jdbc must find kb's copy of its library, as the registry's
            c = org.sqlite.JDBC.createConnection(url, p);
            if (c == null) {
                throw new SQLException("not an SQLite URL: " + url);
            }
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA query_only=ON");
                int v;
                try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                    v = rs.next() ? rs.getInt(1) : 0;
                }
                if (v > SqliteRegistry.SCHEMA_VERSION) {
                    throw new IOException("registry " + file + " has schema version " + v
                            + ", newer than this kb understands (" + SqliteRegistry.SCHEMA_VERSION + ")");
                }
                if (v == 0) {
                    throw new IOException("registry " + file + " holds no kb schema");
                }
                s.executeQuery("SELECT " + COLUMNS + (v >= ORIGINS_SINCE ? ORIGIN_COLUMNS : "")
                        + " FROM documents LIMIT 0").close();
                schema = v;
            }
        } catch (SQLException e) {
            close(c);
            throw new IOException("registry " + file + " cannot be read: " + Causes.oneLine(e), e);
        } catch (IOException | RuntimeException e) {
            close(c);
            throw e;
        }
        conn = c;
        stamp = before;
    }

    /** A query of the registry as it is now. */
    @FunctionalInterface
    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code q} on a connection opened on the file as it is now; once more on a new one if
     * it fails (a checkpoint rewrote what it read).
     */
    private synchronized <T> T query(Query<T> q) throws IOException {
        if (closed) {
            throw new IllegalStateException("registry " + file + " read after close");
        }
        if (conn == null || !stampNow().equals(stamp)) {
            connect();
        }
        try {
            return q.run(conn);
        } catch (SQLException first) {
            connect();
            try {
                return q.run(conn);
            } catch (SQLException again) {
                again.addSuppressed(first);
                throw new IOException("registry " + file + " cannot be read: " + Causes.oneLine(again), again);
            }
        }
    }

    /** What a query selects: every column {@link #row} reads, those its schema lacks as NULL. */
    private String columns() {
        return COLUMNS + (schema >= ORIGINS_SINCE ? ORIGIN_COLUMNS : NO_ORIGIN);
    }

    /** The row whose {@code source_uri} is {@code uri}, exactly (the index answers; a torn read is checked here). */
    DocumentRow bySourceUri(String uri) throws IOException {
        List<DocumentRow> rows = query(c -> rows(c, "SELECT " + columns() + " FROM documents WHERE source_uri = ?", uri));
        return rows.stream().filter(r -> uri.equals(r.sourceUri())).findFirst().orElse(null);
    }

    /**
     * Rows whose {@code source_uri} is {@code uri} followed by a fragment ({@code uri#…}): a URL
     * added with one is the same download.
     */
    List<DocumentRow> withFragment(String uri) throws IOException {
        // '$' follows '#': the range the index answers is exactly the strings starting "uri#"
        List<DocumentRow> rows = query(c -> rows(c, "SELECT " + columns()
                + " FROM documents WHERE source_uri >= ? AND source_uri < ? ORDER BY source_uri LIMIT 16", uri + "#",
                uri + "$"));
        return rows.stream().filter(r -> r.sourceUri().startsWith(uri + "#")).toList();
    }

    /**
     * Rows whose page was made under the cache key of id {@code key} ({@code page_key}, schema 5;
     * the partial index answers), at most a few: one content is one document, but for rows an
     * older kb left. None in an older schema.
     */
    List<DocumentRow> byPageKey(String key) throws IOException {
        List<DocumentRow> rows = query(c -> schema < ORIGINS_SINCE ? List.of()
                : rows(c, "SELECT " + columns() + " FROM documents WHERE page_key = ? ORDER BY doc_name LIMIT 8", key));
        return rows.stream().filter(r -> r.origin() != null && key.equals(r.origin().key())).toList();
    }

    /**
     * Every row a kb: cache can answer for by its record: those of http(s) URLs with raw bytes,
     * those whose page's origin is recorded (a conversion, a cloud import), and with {@code cloud}
     * every PageIndex Cloud document. In name order.
     */
    List<DocumentRow> servable(boolean cloud) throws IOException {
        return query(c -> rows(c, "SELECT " + columns() + " FROM documents WHERE " + servableWhere(cloud)
                + " ORDER BY doc_name"));
    }

    private String servableWhere(boolean cloud) {
        return SERVABLE + (schema >= ORIGINS_SINCE ? RECORDED : "") + (cloud ? CLOUD : "");
    }

    /** How many rows {@link #servable} gives, and the bytes they hold. */
    long[] servableTotals(boolean cloud) throws IOException {
        return query(c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(size), 0) FROM documents WHERE "
                         + servableWhere(cloud))) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        });
    }

    /** SQLite's LIKE ignores ASCII case: HTTP:// too. */
    private static final String SERVABLE = "(raw_path IS NOT NULL AND (source_uri LIKE 'http://%' OR source_uri LIKE "
            + "'https://%'))";
    private static final String CLOUD = " OR (type = 'pageindex-cloud' AND source_uri LIKE 'pageindex-cloud:%')";
    private static final String RECORDED = " OR page_key IS NOT NULL";

    private static List<DocumentRow> rows(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            List<DocumentRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    DocumentRow r = row(rs);
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
            return out;
        }
    }

    /** A row, or null when a column kb always fills is empty (a torn read, or not kb's row). */
    private static DocumentRow row(ResultSet rs) throws SQLException {
        DocumentRow r = new DocumentRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9), rs.getString(10),
                rs.getString(11), rs.getString(12), PageOrigin.of(rs.getString(13), rs.getString(14), rs.getString(15)),
                rs.getString(16));
        boolean whole = r.docName() != null && r.sha256() != null && r.sourcePath() != null && r.sourceUri() != null
                && r.type() != null && r.updatedAt() != null && r.size() >= 0;
        return whole ? r : null;
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a read-only connection has nothing to lose
            }
        }
    }

    private void closeConnection() {
        close(conn);
        conn = null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeConnection();
    }

    @Override
    public String toString() {
        return Objects.toString(file);
    }
}
