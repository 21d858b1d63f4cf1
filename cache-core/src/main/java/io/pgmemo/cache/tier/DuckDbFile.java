package io.pgmemo.cache.tier;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DuckDB file of the persistent tier: exclusive ownership, opening (with a broken file set
 * aside and recreated), and compaction into a fresh file.
 *
 * <p>Ownership is a lock on a sidecar {@code <file>.lock} taken before DuckDB opens the file: DuckDB's
 * own lock is per process, so it does not stop a second open in the same JVM, which would corrupt it.
 */
final class DuckDbFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbFile.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DuckDbFile(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Takes ownership of the file.
     *
     * @throws CacheFileLockedException if another instance owns it
     * @throws IOException              if the lock file cannot be created
     */
    static DuckDbFile lock(Path path) throws IOException {
        Path absolute = path.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        FileChannel channel = FileChannel.open(sibling(absolute, ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new CacheFileLockedException(absolute, null);
            }
            return new DuckDbFile(absolute, channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new CacheFileLockedException(absolute, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** Opens the file; one that cannot be opened is set aside and a new one created. */
    EntryTable open() throws SQLException, IOException {
        try {
            return connect();
        } catch (SQLException e) {
            if (isLockConflict(e)) {
                throw new CacheFileLockedException(path, e);
            }
            LOG.warn("cache file {} cannot be opened ({}); setting it aside and starting empty", path, e.getMessage());
            setAside();
            return connect();
        }
    }

    /** Sets the file aside and opens a new, empty one. */
    EntryTable recreate() throws SQLException, IOException {
        setAside();
        return connect();
    }

    /** Copies the live rows into a fresh file that replaces this one; returns the reopened table. */
    EntryTable compact(EntryTable live) throws SQLException, IOException {
        Path fresh = sibling(path, ".compact");
        deleteWithWal(fresh);
        live.copyTo(fresh.toString());
        live.close();
        // The old file's WAL must not be replayed onto the new file; its content was copied.
        Files.deleteIfExists(sibling(path, ".wal"));
        Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return connect();
    }

    long diskBytes() {
        try {
            return Files.size(path) + (Files.exists(sibling(path, ".wal")) ? Files.size(sibling(path, ".wal")) : 0);
        } catch (IOException e) {
            return 0;
        }
    }

    private EntryTable connect() throws SQLException, IOException {
        deleteWithWal(sibling(path, ".compact")); // left by a compaction that was interrupted
        Properties props = new Properties();
        props.setProperty("threads", "1");
        props.setProperty("memory_limit", "512MB");
        Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path, props);
        try {
            return new EntryTable(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void setAside() throws IOException {
        Path aside = sibling(path, ".broken-" + STAMP.format(java.time.Instant.now()));
        if (Files.exists(path)) {
            Files.move(path, aside);
            LOG.warn("cache file {} set aside as {}", path, aside);
        }
        Path wal = sibling(path, ".wal");
        if (Files.exists(wal)) {
            Files.move(wal, sibling(aside, ".wal"));
        }
    }

    private static boolean isLockConflict(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("Could not set lock") || message.contains("Conflicting lock");
    }

    private static void deleteWithWal(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(sibling(file, ".wal"));
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /** Releases ownership; the DuckDB connection must be closed first. */
    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("cannot release lock of cache file {}: {}", path, e.toString());
        }
    }
}
