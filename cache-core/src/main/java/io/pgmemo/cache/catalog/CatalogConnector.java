package io.pgmemo.cache.catalog;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a pgjdbc connection to the upstream database whose catalog is looked up. */
@FunctionalInterface
public interface CatalogConnector {

    Connection connect() throws SQLException;
}
