package io.pgmemo.proxy.demo;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the demo's {@link DemoDatabase.Starter}: on the class path when the demo module is there (its
 * tests, an IDE), else in pgmemo-demo.jar, by default the file next to pgmemo.jar, where the build
 * puts it. The jar gets its own class loader whose parent is pgmemo's, so the classes both have
 * (SLF4J, the PostgreSQL driver) are pgmemo's and the demo's logging follows pgmemo's set-up.
 */
public final class DemoJar {

    /** The demo jar's file name, as the build writes it beside pgmemo.jar. */
    public static final String FILE_NAME = "pgmemo-demo.jar";

    private DemoJar() {
    }

    /** Where pgmemo-demo.jar is expected: beside the jar (or classes directory) pgmemo runs from. */
    public static Path besideServer() {
        CodeSource source = DemoJar.class.getProtectionDomain().getCodeSource();
        try {
            Path self = Path.of(source.getLocation().toURI()).toAbsolutePath();
            return self.resolveSibling(FILE_NAME);
        } catch (URISyntaxException | RuntimeException e) { // no code source, or not a file
            return Path.of(FILE_NAME).toAbsolutePath();
        }
    }

    /**
     * The starter on the class path, else the one in {@code jar}.
     *
     * @throws NoSuchFileException when it is on neither (the message names {@code jar})
     */
    public static DemoDatabase.Starter load(Path jar) throws IOException {
        Optional<DemoDatabase.Starter> onClassPath = find(DemoJar.class.getClassLoader());
        if (onClassPath.isPresent()) {
            return onClassPath.get();
        }
        if (!Files.isRegularFile(jar)) {
            throw new NoSuchFileException(jar.toAbsolutePath().toString());
        }
        // Never closed: the demo's classes are in use until the process exits.
        URLClassLoader loader = new URLClassLoader("pgmemo-demo", new URL[] {url(jar)}, DemoJar.class.getClassLoader());
        return find(loader).orElseThrow(() -> new IOException(jar.toAbsolutePath() + " is not a pgmemo demo jar (no "
                + DemoDatabase.Starter.class.getName() + " in META-INF/services)"));
    }

    private static Optional<DemoDatabase.Starter> find(ClassLoader loader) {
        return ServiceLoader.load(DemoDatabase.Starter.class, loader).findFirst();
    }

    private static URL url(Path jar) throws MalformedURLException {
        return jar.toAbsolutePath().toUri().toURL();
    }
}
