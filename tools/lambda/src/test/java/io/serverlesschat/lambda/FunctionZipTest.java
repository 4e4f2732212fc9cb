package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionZipTest {

    @TempDir
    Path dir;

    private Path zip(String name, String... entries) throws IOException {
        Path zip = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            for (String entry : entries) {
                out.putNextEntry(new ZipEntry(entry));
                out.write(("content of " + entry).getBytes());
                out.closeEntry();
            }
        }
        return zip;
    }

    @Test
    void aZipWithBootstrapIsNativeAndUnpacksExecutable() throws IOException {
        FunctionZip zip = FunctionZip.open(zip("native.zip", "bootstrap"));
        assertEquals(FunctionZip.Kind.NATIVE, zip.kind());
        Path root = zip.unpack(dir.resolve("task"));
        assertTrue(Files.isExecutable(root.resolve("bootstrap")));
    }

    @Test
    void aZipWithClassesAndLibJarsIsJvm() throws IOException {
        FunctionZip zip = FunctionZip.open(zip("jvm.zip", "io/App.class", "lib/a.jar", "lib/b.jar"));
        assertEquals(FunctionZip.Kind.JVM, zip.kind());
        Path root = zip.unpack(dir.resolve("task"));
        assertEquals("content of lib/b.jar", Files.readString(root.resolve("lib/b.jar")));
        assertEquals("content of io/App.class", Files.readString(root.resolve("io/App.class")));
    }

    @Test
    void unpackingAgainReplacesWhatAnotherZipLeft() throws IOException {
        Path task = dir.resolve("task");
        FunctionZip.open(zip("one.zip", "lib/old.jar")).unpack(task);
        FunctionZip.open(zip("two.zip", "lib/new.jar")).unpack(task);
        assertTrue(Files.exists(task.resolve("lib/new.jar")));
        assertTrue(Files.notExists(task.resolve("lib/old.jar")));
    }

    @Test
    void anythingElseIsRefused() throws IOException {
        Path other = zip("other.zip", "README.md");
        assertThrows(IllegalArgumentException.class, () -> FunctionZip.open(other));
        assertThrows(IllegalArgumentException.class, () -> FunctionZip.open(dir.resolve("missing.zip")));
    }

    @Test
    void entriesOutsideTheTaskRootAreRefused() throws IOException {
        FunctionZip zip = FunctionZip.open(zip("evil.zip", "lib/a.jar", "../escaped"));
        assertThrows(RuntimeException.class, () -> zip.unpack(dir.resolve("task")));
        assertTrue(Files.notExists(dir.resolve("escaped")));
    }
}
