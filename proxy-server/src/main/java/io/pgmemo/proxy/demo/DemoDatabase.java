package io.pgmemo.proxy.demo;

import java.io.IOException;

/**
 * The embedded PostgreSQL of {@code pgmemo demo}, with its sample database, as the server sees it.
 * pgmemo.jar holds only this contract; the implementation and the PostgreSQL binaries are in
 * pgmemo-demo.jar (the demo module), which {@link DemoJar} loads.
 */
public interface DemoDatabase extends AutoCloseable {

    /** The sample database's name. */
    String DATABASE = "demo";

    /** The port PostgreSQL listens on, on 127.0.0.1. */
    int port();

    /** Stops PostgreSQL. */
    @Override
    void close() throws IOException;

    /** Starts a demo database; pgmemo-demo.jar names its implementation in META-INF/services. */
    interface Starter {
        /** Starts PostgreSQL on {@code port} (0 = any free port) and creates the sample database. */
        DemoDatabase start(int port) throws Exception;
    }
}
