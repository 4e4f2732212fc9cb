package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker behind NativeZipIT, proved on zips holding ELF files built here byte by byte
 * ({@link ElfFixture}): a native image cannot be built on every machine that runs the tests.
 */
class NativeZipTest {

    private static final String GLIBC_LOADER = "/lib64/ld-linux-x86-64.so.2";
    /** What the UBI8 Mandrel builder's bootstrap asks for, in kind: glibc's loader, libc and a few libraries. */
    private static final byte[] GLIBC_BOOTSTRAP = ElfFixture.x86_64().interpreter(GLIBC_LOADER)
            .needs("libc.so.6", "libz.so.1", "libdl.so.2").glibcVersions("GLIBC_2.2.5", "GLIBC_2.14", "GLIBC_2.17").bytes();
    /** A --static --libc=musl bootstrap: no loader, no dynamic section. */
    private static final byte[] STATIC_BOOTSTRAP = ElfFixture.x86_64().bytes();

    @TempDir
    Path dir;

    @Test
    void readsTheLoaderLibrariesAndGlibcNeedsOfADynamicBootstrap() throws IOException {
        NativeZip zip = NativeZip.read(zip(Map.of("bootstrap", GLIBC_BOOTSTRAP)));
        assertEquals(List.of("bootstrap"), zip.files());
        assertEquals(GLIBC_BOOTSTRAP.length, zip.unzippedBytes());
        NativeZip.Bootstrap bootstrap = zip.bootstrap();
        assertEquals("x86_64", bootstrap.architecture());
        assertEquals(GLIBC_LOADER, bootstrap.interpreter());
        assertEquals(List.of("libc.so.6", "libz.so.1", "libdl.so.2"), bootstrap.libraries());
        assertEquals(Set.of("GLIBC_2.2.5", "GLIBC_2.14", "GLIBC_2.17"), bootstrap.glibcVersions());
        assertFalse(bootstrap.staticallyLinked());
        assertTrue(bootstrap.linkage().startsWith("dynamically linked: loader " + GLIBC_LOADER), bootstrap::linkage);
        assertEquals(List.of(), zip.problems("x86_64", "provided.al2", false));
        assertEquals(List.of(), zip.problems("x86_64", "provided.al2023", false));
    }

    @Test
    void recognisesAStaticallyLinkedBootstrap() throws IOException {
        NativeZip zip = NativeZip.read(zip(Map.of("bootstrap", STATIC_BOOTSTRAP)));
        NativeZip.Bootstrap bootstrap = zip.bootstrap();
        assertEquals("x86_64", bootstrap.architecture());
        assertNull(bootstrap.interpreter());
        assertEquals(List.of(), bootstrap.libraries());
        assertEquals(Set.of(), bootstrap.glibcVersions());
        assertTrue(bootstrap.staticallyLinked());
        assertEquals("statically linked: runs on any Linux runtime", bootstrap.linkage());
        for (String runtime : NativeZip.RUNTIME_GLIBC.keySet()) {
            assertEquals(List.of(), zip.problems("x86_64", runtime, true), runtime);
            assertEquals(List.of(), zip.problems("x86_64", runtime, false), runtime);
        }
    }

    @Test
    void aDynamicSectionWithoutLibrariesIsStillStatic() {
        // A static position-independent executable relocates itself: it has a dynamic section, but no
        // loader and no library.
        NativeZip.Bootstrap staticPie = NativeZip.elf(Set.of(), ElfFixture.x86_64().dynamicSectionOnly().bytes());
        assertEquals(List.of(), staticPie.libraries());
        assertTrue(staticPie.staticallyLinked());
    }

    @Test
    void failsABootstrapThatNeedsANewerGlibcThanTheRuntime() throws IOException {
        // Quarkus' default UBI9 builder: glibc 2.34 symbols, too new for Amazon Linux 2's 2.26.
        byte[] ubi9 = ElfFixture.x86_64().interpreter(GLIBC_LOADER).needs("libc.so.6").glibcVersions("GLIBC_2.2.5", "GLIBC_2.32", "GLIBC_2.34")
                .bytes();
        NativeZip zip = NativeZip.read(zip(Map.of("bootstrap", ubi9)));
        assertEquals(List.of("bootstrap needs [GLIBC_2.32, GLIBC_2.34] but provided.al2 has glibc 2.26"
                + " (built with a UBI9 or host toolchain? see application.properties)"), zip.problems("x86_64", "provided.al2", false));
        assertEquals(List.of(), zip.problems("x86_64", "provided.al2023", false));
    }

    @Test
    void failsADynamicBootstrapFromAStaticBuild() throws IOException {
        // -Pstatic whose --static --libc=musl never reached native-image: a glibc build, however fine otherwise.
        List<String> problems = NativeZip.read(zip(Map.of("bootstrap", GLIBC_BOOTSTRAP))).problems("x86_64", "provided.al2", true);
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("a static build (-Pstatic) made a bootstrap that is dynamically linked: loader "
                + GLIBC_LOADER), problems::toString);
    }

    @Test
    void failsALoaderThatAmazonLinuxDoesNotHave() throws IOException {
        // Dynamically linked against musl (built on Alpine, say): no GLIBC_ names at all, and still no start.
        byte[] muslDynamic = ElfFixture.x86_64().interpreter("/lib/ld-musl-x86_64.so.1").needs("libc.musl-x86_64.so.1").bytes();
        NativeZip zip = NativeZip.read(zip(Map.of("bootstrap", muslDynamic)));
        assertEquals(Set.of(), zip.bootstrap().glibcVersions());
        assertEquals(List.of("bootstrap asks for the loader /lib/ld-musl-x86_64.so.1, which Amazon Linux does not have"
                + " (its loader is " + GLIBC_LOADER + ")"), zip.problems("x86_64", "provided.al2023", false));
        byte[] arm64 = ElfFixture.arm64().interpreter("/lib/ld-linux-aarch64.so.1").needs("libc.so.6").glibcVersions("GLIBC_2.17").bytes();
        assertEquals(List.of(), NativeZip.read(zip(Map.of("bootstrap", arm64))).problems("arm64", "provided.al2", false));
    }

    @Test
    void reportsWhatWouldStopTheCustomRuntime() throws IOException {
        List<String> problems = NativeZip.read(zip(Map.of("bootstrap", STATIC_BOOTSTRAP, "cacerts", new byte[] { 1 }), "rw-r--r--"))
                .problems("arm64", "provided.al2023", false);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("only bootstrap belongs")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("bootstrap is not readable and executable")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.equals("bootstrap is built for x86_64, the function runs on arm64")),
                problems::toString);
    }

    @Test
    void reportsABootstrapThatIsNotAnElfExecutable() throws IOException {
        byte[] script = "#!/bin/sh\nexec ./runner\n".getBytes();
        byte[] truncated = Arrays.copyOf(GLIBC_BOOTSTRAP, 200); // headers promise what the file no longer holds
        for (byte[] content : List.of(script, truncated)) {
            NativeZip zip = NativeZip.read(zip(Map.of("bootstrap", content)));
            assertNull(zip.bootstrap().architecture());
            assertFalse(zip.bootstrap().staticallyLinked());
            assertEquals(List.of("bootstrap is not a 64-bit ELF executable"), zip.problems("x86_64", "provided.al2", true));
        }
    }

    @Test
    void reportsABootstrapThatIsNotAtTheRoot() throws IOException {
        NativeZip zip = NativeZip.read(zip(Map.of("target/bootstrap", STATIC_BOOTSTRAP)));
        assertNull(zip.bootstrap());
        assertFalse(zip.hasBootstrap());
        assertEquals(List.of("no executable named bootstrap at the root of the zip (files: [target/bootstrap])"),
                zip.problems("x86_64", "provided.al2", false));
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

    private Path zip(Map<String, byte[]> entries) throws IOException {
        return zip(entries, "rwxr-xr-x");
    }

    /** A zip holding each given file with the given Unix mode. */
    private Path zip(Map<String, byte[]> entries, String mode) throws IOException {
        Path zip = dir.resolve("function.zip");
        Files.deleteIfExists(zip);
        try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("create", "true", "enablePosixFileAttributes", "true"))) {
            for (var entry : entries.entrySet()) {
                Path target = fs.getPath(entry.getKey());
                if (target.getParent() != null) {
                    Files.createDirectories(target.getParent());
                }
                Files.write(target, entry.getValue());
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(mode));
            }
        }
        return zip;
    }
}
