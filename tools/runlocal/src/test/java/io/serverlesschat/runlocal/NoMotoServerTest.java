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
 * (bin/local's line: {@link RunLocalCommandTest}.)
 */
class NoMotoServerTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    private static final String MISSING = "no moto_server on PATH, in ~/.local/bin or in pyenv's versions (PYENV_ROOT"
            + " or ~/.pyenv): install it (pip install 'moto[server]'), set MOTO_SERVER to its path, or set"
            + " DYNAMODB_ENDPOINT to a running DynamoDB-compatible server";

    @TempDir
    Path tmp;

    @Test
    void theFunctionsTestsSayWhatToInstallInSurefiresSummary() throws Exception {
        String out = run(300, "./mvnw", "-B", "test", "-Dtest=DisconnectHandlerTest", "-Dsurefire.reportsDirectory=" + tmp.resolve("reports"));
        List<String> summary = out.lines().dropWhile(line -> !line.contains("Results:")).toList();
        assertTrue(summary.contains("[ERROR]   DisconnectHandlerTest » SetupFailure " + MISSING), String.join("\n", summary));
        assertFalse(summary.stream().anyMatch(line -> line.contains("InvocationTargetException")), String.join("\n", summary));
    }

    @Test
    void ciStopsAtItsPrerequisitesWithTheSameLine() throws Exception {
        String out = run(120, ".ci/run");
        assertTrue(out.contains("\n.ci/run: " + MISSING + "\n"), out);
        assertFalse(out.contains("==== the function"), "CI went on without moto_server:\n" + out);
    }

    /** Runs {@code command} in the project without moto_server anywhere it is looked for; its output, both streams. */
    private String run(int seconds, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out").toFile());
        Map<String, String> env = builder.environment();
        // Maven's wrapper stays where it is; the home, PATH and pyenv have no moto_server.
        env.putIfAbsent("MAVEN_USER_HOME", Path.of(System.getenv("HOME"), ".m2").toString());
        env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        for (String name : List.of("MOTO_SERVER", "DYNAMODB_ENDPOINT", "PYENV_ROOT", "PYENV_VERSION")) {
            env.remove(name);
        }
        Process process = builder.start();
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", command) + " ended");
        String out = Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), out);
        return out;
    }
}
