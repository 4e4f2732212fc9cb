package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The native target/function.zip as Lambda's custom runtime expects it (see {@link NativeZip}). Failsafe
 * runs this right after the zip is written: in the package phase of a native build (-Pnative, and in
 * docker/), in the integration-test phase otherwise. A JVM build's zip has no bootstrap to check, so
 * there this test is SKIPPED, and says so.
 *
 * <p>
 * The function's settings default to sam.native.yaml's: {@code -Dlambda.architecture=arm64} and
 * {@code -Dlambda.runtime=provided.al2023} check a zip meant for the other choices. The default build passes
 * {@code native.libc=musl}: then the bootstrap must be statically linked; -Pglibc passes {@code glibc}.
 */
class NativeZipIT {

    private static final Path ZIP = Path.of(System.getProperty("function.zip", "target/function.zip"));
    private static final boolean NATIVE_BUILD = Boolean.getBoolean("quarkus.native.enabled");
    private static final String ARCHITECTURE = System.getProperty("lambda.architecture", "x86_64");
    private static final String RUNTIME = System.getProperty("lambda.runtime", "provided.al2");
    private static final boolean STATIC_BUILD = "musl".equals(System.getProperty("native.libc"));

    @Test
    void functionZipIsWhatTheCustomRuntimeExpects() throws IOException {
        NativeZip zip = Files.isRegularFile(ZIP) ? NativeZip.read(ZIP) : null;
        if (!NATIVE_BUILD && (zip == null || !zip.hasBootstrap())) {
            String why = "NativeZipIT SKIPPED: " + ZIP + " is not a native build, so the native zip's layout was NOT"
                    + " checked. It runs by itself after ./mvnw package -Pnative (or docker/build.sh).";
            System.out.println("\n*** " + why + " ***\n");
            Assumptions.abort(why);
        }
        assertTrue(zip != null, "a native build should have written " + ZIP);
        assertEquals("", String.join("\n", zip.problems(ARCHITECTURE, RUNTIME, STATIC_BUILD)),
                ZIP + " would not start on " + RUNTIME + " (" + ARCHITECTURE + ")");
        System.out.printf("NativeZipIT: %s is a native zip for %s on %s: bootstrap (%s), %d bytes unzipped, %s%n",
                ZIP, ARCHITECTURE, RUNTIME, zip.bootstrap().architecture(), zip.unzippedBytes(), zip.bootstrap().linkage());
    }
}
