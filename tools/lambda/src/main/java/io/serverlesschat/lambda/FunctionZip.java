package io.serverlesschat.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A Lambda deployment package (target/function.zip) and what kind it is: a native build has an
 * executable {@code bootstrap} at its root (the provided.al2/al2023 runtimes run it); a JVM build has the
 * application's classes at its root and its jars in {@code lib/} (the managed Java runtime loads both).
 * A root {@code ./mvnw package -Pnative} replaces the JVM zip with a native one, so always ask.
 */
public final class FunctionZip {

    public enum Kind {
        JVM, NATIVE
    }

    private final Path zip;
    private final Kind kind;

    private FunctionZip(Path zip, Kind kind) {
        this.zip = zip;
        this.kind = kind;
    }

    /** Reads the zip's entries to tell its kind; fails if it is neither. */
    public static FunctionZip open(Path zip) {
        if (!Files.isRegularFile(zip)) {
            throw new IllegalArgumentException(zip + " does not exist");
        }
        boolean bootstrap = false;
        boolean libJar = false;
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                bootstrap |= name.equals("bootstrap");
                libJar |= name.startsWith("lib/") && name.endsWith(".jar");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip, e);
        }
        if (bootstrap) {
            return new FunctionZip(zip, Kind.NATIVE);
        }
        if (libJar) {
            return new FunctionZip(zip, Kind.JVM);
        }
        throw new IllegalArgumentException(zip + " is not a Lambda package: no bootstrap and no lib/*.jar");
    }

    public Path path() {
        return zip;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Unpacks the zip into {@code dir} (emptied first) as Lambda unpacks it into /var/task, keeping
     * {@code bootstrap} executable. Reuses an unpacking of the same zip (same size and time).
     *
     * @return {@code dir}, the task root
     */
    public Path unpack(Path dir) {
        Path stamp = dir.resolve(".unpacked-from");
        String identity;
        try {
            identity = zip.toAbsolutePath() + " " + Files.size(zip) + " " + Files.getLastModifiedTime(zip).toMillis();
            if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(identity)) {
                return dir;
            }
            deleteTree(dir);
            Files.createDirectories(dir);
            try (ZipFile file = new ZipFile(zip.toFile())) {
                for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                    ZipEntry entry = entries.nextElement();
                    Path target = dir.resolve(entry.getName()).normalize();
                    if (!target.startsWith(dir)) {
                        throw new IOException("entry outside the package: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setLastModifiedTime(target, FileTime.fromMillis(entry.getTime()));
                }
            }
            Path bootstrap = dir.resolve("bootstrap");
            if (Files.isRegularFile(bootstrap) && !bootstrap.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + bootstrap + " executable");
            }
            Files.writeString(stamp, identity);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip + " into " + dir, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
