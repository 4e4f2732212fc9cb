package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Nothing only a developer needs ships: no class of src/localdev or src/dev (compiled with the function
 * so that dev mode can run them), not even their empty folders, and no provided-scope library is in the JVM
 * target/function.zip, nor a class of theirs in the jar a native build hands to native-image. A class missing from application.properties'
 * quarkus.package.jar.user-configured-ignored-entries fails here, by name.
 */
class FunctionZipIT {

    private static final Path TARGET = Path.of(System.getProperty("function.zip", "target/function.zip")).getParent();
    private static final List<String> DEVELOPER_PACKAGES = List.of("io/serverlesschat/dev/", "io/serverlesschat/localdev/");

    @Test
    void functionZipHoldsNoDeveloperCode() throws IOException {
        Path zip = TARGET.resolve("function.zip");
        assertTrue(Files.isRegularFile(zip), zip + " was built");
        assertEquals(List.of(), developerEntries(zip, true), () -> zip + " ships developer code: add each class (and its"
                + " folder) to quarkus.package.jar.user-configured-ignored-entries in application.properties");
    }

    @Test
    void theNativeImagesInputHoldsNoDeveloperCode() throws IOException {
        // Written by a native build only; a JVM build checks the same packaging in function.zip above.
        List<Path> nativeInputs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(TARGET)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().endsWith("-native-image-source-jar")).toList()) {
                try (Stream<Path> jars = Files.walk(dir)) {
                    jars.filter(j -> j.toString().endsWith(".jar")).forEach(nativeInputs::add);
                }
            }
        }
        if (nativeInputs.isEmpty()) {
            String why = "FunctionZipIT SKIPPED the native image's input: this was not a native build (see NativeZipIT).";
            System.out.println("\n*** " + why + " ***\n");
            Assumptions.abort(why);
        }
        List<String> found = new ArrayList<>();
        for (Path jar : nativeInputs) {
            // Empty folders of the developer packages may stay here: native-image finds no class in them.
            developerEntries(jar, false).forEach(e -> found.add(jar.getFileName() + "!" + e));
        }
        assertEquals(List.of(), found, "native-image would see developer code");
    }

    /** Entries of the developer packages (with or without their folders), and provided-scope jars (SnakeYAML). */
    private static List<String> developerEntries(Path archive, boolean folders) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            return Collections.list(zip.entries()).stream()
                    .filter(e -> folders || !e.isDirectory())
                    .map(ZipEntry::getName)
                    .filter(name -> DEVELOPER_PACKAGES.stream().anyMatch(name::startsWith) || name.contains("snakeyaml"))
                    .toList();
        }
    }
}
