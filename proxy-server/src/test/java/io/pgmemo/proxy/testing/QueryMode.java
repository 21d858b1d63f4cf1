package io.pgmemo.proxy.testing;

import java.util.Properties;

/** How pgjdbc talks to the server. */
public enum QueryMode {
    /** Every statement as a simple Query message, text results. */
    SIMPLE("preferQueryMode", "simple"),
    /** Parse/Bind/Execute on unnamed statements, text results (pgjdbc's default until prepareThreshold). */
    EXTENDED("preferQueryMode", "extended"),
    /** Named server-prepared statements from the first execution, binary results where pgjdbc can. */
    EXTENDED_BINARY("preferQueryMode", "extended", "prepareThreshold", "-1", "binaryTransfer", "true");

    private final String[] properties;

    QueryMode(String... properties) {
        this.properties = properties;
    }

    public Properties properties() {
        return PgEnvironment.props(properties);
    }
}
