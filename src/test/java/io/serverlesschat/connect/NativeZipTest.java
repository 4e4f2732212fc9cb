package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker behind NativeZipIT, proved here on zips made from a real ELF program (this JVM's own
 * launcher) because no native image can be built on every machine that runs the tests.
 */
class NativeZipTest {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final String HOST = System.getProperty("os.arch").equals("aarch64") ? "arm64" : "x86_64";

    @TempDir
    Path dir;

    @Test
    void readsTheMachineAndGlibcNeedsOfAnElfBootstrap() throws IOException {
        NativeZip zip = NativeZip.read(zip(Map.of("bootstrap", "rwxr-xr-x")));
        assertEquals(List.of("bootstrap"), zip.files());
        assertEquals(Files.size(JAVA), zip.unzippedBytes());
        assertEquals(HOST, zip.bootstrap().architecture());
        // x86_64's glibc baseline is 2.2.5, aarch64's 2.17: any dynamically linked program needs one.
        assertTrue(zip.bootstrap().glibcVersions().stream().anyMatch(v -> v.equals("GLIBC_2.2.5") || v.equals("GLIBC_2.17")),
                () -> "glibc needs read: " + zip.bootstrap().glibcVersions());
    }

    @Test
    void acceptsAnExecutableBootstrapAloneForItsOwnArchitecture() throws IOException {
        NativeZip zip = NativeZip.read(zip(Map.of("bootstrap", "rwxr-xr-x")));
        // This JVM's launcher may need a newer glibc than Amazon Linux 2 has; that is checked below.
        assertEquals(List.of(), zip.problems(HOST, "provided.al2023").stream().filter(p -> !p.contains("glibc")).toList());
    }

    @Test
    void reportsWhatWouldStopTheCustomRuntime() throws IOException {
        String other = HOST.equals("x86_64") ? "arm64" : "x86_64";
        List<String> problems = NativeZip.read(zip(Map.of("bootstrap", "rw-r--r--", "cacerts", "rw-r--r--")))
                .problems(other, "provided.al2023");
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("only bootstrap belongs")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("bootstrap is not readable and executable")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.equals("bootstrap is built for " + HOST + ", the function runs on " + other)),
                problems::toString);
    }

    @Test
    void reportsABootstrapThatIsNotAtTheRoot() throws IOException {
        NativeZip zip = NativeZip.read(zip(Map.of("target/bootstrap", "rwxr-xr-x")));
        assertNull(zip.bootstrap());
        assertFalse(zip.hasBootstrap());
        assertEquals(List.of("no executable named bootstrap at the root of the zip (files: [target/bootstrap])"),
                zip.problems("x86_64", "provided.al2"));
    }

    @Test
    void comparesGlibcNeedsWithTheRuntimes() {
        Set<String> ubi8 = Set.of("GLIBC_2.2.5", "GLIBC_2.14", "GLIBC_2.17");
        Set<String> ubi9 = Set.of("GLIBC_2.2.5", "GLIBC_2.32", "GLIBC_2.34");
        assertEquals(List.of(), NativeZip.tooNew(ubi8, NativeZip.RUNTIME_GLIBC.get("provided.al2")));
        assertEquals(Set.of("GLIBC_2.32", "GLIBC_2.34"), Set.copyOf(NativeZip.tooNew(ubi9, NativeZip.RUNTIME_GLIBC.get("provided.al2"))));
        assertEquals(List.of(), NativeZip.tooNew(ubi9, NativeZip.RUNTIME_GLIBC.get("provided.al2023")));
        assertEquals(List.of("GLIBC_ABI_DT_RELR"), NativeZip.tooNew(Set.of("GLIBC_ABI_DT_RELR"), "2.34"));
    }

    /** A zip holding this JVM's launcher under each given name, with the given Unix mode. */
    private Path zip(Map<String, String> entries) throws IOException {
        assumeTrue(isElf(JAVA), "the ELF checks need an ELF program to read; " + JAVA + " is not one (not Linux)");
        Path zip = dir.resolve("function.zip");
        Files.deleteIfExists(zip);
        try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("create", "true", "enablePosixFileAttributes", "true"))) {
            for (var entry : entries.entrySet()) {
                Path target = fs.getPath(entry.getKey());
                if (target.getParent() != null) {
                    Files.createDirectories(target.getParent());
                }
                Files.copy(JAVA, target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(entry.getValue()));
            }
        }
        return zip;
    }

    private static boolean isElf(Path file) throws IOException {
        byte[] head = new byte[4];
        try (var in = Files.newInputStream(file)) {
            return in.read(head) == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        }
    }
}
