package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a machine without moto_server, the function's tests and CI say so in one line that names what to
 * install, where a user reads first: the last lines of Surefire's summary, and .ci/run's stderr.
 * (bin/local's line: {@link RunLocalCommandTest}.) Without anything that runs native-image, the native
 * build says so in a line of its own before Maven's failure.
 */
class MissingToolsTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    private static final String MISSING = "no moto_server on PATH, in ~/.local/bin or in pyenv's versions (PYENV_ROOT"
            + " or ~/.pyenv): install it (pip install 'moto[server]'), set MOTO_SERVER to its path, or set"
            + " DYNAMODB_ENDPOINT to a running DynamoDB-compatible server";

    @TempDir
    Path tmp;

    @Test
    void theFunctionsTestsSayWhatToInstallInSurefiresSummary() throws Exception {
        String out = run(300, copyOfTheFunction(), "./mvnw", "-B", "test", "-Dtest=DisconnectHandlerTest");
        List<String> summary = out.lines().dropWhile(line -> !line.contains("Results:")).toList();
        assertTrue(summary.contains("[ERROR]   DisconnectHandlerTest » SetupFailure " + MISSING), String.join("\n", summary));
        assertFalse(summary.stream().anyMatch(line -> line.contains("InvocationTargetException")), String.join("\n", summary));
    }

    @Test
    void ciStopsAtItsPrerequisitesWithTheSameLine() throws Exception {
        // .ci/run stops at its prerequisites, before it builds or writes anything.
        String out = run(120, PROJECT, ".ci/run");
        assertTrue(out.contains("\n.ci/run: " + MISSING + "\n"), out);
        assertFalse(out.contains("==== the function"), "CI went on without moto_server:\n" + out);
    }

    @Test
    void theNativeBuildSaysWhyItCannotRunInALineOfItsOwn() throws Exception {
        // The host build, whatever engine this machine has: the PATH below holds no native-image.
        String out = run(300, copyOfTheFunction(), "./mvnw", "-B", "package", "-Pnative", "-Dquarkus.native.container-build=false");
        List<String> lines = out.lines().toList();
        int why = lines.indexOf("[ERROR]      [echo] Cannot build the native image here: -Dquarkus.native.container-build=false"
                + " needs native-image on this host, and there is none in GRAALVM_HOME, JAVA_HOME or PATH. Install GraalVM or"
                + " Mandrel (set GRAALVM_HOME), build in Docker or Podman (drop that option), or use docker/build.sh; see"
                + " docs/deploy.md");
        assertTrue(why >= 0 && why < lines.indexOf("[INFO] BUILD FAILURE"), out);
        assertFalse(out.contains("Tests run:"), "the tests ran before the native build failed:\n" + out);
    }

    /**
     * The function's build in a folder of its own: the project's target/ may serve bin/local or an IDE meanwhile,
     * and its reports would keep these runs' deliberate failures.
     */
    private Path copyOfTheFunction() throws IOException {
        Path copy = tmp.resolve("project");
        for (String part : List.of("pom.xml", "mvnw", ".mvn", "src")) {
            copyTree(PROJECT.resolve(part), copy.resolve(part));
        }
        return copy;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** Runs {@code command} in {@code folder} without moto_server anywhere it is looked for; its output, both streams. */
    private String run(int seconds, Path folder, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out").toFile());
        Map<String, String> env = builder.environment();
        // Maven's wrapper stays where it is; the home, PATH and pyenv have no moto_server.
        env.putIfAbsent("MAVEN_USER_HOME", Path.of(System.getenv("HOME"), ".m2").toString());
        env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        for (String name : List.of("MOTO_SERVER", "DYNAMODB_ENDPOINT", "PYENV_ROOT", "PYENV_VERSION", "GRAALVM_HOME")) {
            env.remove(name);
        }
        Process process = builder.start();
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", command) + " ended");
        String out = Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), out);
        return out;
    }
}
