package io.pgmemo.cache.catalog;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a pgjdbc connection to the test database whose catalog is looked up. */
@FunctionalInterface
interface CatalogConnector {

    Connection connect() throws SQLException;
}
