package io.pgmemo.cache.sql;

import java.util.Objects;

/**
 * A possibly schema-qualified name as PostgreSQL would look it up: folded unless quoted, truncated to
 * 63 bytes.
 *
 * @param schema the schema, or null for an unqualified name (resolved through search_path)
 * @param name   the object name
 */
public record QualifiedName(String schema, String name) {

    public QualifiedName {
        Objects.requireNonNull(name, "name");
    }

    public static QualifiedName unqualified(String name) {
        return new QualifiedName(null, name);
    }

    public boolean isQualified() {
        return schema != null;
    }

    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }
}
