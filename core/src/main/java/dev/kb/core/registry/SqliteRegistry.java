package dev.kb.core.registry;

import dev.kb.core.KbException;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.name.Names;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.FileStat;
import dev.kb.core.store.PageOrigin;
import dev.kb.core.store.Registry;
import dev.kb.core.store.RegistrySnapshot;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import dev.kb.core.fs.RuntimeSetup;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The SQLite registry: the list of documents and the ids of committed journals.
 *
 * <p>The transaction in {@link #commit} that writes a mutation's rows together with its journal id
 * is <b>the commit point</b> of every mutation: recovery asks {@link #isCommitted} to decide whether
 * an interrupted journal is finished or undone. WAL mode with {@code synchronous=FULL} makes that
 * transaction durable when it returns, and lets {@code kb status} read while a writer writes.
 *
 * <p>Schema, versioned with {@code PRAGMA user_version} ({@value #SCHEMA_VERSION}):
 * <pre>
 * documents(doc_name TEXT PRIMARY KEY, name_key TEXT UNIQUE, sha256, raw_path, source_path,
 *           source_uri TEXT UNIQUE, type, title, size, added_at, updated_at, etag, last_modified,
 *           page_key, page_sha256, page_fields, fetch_fields)
 * commits(journal_id TEXT PRIMARY KEY, committed_at, documents)
 * registry_state(id INTEGER PRIMARY KEY CHECK (id = 1), revision)      -- one row
 * history(revision INTEGER PRIMARY KEY, committed_at, command, added, updated, removed, repaired)
 * totals(type TEXT PRIMARY KEY, documents, bytes)                        -- kept by triggers
 * file_stats(source_uri TEXT PRIMARY KEY, dir, sha256, size, mtime_ns, ctime_ns, dev, ino, recorded_ns)
 * </pre>
 * {@code name_key} is the case- and Unicode-folded name, so two documents can never share a name on
 * a case-insensitive file system. {@code commits} holds the ids of journals not yet discarded (what
 * recovery asks); {@code history} the last {@value Registry#HISTORY} commits (what status shows).
 *
 * <p>The revision, the history row and the totals change in the commit point's own transaction
 * (the totals through triggers on {@code documents}, so no write path can forget them): none of
 * them can disagree with the rows, whatever crash comes when. The totals make the summary cost the
 * same at any size; a {@code GROUP BY} over 200,000 rows after every committed group would not.
 *
 * <p>{@code file_stats} is the stat cache of local files ({@link FileStat}): written with the rows
 * in the commit point's transaction, dropped by triggers when its row goes or changes content or
 * source, and handed out only joined to a row that has the content it vouches for. It is a hint:
 * emptied, the next add reads every file.
 *
 * <p>{@code page_key}, {@code page_sha256} and {@code page_fields} say how a document's page was
 * made ({@link PageOrigin}), written by the add that made it in the row's own upsert, so a row and
 * the record of its page cannot disagree; NULL wherever it is not known (rows of older schemas,
 * Markdown and text, a rebuild). Another KB reading this one as a cache finds a conversion by
 * {@code page_key} (a partial index holds only the rows that have one).
 *
 * <p>{@code fetch_fields} is, for a URL's row, what the fetch that got its bytes said beyond them
 * and its validators (the final URL, the Content-Type, the name hint: {@link DocumentRow#fetch}),
 * written in the same upsert; NULL for every other row, for older rows and after a rebuild. With
 * it another KB hands out the URL entry that fetch would have stored, so its conversion key is the
 * one this row's {@code page_key} names.
 */
public final class SqliteRegistry implements Registry {
    /**
     * 1: the first schema. 2: {@code name_key} folds case fully ({@link Names#key}), recomputed on
     * upgrade. 3: the revision, the history and the totals by type (counted from the rows on upgrade).
     * 4: the stat cache of local files ({@code file_stats}, empty after the upgrade). 5: how each
     * page was made ({@code page_key}, {@code page_sha256}, {@code page_fields}) and what a URL's
     * fetch said ({@code fetch_fields}); NULL in the rows already there, which only the add that
     * made a page could fill.
     */
    public static final int SCHEMA_VERSION = 5;

    /** The first schema with a revision; a reader of an older one reports {@link #revision} -1. */
    static final int REVISIONS_SINCE = 3;

    /** The first schema with a stat cache; of an older one a reader hands out no entries. */
    static final int STATS_SINCE = 4;

    /** The first schema that records how pages were made; rows of an older one have no {@link PageOrigin}. */
    public static final int ORIGINS_SINCE = 5;

    private final Connection conn;
    private final Path file;
    /** The schema this connection found (or made) when it opened. */
    private int schema;

    private SqliteRegistry(Path file, Connection conn) {
        this.file = file;
        this.conn = conn;
    }

    /**
     * Opens an existing registry for writing, upgrading its schema if it is older; only under the
     * writer lock. A missing registry is refused rather than created: an empty one would make
     * every committed journal still pending look uncommitted, and recovery would then undo
     * documents that were committed.
     */
    public static Registry open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw missing(file);
        }
        return open(file, false);
    }

    /**
     * Creates the registry of a new knowledge base (or opens it, if it exists, making kb's schema
     * in a file that has none); only under the writer lock, and only where no committed work can
     * be pending (see {@link dev.kb.core.app.Init}).
     */
    public static Registry create(Path file) {
        return open(file.toString(), file, false, true);
    }

    /**
     * Opens the registry for reading, never blocking a writer (WAL readers see the last commit).
     * Also where kb may not write: a read-only mount, or a user with read permission only (see
     * {@link #openWhereReadOnly}).
     */
    public static Registry openReadOnly(Path file) {
        if (!Files.isRegularFile(file)) {
            throw missing(file);
        }
        try {
            return open(file, true);
        } catch (KbException e) {
            if (!(e.getCause() instanceof SQLException sql) || !cannotWriteBeside(file, sql)) {
                throw e;
            }
            return openWhereReadOnly(file, e);
        }
    }

    /**
     * A WAL reader needs the registry's {@code -shm} file, and creates it when no connection has it
     * open (at rest it is gone); where the directory cannot be written, SQLite refuses to open at
     * all (SQLITE_CANTOPEN on a read-only mount, SQLITE_READONLY_DIRECTORY without permission).
     * Then:
     * <ul>
     * <li>With no write-ahead log beside it, the database file holds every commit, and
     *     {@code immutable=1} reads it without the -shm file and without locks. A writer cannot be
     *     at work: it would have created the log first. One that starts during the read creates it,
     *     so the log is looked for again afterwards and its appearance makes the read void.</li>
     * <li>With a log (a writer is running, or one was killed), its commits are not in the database
     *     file yet: {@code mode=ro} reads them through the existing -shm file, read only, as SQLite
     *     allows since 3.22. Failing that, the registry cannot be read from here, and the message
     *     says why rather than showing an older state.</li>
     * </ul>
     */
    private static Registry openWhereReadOnly(Path file, KbException refused) {
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        if (hasLog(wal)) {
            try {
                return openUri(file, "mode=ro", refused);
            } catch (KbException e) {
                throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file + " cannot be read here: its "
                        + "write-ahead log holds commits, and this user cannot write beside it to read them ("
                        + Causes.oneLine(e.getCause() == null ? e : e.getCause()) + "); a writer finishing, or "
                        + "'kb recover' by its owner, folds them in", e);
            }
        }
        Registry r = openUri(file, "immutable=1", refused);
        if (hasLog(wal)) {
            r.close(); // a writer began while we read: what we read may be torn
            return openUri(file, "mode=ro", refused);
        }
        return r;
    }

    private static boolean hasLog(Path wal) {
        try {
            return Files.size(wal) > 0;
        } catch (IOException e) {
            return false; // absent
        }
    }

    /** SQLite's refusal to open because it may not create files next to the registry. */
    private static boolean cannotWriteBeside(Path file, SQLException e) {
        if (!(e instanceof org.sqlite.SQLiteException se)) {
            return false;
        }
        org.sqlite.SQLiteErrorCode code = se.getResultCode();
        boolean refusal = code == org.sqlite.SQLiteErrorCode.SQLITE_CANTOPEN
                || code.name().startsWith("SQLITE_READONLY");
        Path dir = file.toAbsolutePath().getParent();
        return refusal && dir != null && !Files.isWritable(dir);
    }

    /** Opens {@code file} as an SQLite URI with {@code query} (percent-encoded by {@link Path#toUri}). */
    private static Registry openUri(Path file, String query, KbException refused) {
        String uri = file.toAbsolutePath().toUri().toString() + "?" + query;
        try {
            return open(uri, file, true, false);
        } catch (KbException e) {
            e.addSuppressed(refused);
            throw e;
        }
    }

    /** What every message about a registry that is gone, empty or damaged tells the user to do. */
    public static final String REBUILD_HINT = "run 'kb recover --rebuild-registry' to rebuild it from raw/ and "
            + KnowledgeBase.SOURCES + "/";

    private static KbException missing(Path file) {
        return new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file + " is missing: " + REBUILD_HINT);
    }

    /** What {@link #health} found a registry file to be. */
    public enum Condition {
        /** No file at the registry's path. */
        MISSING,
        /** Zero bytes, or a database without kb's schema ({@code user_version} 0). */
        UNINITIALISED,
        /** Not a database, a corrupt one, or kb's schema with its tables or columns gone. */
        DAMAGED,
        /** A schema newer than this kb understands: not damage, an older kb. */
        NEWER,
        /** Readable, with kb's schema. */
        SOUND
    }

    /**
     * @param detail    what is wrong, for people ("is zero bytes", SQLite's words); null when sound
     * @param documents the number of rows when {@link Condition#SOUND}, else -1
     */
    public record Health(Condition condition, String detail, long documents) {
    }

    /** Every column of {@code file_stats} (schema 4). */
    private static final String STAT_COLUMNS = "source_uri, dir, sha256, size, mtime_ns, ctime_ns, dev, ino, recorded_ns";

    /**
     * The columns of {@code documents} that schema 1 already had, all that a rebuild fills: a
     * registry that lacks one is damaged, not merely old.
     */
    private static final String ALL_COLUMNS = "doc_name, name_key, sha256, raw_path, source_path, source_uri, type, "
            + "title, size, added_at, updated_at, etag, last_modified";

    /** The columns of {@code documents} that schema 5 added: how the page was made, what a URL's fetch said. */
    private static final String ORIGIN_COLUMNS = "page_key, page_sha256, page_fields, fetch_fields";

    /**
     * Examines a registry file without changing it and without waiting for a writer. A failure that
     * says nothing about the file itself (a locked database, a full disk, a permission) is thrown
     * as {@link KbException.Kind#KB_UNUSABLE}, never reported as damage: a rebuild must not replace
     * a registry that may be sound.
     *
     * @param integrity also run SQLite's {@code quick_check}, which reads the whole file (for
     *                  {@code kb recover --rebuild-registry}; {@code kb init} needs only the schema)
     */
    public static Health health(Path file, boolean integrity) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return new Health(Condition.MISSING, "is missing", -1);
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return new Health(Condition.DAMAGED, "is not a regular file", -1);
        }
        try {
            Path wal = file.resolveSibling(file.getFileName() + "-wal");
            if (Files.size(file) == 0 && (!Files.exists(wal) || Files.size(wal) == 0)) {
                return new Health(Condition.UNINITIALISED, "is zero bytes", -1);
            }
        } catch (IOException e) {
            throw KbException.unusable("cannot read registry " + file, e);
        }
        Properties p = new Properties();
        p.setProperty("busy_timeout", "10000");
        p.setProperty("open_mode", "2"); // SQLITE_OPEN_READWRITE without CREATE: a file gone meanwhile stays gone
        try (Connection c = connect("jdbc:sqlite:" + file, p);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA query_only=ON");
            int v;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                v = rs.next() ? rs.getInt(1) : 0;
            }
            if (v > SCHEMA_VERSION) {
                return new Health(Condition.NEWER, "has schema version " + v + ", newer than this kb understands ("
                        + SCHEMA_VERSION + "); upgrade kb", -1);
            }
            if (v == 0) {
                return new Health(Condition.UNINITIALISED, "holds no kb schema", -1);
            }
            if (integrity) {
                try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                    String verdict = rs.next() ? rs.getString(1) : "no answer";
                    if (!"ok".equals(verdict)) {
                        return new Health(Condition.DAMAGED, "fails SQLite's integrity check (" + verdict + ")", -1);
                    }
                }
            }
            s.executeQuery("SELECT " + ALL_COLUMNS + " FROM documents LIMIT 0").close();
            s.executeQuery("SELECT journal_id, committed_at, documents FROM commits LIMIT 0").close();
            if (v >= REVISIONS_SINCE) {
                s.executeQuery("SELECT " + HISTORY_COLUMNS + " FROM history LIMIT 0").close();
                s.executeQuery("SELECT type, documents, bytes FROM totals LIMIT 0").close();
                if (v >= STATS_SINCE) {
                    s.executeQuery("SELECT " + STAT_COLUMNS + " FROM file_stats LIMIT 0").close();
                }
                if (v >= ORIGINS_SINCE) {
                    s.executeQuery("SELECT " + ORIGIN_COLUMNS + " FROM documents LIMIT 0").close();
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM registry_state WHERE id = 1")) {
                    if (!rs.next() || rs.getInt(1) != 1) {
                        // every commit adds one to it: without the row no commit can go through
                        return new Health(Condition.DAMAGED, "has lost its revision row (registry_state)", -1);
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM documents")) {
                return new Health(Condition.SOUND, null, rs.next() ? rs.getLong(1) : 0);
            }
        } catch (SQLException e) {
            String m = String.valueOf(e.getMessage());
            if (damaged(e) || m.contains("no such table") || m.contains("no such column")) {
                return new Health(Condition.DAMAGED, Causes.oneLine(e), -1);
            }
            throw unusable(file, e);
        }
    }

    /**
     * The revision a registry file had reached, read the way {@link #health} reads (never
     * changing it, never waiting for a writer); -1 when it has none or it cannot be read: missing,
     * damaged, older than revisions. For a rebuild, which must go above it.
     */
    public static long lastRevision(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        Properties p = new Properties();
        p.setProperty("busy_timeout", "10000");
        p.setProperty("open_mode", "2"); // SQLITE_OPEN_READWRITE without CREATE, as health opens it
        try (Connection c = connect("jdbc:sqlite:" + file, p);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA query_only=ON");
            try (ResultSet rs = s.executeQuery("SELECT revision FROM registry_state WHERE id = 1")) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (SQLException | RuntimeException e) {
            return -1; // what cannot be read cannot be exceeded; the cached summary's revision still counts
        }
    }

    private static Registry open(Path file, boolean readOnly) {
        return open(file.toString(), file, readOnly, false);
    }

    /**
     * A connection from sqlite-jdbc itself, not through {@link java.sql.DriverManager}: the first
     * DriverManager call scans the class path for every JDBC driver (a service-loader pass and a
     * logger lookup, ~10 ms of each {@code kb status}) to find the one driver kb ships.
     */
    private static Connection connect(String url, Properties p) throws SQLException {
        RuntimeSetup.ensure(); // sqlite-jdbc must find kb's copy of its library (SqliteNative)
        tempInMemory(p);
        Connection c = org.sqlite.JDBC.createConnection(url, p);
        if (c == null) {
            throw new SQLException("not an SQLite URL: " + url);
        }
        return c;
    }

    /**
     * SQLite's temporary files in memory, never in {@code /var/tmp} (or {@code $TMPDIR}): kb writes
     * nowhere outside the KB and its cache folder. The one a write makes is each statement's undo
     * record, the pages it changed that the transaction had already changed (an upsert fires the
     * totals and stat-cache triggers, so every one needs it): past 64 KB it went to a deleted file
     * there, and a bulk add of the corpus made 55,000 writes to such files (220 MB, on the
     * committing thread). It lives only while one statement runs. The cost: a read that sorts
     * (forEach orders every row by when it was added) holds the rows it sorts in memory, about
     * as many bytes as they take in the registry, where SQLite would have spilled them to disk.
     */
    static void tempInMemory(Properties p) {
        p.setProperty("temp_store", "MEMORY");
    }

    /**
     * Loads what the first connection needs (sqlite-jdbc's classes, the locale data of its date
     * formats, its native library) by opening and closing an in-memory database: nothing on disk.
     * The CLI runs it on a second thread while it parses the command line; a failure here is
     * silent, since the command's own connection meets it again and reports it.
     */
    public static void warmUp() {
        try (Connection c = connect("jdbc:sqlite::memory:", new Properties());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
        } catch (SQLException | RuntimeException | LinkageError e) {
            // the command's own connection reports it
        }
    }

    /**
     * @param name   what SQLite opens: the file's path, or a {@code file:} URI naming it
     * @param create whether a file without kb's schema gets it; otherwise such a file is refused
     *               like a missing one. A zero-byte registry (a truncating restore, a full disk) is
     *               a lost one: a writer that made the tables in it would see no committed
     *               journals, and recovery would undo documents that were committed.
     */
    private static Registry open(String name, Path file, boolean readOnly, boolean create) {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "10000");
        try {
            Connection c = connect("jdbc:sqlite:" + name, p);
            SqliteRegistry r = new SqliteRegistry(file, c);
            try {
                if (!readOnly && !create) {
                    // before the pragmas below: switching a zero-byte file to WAL writes a
                    // database into it, and the file kept aside by a rebuild must stay as found
                    r.checkVersion();
                }
                try (Statement s = c.createStatement()) {
                    if (readOnly) {
                        s.execute("PRAGMA query_only=ON");
                    } else {
                        // Without WAL a reader blocks the writer and the writer blocks `kb status`.
                        try (ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
                            String mode = rs.next() ? rs.getString(1) : "unknown";
                            if (!"wal".equalsIgnoreCase(mode)) {
                                throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file
                                        + " cannot use write-ahead logging (journal mode stays '" + mode
                                        + "'); keep the knowledge base on a local file system");
                            }
                        }
                        s.execute("PRAGMA synchronous=FULL");
                    }
                }
                if (readOnly) {
                    r.checkVersion();
                } else {
                    r.migrate();
                }
                return r;
            } catch (SQLException | RuntimeException e) {
                r.close();
                throw e;
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    private static KbException unusable(Path file, SQLException e) {
        if (damaged(e)) {
            return new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file + " is damaged ("
                    + Causes.oneLine(e) + "): " + REBUILD_HINT, e);
        }
        if (outOfSpace(file, e)) {
            return new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file + " cannot be used: "
                    + NO_SPACE + " (free some space and run the command again)", e);
        }
        return new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file + " is unreadable: " + Causes.oneLine(e),
                e);
    }

    /** The OS's words for ENOSPC, which the rest of kb's failures on a full disk carry too. */
    static final String NO_SPACE = "No space left on device";

    /**
     * Whether {@code e} comes of a full disk. SQLite says so with SQLITE_FULL, but not always:
     * it rolls a transaction back by itself on SQLITE_FULL, so the statement after it fails with
     * "cannot commit - no transaction is active"; growing the -shm file fails as an I/O error.
     * So a failure while the disk has next to no room left counts too.
     */
    static boolean outOfSpace(Path file, SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (isFull(t)) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (isFull(s)) {
                    return true;
                }
            }
        }
        return diskFull(file);
    }

    private static boolean isFull(Throwable t) {
        return t instanceof org.sqlite.SQLiteException se && se.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_FULL
                || t instanceof SQLException sql && (sql.getErrorCode() & 0xff) == 13; // SQLITE_FULL
    }

    /**
     * Whether SQLite says the file is not a database or a corrupt one (SQLITE_NOTADB, SQLITE_CORRUPT
     * and its extended codes). Only these point to a rebuild: a locked, full or unreadable disk is
     * no reason to replace a registry that may be sound.
     */
    private static boolean damaged(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
    }

    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;

    private static boolean diskFull(Path file) {
        try {
            return Files.getFileStore(file.toAbsolutePath().getParent()).getUsableSpace() < 256 * 1024;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private int userVersion() throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private void checkVersion() throws SQLException {
        int v = userVersion();
        schema = v;
        if (v > SCHEMA_VERSION) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file + " has schema version " + v
                    + ", newer than this kb understands (" + SCHEMA_VERSION + "); upgrade kb");
        }
        // zero bytes, or a database without kb's tables: only kb init (create) makes them
        if (v == 0) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file + " is empty (it holds no kb "
                    + "schema): " + REBUILD_HINT);
        }
    }

    private void migrate() throws SQLException {
        int v = userVersion();
        if (v == SCHEMA_VERSION) {
            schema = v;
            return;
        }
        if (v > SCHEMA_VERSION) {
            checkVersion();
        }
        conn.setAutoCommit(false);
        try (Statement s = conn.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS documents(
                      doc_name      TEXT PRIMARY KEY,
                      name_key      TEXT NOT NULL UNIQUE,
                      sha256        TEXT NOT NULL,
                      raw_path      TEXT,
                      source_path   TEXT NOT NULL,
                      source_uri    TEXT NOT NULL UNIQUE,
                      type          TEXT NOT NULL,
                      title         TEXT,
                      size          INTEGER NOT NULL,
                      added_at      TEXT NOT NULL,
                      updated_at    TEXT NOT NULL,
                      etag          TEXT,
                      last_modified TEXT,
                      page_key      TEXT,
                      page_sha256   TEXT,
                      page_fields   TEXT,
                      fetch_fields  TEXT)""");
            s.execute("CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256)");
            addOriginColumns(s);
            s.execute("""
                    CREATE TABLE IF NOT EXISTS commits(
                      journal_id   TEXT PRIMARY KEY,
                      committed_at TEXT NOT NULL,
                      documents    INTEGER NOT NULL)""");
            if (v == 1) {
                refoldNameKeys();
            }
            createRevisionTables(s);
            createStatTables(s);
            if (v > 0 && v < REVISIONS_SINCE) {
                // the triggers count only what changes from now on: the rows already there once
                s.execute("DELETE FROM totals");
                s.execute("INSERT INTO totals(type, documents, bytes) SELECT type, count(*), coalesce(sum(size), 0)"
                        + " FROM documents GROUP BY type");
            }
            s.execute("PRAGMA user_version=" + SCHEMA_VERSION);
            conn.commit();
            schema = SCHEMA_VERSION;
        } catch (SQLException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    /** Columns of {@code history}, in the order {@link #recordCommit} writes them. */
    private static final String HISTORY_COLUMNS = "revision, committed_at, command, added, updated, removed, repaired";

    /**
     * Version 3's tables, inside the upgrade's transaction. An upgraded registry starts at revision
     * 0 with an empty history, as a new one does: its rows did not change, and no summary was ever
     * tagged with a revision of it.
     */
    private static void createRevisionTables(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS registry_state(
                  id       INTEGER PRIMARY KEY CHECK (id = 1),
                  revision INTEGER NOT NULL)""");
        s.execute("INSERT OR IGNORE INTO registry_state(id, revision) VALUES(1, 0)");
        s.execute("""
                CREATE TABLE IF NOT EXISTS history(
                  revision     INTEGER PRIMARY KEY,
                  committed_at TEXT NOT NULL,
                  command      TEXT NOT NULL,
                  added        INTEGER NOT NULL,
                  updated      INTEGER NOT NULL,
                  removed      INTEGER NOT NULL,
                  repaired     INTEGER NOT NULL)""");
        s.execute("""
                CREATE TABLE IF NOT EXISTS totals(
                  type      TEXT PRIMARY KEY,
                  documents INTEGER NOT NULL,
                  bytes     INTEGER NOT NULL)""");
        String countIn = """
                INSERT INTO totals(type, documents, bytes) VALUES(NEW.type, 1, NEW.size)
                  ON CONFLICT(type) DO UPDATE SET documents = documents + 1, bytes = bytes + excluded.bytes;""";
        String countOut = """
                UPDATE totals SET documents = documents - 1, bytes = bytes - OLD.size WHERE type = OLD.type;
                DELETE FROM totals WHERE type = OLD.type AND documents <= 0;""";
        s.execute("CREATE TRIGGER IF NOT EXISTS totals_insert AFTER INSERT ON documents BEGIN " + countIn + " END");
        s.execute("CREATE TRIGGER IF NOT EXISTS totals_delete AFTER DELETE ON documents BEGIN " + countOut + " END");
        // an upsert's DO UPDATE fires this too: the old type and size out, the new ones in
        s.execute("CREATE TRIGGER IF NOT EXISTS totals_update AFTER UPDATE OF type, size ON documents BEGIN "
                + countOut + " " + countIn + " END");
    }

    /**
     * Version 4's stat cache, inside the upgrade's transaction; an upgraded registry starts with
     * none (its first add reads every file, as before, and records them). The triggers drop an
     * entry whenever its row is deleted or gets other content or another source, whichever write
     * path does it (a remove, an update, a rebuild), so no entry outlives what it was made for;
     * {@link #fileStats} checks the content again all the same.
     */
    private static void createStatTables(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS file_stats(
                  source_uri  TEXT PRIMARY KEY,
                  dir         TEXT NOT NULL,
                  sha256      TEXT NOT NULL,
                  size        INTEGER NOT NULL,
                  mtime_ns    INTEGER NOT NULL,
                  ctime_ns    INTEGER NOT NULL,
                  dev         INTEGER NOT NULL,
                  ino         INTEGER NOT NULL,
                  recorded_ns INTEGER NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS file_stats_dir ON file_stats(dir)");
        s.execute("CREATE TRIGGER IF NOT EXISTS file_stats_delete AFTER DELETE ON documents BEGIN "
                + "DELETE FROM file_stats WHERE source_uri = OLD.source_uri; END");
        s.execute("CREATE TRIGGER IF NOT EXISTS file_stats_update AFTER UPDATE OF source_uri, sha256 ON documents "
                + "WHEN OLD.source_uri IS NOT NEW.source_uri OR OLD.sha256 IS NOT NEW.sha256 BEGIN "
                + "DELETE FROM file_stats WHERE source_uri = OLD.source_uri; END");
    }

    /**
     * Version 5's record of how each page was made and what each URL's fetch said, inside the
     * upgrade's transaction: the columns added to a table made before them (NULL in every row
     * there: what made those pages, and what those fetches said, was not recorded, and nothing can
     * prove it now), and the index another KB finds a conversion by,
     * holding only the rows that have one. A column already there is kept as it is.
     */
    private static void addOriginColumns(Statement s) throws SQLException {
        Set<String> have = new HashSet<>();
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(documents)")) {
            while (rs.next()) {
                have.add(rs.getString("name"));
            }
        }
        for (String column : ORIGIN_COLUMNS.split(", ")) {
            if (!have.contains(column)) {
                s.execute("ALTER TABLE documents ADD COLUMN " + column + " TEXT");
            }
        }
        s.execute("CREATE INDEX IF NOT EXISTS documents_page_key ON documents(page_key) WHERE page_key IS NOT NULL");
    }

    /**
     * Version 1 stored lower-cased keys; version 2 folds case fully ("ß" and "SS" meet). Each row
     * gets its new key, in the order the documents were added, unless an earlier row already has
     * it: two such documents were both allowed before and stay as they are (they are two files on
     * this file system; only a case-insensitive one would have refused the second).
     */
    private void refoldNameKeys() throws SQLException {
        Map<String, String> keyOf = new LinkedHashMap<>();
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT doc_name, name_key FROM documents ORDER BY added_at, doc_name")) {
            while (rs.next()) {
                keyOf.put(rs.getString(1), rs.getString(2));
            }
        }
        Set<String> taken = new HashSet<>(keyOf.values());
        try (PreparedStatement up = conn.prepareStatement("UPDATE documents SET name_key = ? WHERE doc_name = ?")) {
            for (Map.Entry<String, String> e : keyOf.entrySet()) {
                String folded = Names.key(e.getKey());
                if (!folded.equals(e.getValue()) && taken.add(folded)) {
                    taken.remove(e.getValue());
                    up.setString(1, folded);
                    up.setString(2, e.getKey());
                    up.executeUpdate();
                }
            }
        }
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    public Optional<DocumentRow> bySourceUri(String uri) {
        return one("SELECT * FROM documents WHERE source_uri = ?", uri);
    }

    @Override
    public Optional<DocumentRow> bySha256(String sha) {
        return one("SELECT * FROM documents WHERE sha256 = ? LIMIT 1", sha);
    }

    @Override
    public Optional<DocumentRow> byName(String name) {
        return one("SELECT * FROM documents WHERE doc_name = ?", name);
    }

    /** True when a document already uses this name, compared the way file systems may compare it. */
    @Override
    public boolean nameTaken(String name) {
        return exists("SELECT 1 FROM documents WHERE name_key = ?", Names.key(name));
    }

    @Override
    public Map<String, DocumentRow> bySourceUris(Collection<String> uris) {
        Map<String, DocumentRow> out = new java.util.HashMap<>();
        inChunks("SELECT * FROM documents WHERE source_uri IN ", uris, rs -> {
            DocumentRow r = row(rs);
            out.put(r.sourceUri(), r);
        });
        return out;
    }

    @Override
    public Map<String, String> namesBySha256(Collection<String> shas) {
        Map<String, String> out = new java.util.HashMap<>();
        // in index order, as bySha256's LIMIT 1: the same document for a hash several rows share
        inChunks("SELECT sha256, doc_name FROM documents WHERE sha256 IN ", shas,
                rs -> out.putIfAbsent(rs.getString(1), rs.getString(2)));
        return out;
    }

    @Override
    public Set<String> namesTaken(Collection<String> names) {
        Map<String, List<String>> byKey = new java.util.HashMap<>();
        for (String n : names) {
            byKey.computeIfAbsent(Names.key(n), k -> new ArrayList<>()).add(n);
        }
        Set<String> out = new HashSet<>();
        inChunks("SELECT name_key FROM documents WHERE name_key IN ", byKey.keySet(),
                rs -> out.addAll(byKey.getOrDefault(rs.getString(1), List.of())));
        return out;
    }

    /** Reads one result row. */
    @FunctionalInterface
    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    /** Most values bound in one {@code IN (...)}: below SQLite's 999 of versions before 3.32. */
    private static final int IN_CHUNK = 500;

    /** {@code select} followed by {@code (?, ...)} for the distinct values, a chunk at a time. */
    private void inChunks(String select, Collection<String> values, RowReader reader) {
        List<String> all = List.copyOf(new java.util.LinkedHashSet<>(values));
        for (int from = 0; from < all.size(); from += IN_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
            try (PreparedStatement ps = conn.prepareStatement(select + "(" + "?,".repeat(chunk.size() - 1) + "?)")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        reader.read(rs);
                    }
                }
            } catch (SQLException e) {
                throw unusable(file, e);
            }
        }
    }

    @Override
    public boolean isCommitted(String journalId) {
        return exists("SELECT 1 FROM commits WHERE journal_id = ?", journalId);
    }

    @Override
    public boolean isEmpty() {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM documents LIMIT 1")) {
            return !rs.next();
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    @Override
    public long count() {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM documents")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    @Override
    public long revision() {
        if (schema < REVISIONS_SINCE) {
            return -1;
        }
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT revision FROM registry_state WHERE id = 1")) {
            if (!rs.next()) {
                throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file
                        + " has lost its revision row (registry_state): " + REBUILD_HINT);
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    /** One statement, so one snapshot: the count is of the commit that made the revision. */
    @Override
    public Head head() {
        String sql = schema < REVISIONS_SINCE ? "SELECT -1, count(*) FROM documents"
                : "SELECT (SELECT revision FROM registry_state WHERE id = 1), "
                + "(SELECT coalesce(sum(documents), 0) FROM totals)";
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            if (rs.getObject(1) == null) {
                throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file
                        + " has lost its revision row (registry_state): " + REBUILD_HINT);
            }
            return new Head(rs.getLong(1), rs.getLong(2));
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    /**
     * One compound statement, so one snapshot of the revision, the totals and the history, with
     * no transaction to open or close on a connection a writer also commits through. An older
     * schema has neither revision nor history: its totals are counted from the rows.
     */
    @Override
    public RegistrySnapshot snapshot(int recent) {
        if (schema < REVISIONS_SINCE) {
            return countedSnapshot();
        }
        String sql = """
                SELECT 0, NULL, NULL, revision, 0, 0, 0, 0 FROM registry_state WHERE id = 1
                UNION ALL
                SELECT 1, type, NULL, documents, bytes, 0, 0, 0 FROM totals
                UNION ALL
                SELECT * FROM (SELECT 2, committed_at, command, revision, added, updated, removed, repaired
                               FROM history ORDER BY revision DESC LIMIT ?)""";
        long revision = -1;
        Map<String, RegistrySnapshot.TypeTotals> byType = new TreeMap<>();
        List<RegistrySnapshot.Commit> commits = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setInt(1, Math.max(0, recent));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getInt(1)) {
                        case 0 -> revision = rs.getLong(4);
                        case 1 -> byType.put(rs.getString(2), new RegistrySnapshot.TypeTotals(rs.getLong(4),
                                rs.getLong(5)));
                        default -> commits.add(new RegistrySnapshot.Commit(rs.getLong(4), rs.getString(2),
                                new CommitNote(rs.getString(3), rs.getInt(5), rs.getInt(6), rs.getInt(7),
                                        rs.getInt(8))));
                    }
                }
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
        if (revision < 0) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + file
                    + " has lost its revision row (registry_state): " + REBUILD_HINT);
        }
        commits.sort((a, b) -> Long.compare(b.revision(), a.revision()));
        return new RegistrySnapshot(revision, new TreeMap<>(byType), commits);
    }

    private RegistrySnapshot countedSnapshot() {
        Map<String, RegistrySnapshot.TypeTotals> byType = new TreeMap<>();
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT type, count(*), coalesce(sum(size), 0) FROM documents GROUP BY type")) {
            while (rs.next()) {
                byType.put(rs.getString(1), new RegistrySnapshot.TypeTotals(rs.getLong(2), rs.getLong(3)));
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
        return new RegistrySnapshot(-1, new TreeMap<>(byType), List.of());
    }

    /**
     * One query per directory: a re-add of a directory of 7,425 files asks once per folder, not
     * once per file. The join hands out an entry only with a row of its source that has its
     * content, whatever wrote the table.
     */
    @Override
    public Map<String, FileStat> fileStats(String dir) {
        if (schema < STATS_SINCE) {
            return Map.of();
        }
        Map<String, FileStat> out = new java.util.HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT f.source_uri, d.doc_name, f.sha256, f.size, "
                + "f.mtime_ns, f.ctime_ns, f.dev, f.ino, f.recorded_ns FROM file_stats f "
                + "JOIN documents d ON d.source_uri = f.source_uri AND d.sha256 = f.sha256 WHERE f.dir = ?")) {
            ps.setString(1, dir);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String uri = rs.getString(1);
                    out.put(uri, new FileStat(uri, rs.getString(2), rs.getString(3), new FileStat.Stamp(rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)), rs.getLong(9)));
                }
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
        return out;
    }

    /** Streams every row in the order the documents were added (for verification and index rebuilds). */
    @Override
    public void forEach(Consumer<DocumentRow> action) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM documents ORDER BY added_at, doc_name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                action.accept(row(rs));
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    @Override
    public void forEachByName(String type, Consumer<DocumentRow> action) {
        String sql = "SELECT * FROM documents" + (type == null ? "" : " WHERE type = ?") + " ORDER BY doc_name";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (type != null) {
                ps.setString(1, type);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    action.accept(row(rs));
                }
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    private boolean exists(String sql, String arg) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    private Optional<DocumentRow> one(String sql, String arg) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
    }

    /** A row of {@code SELECT *}; of a schema older than 5 (read as it is), without its page's origin or fetch. */
    private DocumentRow row(ResultSet rs) throws SQLException {
        boolean recorded = schema >= ORIGINS_SINCE;
        PageOrigin origin = !recorded ? null
                : PageOrigin.of(rs.getString("page_key"), rs.getString("page_sha256"), rs.getString("page_fields"));
        return new DocumentRow(rs.getString("doc_name"), rs.getString("sha256"), rs.getString("raw_path"),
                rs.getString("source_path"), rs.getString("source_uri"), rs.getString("type"), rs.getString("title"),
                rs.getLong("size"), rs.getString("added_at"), rs.getString("updated_at"), rs.getString("etag"),
                rs.getString("last_modified"), origin, recorded ? rs.getString("fetch_fields") : null);
    }

    // ---- the commit point -----------------------------------------------------------------

    /**
     * THE COMMIT POINT. In one transaction: insert or replace the rows, record the journal id, add
     * one to the revision and record the commit in the history. When this returns, the mutation is
     * durable and recovery will finish it, never undo it; when it throws, nothing of it is in the
     * registry (the revision included) and the caller rolls the journal back.
     */
    @Override
    public void commit(String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                       CommitNote note) throws IOException {
        commit(journalId, upserts, removals, note, List.of());
    }

    /** THE COMMIT POINT as above, with the stat-cache entries of the upserted rows in its transaction. */
    @Override
    public void commit(String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                       CommitNote note, Collection<FileStat> stats) throws IOException {
        try {
            commitTransaction(journalId, upserts, removals, note, stats);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private IOException translate(SQLException e) {
        if (outOfSpace(file, e)) {
            // the same words as every other ENOSPC of the batch, not SQLite's
            java.nio.file.FileSystemException full = new java.nio.file.FileSystemException(file.toString(), null,
                    NO_SPACE);
            full.initCause(e);
            return full;
        }
        return new IOException(Causes.oneLine(e), e);
    }

    /**
     * The statements run on one helper thread while the caller publishes the group's files, the
     * COMMIT on the caller's once they are published: a group's publishing and its registry
     * writing took about as long each, one after the other, on the one thread that commits. The
     * connection is used by one thread at a time (the caller waits for the statements), and SQLite
     * keeps a transaction not committed invisible to readers and undone by a crash, so beginning it
     * before the files are in place moves no commit point.
     */
    @Override
    public Staged stage(String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                        CommitNote note, Collection<FileStat> stats) {
        java.util.concurrent.Future<Void> statements = Writer.THREAD.submit(() -> {
            conn.setAutoCommit(false);
            writeTransaction(journalId, upserts, removals, note, stats);
            return null;
        });
        return new Staged() {
            private boolean ended;

            @Override
            public void commit() throws IOException {
                if (ended) {
                    throw new IllegalStateException("a staged transaction is committed once");
                }
                ended = true;
                try {
                    awaitStatements(statements);
                    conn.commit();
                    conn.setAutoCommit(true);
                } catch (SQLException | RuntimeException e) {
                    SQLException failure = e instanceof SQLException sql ? sql : new SQLException(e);
                    undo(failure);
                    throw translate(failure);
                }
            }

            @Override
            public void close() {
                if (ended) {
                    return;
                }
                ended = true;
                SQLException failure = new SQLException("abandoned");
                try {
                    awaitStatements(statements);
                } catch (SQLException | RuntimeException e) {
                    // undone below all the same
                }
                undo(failure);
            }
        };
    }

    /** The thread that runs staged statements; a daemon, made on first use. */
    static final class Writer {
        static final java.util.concurrent.ExecutorService THREAD = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> {
                    Thread t = new Thread(r, "kb-registry");
                    t.setDaemon(true);
                    return t;
                });
    }

    private static void awaitStatements(java.util.concurrent.Future<Void> statements) throws SQLException {
        try {
            statements.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof SQLException sql ? sql : new SQLException(c);
        } catch (InterruptedException e) {
            // The statements may still be running on the connection: they are waited out, deaf
            // to further interrupts, before the caller rolls back on this thread; a rollback
            // beside them would let the rest of them commit one by one.
            boolean ended = false;
            while (!ended) {
                try {
                    statements.get();
                    ended = true;
                } catch (java.util.concurrent.ExecutionException failed) {
                    ended = true;
                } catch (InterruptedException again) {
                    // still running: wait on
                }
            }
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the registry was written", e);
        }
    }

    /** Inserts or replaces rows, inside the caller's transaction. */
    private void upsert(Collection<DocumentRow> rows) throws SQLException {
        try (PreparedStatement up = conn.prepareStatement("""
                INSERT INTO documents(doc_name, name_key, sha256, raw_path, source_path, source_uri, type, title,
                                      size, added_at, updated_at, etag, last_modified,
                                      page_key, page_sha256, page_fields, fetch_fields)
                VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(doc_name) DO UPDATE SET
                  sha256=excluded.sha256, raw_path=excluded.raw_path, source_path=excluded.source_path,
                  source_uri=excluded.source_uri, type=excluded.type, title=excluded.title, size=excluded.size,
                  updated_at=excluded.updated_at, etag=excluded.etag, last_modified=excluded.last_modified,
                  page_key=excluded.page_key, page_sha256=excluded.page_sha256,
                  page_fields=excluded.page_fields, fetch_fields=excluded.fetch_fields""")) {
            for (DocumentRow r : rows) {
                bindRow(up, r);
            }
            up.executeBatch();
        }
    }

    /*
     * One row's values, a method of its own: the JIT compiles a method once it has been called a
     * few hundred times, and a loop only after tens of thousands of turns, so a loop run once per
     * commit group, with a body per document, stayed interpreted for a whole bulk add (a sixth of
     * the committing thread's time). The same goes for Journal, FileDocumentStore and AddPlanner.
     */
    private static void bindRow(PreparedStatement up, DocumentRow r) throws SQLException {
        up.setString(1, r.docName());
        up.setString(2, Names.key(r.docName()));
        up.setString(3, r.sha256());
        up.setString(4, r.rawPath());
        up.setString(5, r.sourcePath());
        up.setString(6, r.sourceUri());
        up.setString(7, r.type());
        up.setString(8, r.title());
        up.setLong(9, r.size());
        up.setString(10, r.addedAt());
        up.setString(11, r.updatedAt());
        up.setString(12, r.etag());
        up.setString(13, r.lastModified());
        // the page's origin goes with the row it was made for: an update whose page was made
        // otherwise (Markdown now, or of unknown origin) clears the old one
        PageOrigin o = r.origin();
        up.setString(14, o == null ? null : o.key());
        up.setString(15, o == null ? null : o.sha256());
        up.setString(16, o == null ? null : o.fields());
        // and so does the fetch's record: an update made otherwise (a 200 of a kb that
        // recorded none) leaves none rather than the old fetch's
        up.setString(17, r.fetch());
        up.addBatch();
    }

    /** Deletes the rows of these names, inside the caller's transaction. */
    private void delete(Collection<String> removals) throws SQLException {
        if (!removals.isEmpty()) {
            try (PreparedStatement del = conn.prepareStatement("DELETE FROM documents WHERE doc_name = ?")) {
                for (String name : removals) {
                    del.setString(1, name);
                    del.addBatch();
                }
                del.executeBatch();
            }
        }
    }

    /**
     * The revision moves here and nowhere else but a rebuild ({@link Rebuild#seed}), in the same
     * transaction as the rows: a summary tagged with a revision is then a summary of exactly the
     * rows of that revision, and a rolled-back commit leaves the revision where it was.
     */
    private void recordCommit(String at, CommitNote note) throws SQLException {
        try (Statement s = conn.createStatement()) {
            if (s.executeUpdate("UPDATE registry_state SET revision = revision + 1 WHERE id = 1") != 1) {
                throw new SQLException("the registry has lost its revision row (registry_state): " + REBUILD_HINT);
            }
        }
        try (PreparedStatement h = conn.prepareStatement("INSERT INTO history(" + HISTORY_COLUMNS + ") "
                + "SELECT revision, ?, ?, ?, ?, ?, ? FROM registry_state WHERE id = 1")) {
            h.setString(1, at);
            h.setString(2, note.command());
            h.setInt(3, note.added());
            h.setInt(4, note.updated());
            h.setInt(5, note.removed());
            h.setInt(6, note.repaired());
            h.executeUpdate();
        }
        try (Statement s = conn.createStatement()) {
            // bounded: without this the history would grow by a row with every group of every batch
            s.executeUpdate("DELETE FROM history WHERE revision <= (SELECT revision FROM registry_state WHERE id = 1)"
                    + " - " + HISTORY);
        }
    }

    private void commitTransaction(String journalId, Collection<DocumentRow> rows, Collection<String> removals,
                                   CommitNote note, Collection<FileStat> stats) throws SQLException {
        SQLException failure = null;
        conn.setAutoCommit(false);
        try {
            writeTransaction(journalId, rows, removals, note, stats);
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            failure = e instanceof SQLException sql ? sql : new SQLException(e);
            undo(failure);
            throw failure;
        } finally {
            if (failure == null) {
                conn.setAutoCommit(true);
            }
        }
    }

    /** The statements of a commit, inside the transaction the caller began. */
    private void writeTransaction(String journalId, Collection<DocumentRow> rows, Collection<String> removals,
                                  CommitNote note, Collection<FileStat> stats) throws SQLException {
        upsert(rows);
        delete(removals);
        // after the rows: their triggers have dropped the entries of content that changed
        writeStats(stats);
        String at = Instant.now().toString();
        try (PreparedStatement c = conn.prepareStatement(
                "INSERT INTO commits(journal_id, committed_at, documents) VALUES(?,?,?)")) {
            c.setString(1, journalId);
            c.setString(2, at);
            c.setInt(3, rows.size() + removals.size());
            c.executeUpdate();
        }
        recordCommit(at, note);
    }

    /** Rolls back the transaction that {@code failure} ended and turns auto-commit back on; their own failures are added to it. */
    private void undo(SQLException failure) {
        try {
            conn.rollback();
        } catch (SQLException again) {
            // the failed transaction was never committed; SQLite discards it on close
            failure.addSuppressed(again);
        }
        try {
            conn.setAutoCommit(true);
        } catch (SQLException e) {
            // After SQLITE_FULL, SQLite has rolled the transaction back itself, and turning
            // auto-commit back on fails with "no transaction is active": thrown from here it
            // replaced the cause that matters.
            failure.addSuppressed(e);
        }
    }

    /**
     * Writes stat-cache entries inside the caller's transaction, each only when a row of its
     * source has its content at this moment of that transaction: a refresh outside a commit read
     * its row earlier, and another writer may have changed it since.
     */
    private void writeStats(Collection<FileStat> stats) throws SQLException {
        if (stats.isEmpty() || schema < STATS_SINCE) {
            return;
        }
        String sql = "INSERT OR REPLACE INTO file_stats(" + STAT_COLUMNS + ") SELECT ?,?,?,?,?,?,?,?,? "
                + "WHERE EXISTS (SELECT 1 FROM documents WHERE source_uri = ? AND sha256 = ?)";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (FileStat f : stats) {
                bindStat(ps, f);
            }
            ps.executeBatch();
        }
    }

    /** One entry's values (a method of its own so that it is compiled: see {@link #bindRow}). */
    private static void bindStat(PreparedStatement ps, FileStat f) throws SQLException {
        FileStat.Stamp st = f.stamp();
        ps.setString(1, f.sourceUri());
        ps.setString(2, FileStat.directory(f.sourceUri()));
        ps.setString(3, f.sha256());
        ps.setLong(4, st.size());
        ps.setLong(5, st.modifiedNs());
        ps.setLong(6, st.changedNs());
        ps.setLong(7, st.device());
        ps.setLong(8, st.inode());
        ps.setLong(9, f.recordedNs());
        ps.setString(10, f.sourceUri());
        ps.setString(11, f.sha256());
        ps.addBatch();
    }

    @Override
    public void recordFileStats(Collection<FileStat> stats) {
        if (stats.isEmpty() || schema < STATS_SINCE) {
            return;
        }
        try {
            conn.setAutoCommit(false);
            try {
                writeStats(stats);
                conn.commit();
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
            } finally {
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // a hint that cannot be written is only a file read once more by the next add
        }
    }

    /** Forgets journal ids whose journals are gone, so the table does not grow with every add. */
    @Override
    public void forgetCommits(Collection<String> journalIds) {
        if (journalIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM commits WHERE journal_id = ?")) {
            for (String id : journalIds) {
                ps.setString(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            // only a table of finished ids grows; nothing depends on removing them now
        }
    }

    @Override
    public List<String> committedIds() {
        List<String> ids = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT journal_id FROM commits")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw unusable(file, e);
        }
        return ids;
    }

    // ---- a registry made from the files ---------------------------------------------------

    /**
     * Starts a new registry at {@code file}, which must not exist, for
     * {@code kb recover --rebuild-registry}: rows go into it in one transaction, and
     * {@link Rebuild#finish} leaves it complete and self-contained, ready to be renamed into place.
     */
    public static Rebuild rebuild(Path file) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("a rebuilt registry is never written over a file: " + file);
        }
        SqliteRegistry r = (SqliteRegistry) open(file.toString(), file, false, true);
        try {
            r.conn.setAutoCommit(false);
            return new Rebuild(r);
        } catch (SQLException e) {
            r.close();
            throw Rebuild.failed(file, e);
        }
    }

    /** A registry being written from rows found on disk; see {@link #rebuild}. */
    public static final class Rebuild implements AutoCloseable {
        private final SqliteRegistry registry;
        private boolean finished;

        private Rebuild(SqliteRegistry registry) {
            this.registry = registry;
        }

        /**
         * Adds one row, with the name key a writer would give it. Two documents whose names fold
         * alike (one file on a case-insensitive file system) can only exist together because a
         * registry upgraded from version 1 kept them apart; the second gets its version-1 key (only
         * lower-cased) or, when that is taken too, its name itself, which no fold produces: both
         * rows stay, and a new document of that key is still refused by the first.
         *
         * @return empty when added; else why not: its source is another row's, or no key is left
         */
        public Optional<String> add(DocumentRow row) {
            Optional<DocumentRow> sameSource = registry.bySourceUri(row.sourceUri());
            if (sameSource.isPresent()) {
                return Optional.of("its source is also the source of " + sameSource.get().docName());
            }
            String key = null;
            for (String k : List.of(Names.key(row.docName()), row.docName().toLowerCase(java.util.Locale.ROOT),
                    row.docName())) {
                if (!registry.exists("SELECT 1 FROM documents WHERE name_key = ?", k)) {
                    key = k;
                    break;
                }
            }
            if (key == null) {
                return Optional.of("its name is another document's on a case-insensitive file system");
            }
            try (PreparedStatement up = registry.conn.prepareStatement(
                    "INSERT INTO documents(" + ALL_COLUMNS + ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                up.setString(1, row.docName());
                up.setString(2, key);
                up.setString(3, row.sha256());
                up.setString(4, row.rawPath());
                up.setString(5, row.sourcePath());
                up.setString(6, row.sourceUri());
                up.setString(7, row.type());
                up.setString(8, row.title());
                up.setLong(9, row.size());
                up.setString(10, row.addedAt());
                up.setString(11, row.updatedAt());
                up.setString(12, row.etag());
                up.setString(13, row.lastModified());
                up.executeUpdate();
                return Optional.empty();
            } catch (SQLException e) {
                throw failed(registry.file, e);
            }
        }

        /**
         * Gives the rebuilt registry its revision, in the transaction of its rows, and records the
         * rebuild as its one commit. {@code revision} must exceed every revision the old registry
         * reached and every summary cached from it: a rebuilt registry that began again at 0 would
         * sooner or later reach the revision of a cached summary of the old rows, and status would
         * serve that summary as current.
         */
        public void seed(long revision, CommitNote note) {
            if (revision < 1) {
                throw new IllegalArgumentException("a rebuilt registry's revision must be positive: " + revision);
            }
            try (PreparedStatement ps = registry.conn.prepareStatement(
                    "UPDATE registry_state SET revision = ? WHERE id = 1")) {
                ps.setLong(1, revision - 1);
                ps.executeUpdate();
                registry.recordCommit(Instant.now().toString(), note);
            } catch (SQLException e) {
                throw failed(registry.file, e);
            }
        }

        /**
         * Commits the rows and leaves the file in rollback-journal mode, its write-ahead log
         * checkpointed and gone: renamed into place, it must not need a {@code -wal} file that
         * would stay behind under the temporary name. The first writer to open it turns WAL on.
         */
        public void finish() {
            try {
                registry.conn.commit();
                registry.conn.setAutoCommit(true);
                try (Statement s = registry.conn.createStatement();
                     ResultSet rs = s.executeQuery("PRAGMA journal_mode=DELETE")) {
                    String mode = rs.next() ? rs.getString(1) : "unknown";
                    if (!"delete".equalsIgnoreCase(mode)) {
                        throw new KbException(KbException.Kind.KB_UNUSABLE, "the rebuilt registry " + registry.file
                                + " stays in journal mode '" + mode + "'; nothing was replaced");
                    }
                }
                finished = true;
            } catch (SQLException e) {
                throw failed(registry.file, e);
            } finally {
                registry.close();
            }
        }

        /** Without {@link #finish}: the transaction is dropped and the file is left for the caller to remove. */
        @Override
        public void close() {
            if (!finished) {
                try {
                    registry.conn.rollback();
                } catch (SQLException ignored) {
                    // nothing was committed; closing drops it all the same
                }
                registry.close();
            }
        }

        private static KbException failed(Path file, SQLException e) {
            return new KbException(KbException.Kind.KB_UNUSABLE, "cannot write the rebuilt registry " + file + ": "
                    + Causes.oneLine(e) + "; nothing was replaced", e);
        }
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException ignored) {
            // nothing is pending on a connection outside a transaction
        }
    }
}
