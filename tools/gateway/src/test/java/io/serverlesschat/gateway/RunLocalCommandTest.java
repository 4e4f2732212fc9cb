package io.serverlesschat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bin/local's expected start-up failures, as a user meets them (the command in its own JVM): one line
 * on stderr that names the cause and the option or variable that fixes it, nothing else, and a
 * non-zero exit status.
 */
class RunLocalCommandTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    record Result(int status, List<String> out, List<String> err) {
    }

    @Test
    void anUnknownOptionIsAUsageError() throws Exception {
        Result result = run(PROJECT, Map.of(), "--bogus");
        assertOneLine(result, 2, "bin/local: unknown option --bogus (bin/local --help lists the options)");
    }

    @ParameterizedTest
    @CsvSource({"--port, the WebSocket gateway", "--dynamodb-port, the local DynamoDB", "--dev-port, Quarkus dev mode"})
    void aTakenPortNamesItsOption(String option, String what) throws Exception {
        try (ServerSocket taken = takenPort()) {
            List<String> args = new ArrayList<>(List.of("--port", "0", "--dynamodb-port", "0", "--dev-port", "0"));
            args.set(args.indexOf(option) + 1, port(taken));
            Result result = run(PROJECT, Map.of(), args.toArray(String[]::new));
            assertOneLine(result, 1, "bin/local: port " + port(taken) + " (" + what + ") is taken: stop what listens"
                    + " there, or choose another with " + option + " PORT (0 picks a free one)");
        }
    }

    @Test
    void aDeadDynamoDbEndpointIsNamedWithItsVariable() throws Exception {
        String endpoint = "http://127.0.0.1:" + freePort();
        Result result = run(PROJECT, Map.of("DYNAMODB_ENDPOINT", endpoint), "--function", "zip", "--port", "0");
        assertOneLine(result, 1, "bin/local: no DynamoDB answers at " + endpoint + " (DYNAMODB_ENDPOINT): start it there,"
                + " or unset DYNAMODB_ENDPOINT to have a moto_server started for you");
    }

    @Test
    void noMotoServerSaysWhatToInstall() throws Exception {
        // A PATH without moto_server and a home without ~/.local/bin or ~/.pyenv.
        Result result = run(PROJECT, Map.of("PATH", "/usr/bin:/bin", "HOME", tmp.toString(), "MOTO_SERVER", ""),
                "--function", "zip", "--port", "0", "--dynamodb-port", "0");
        assertOneLine(result, 1, "bin/local: no moto_server on PATH, in ~/.local/bin or in ~/.pyenv: install it"
                + " (pip install 'moto[server]'), set MOTO_SERVER to its path, or set DYNAMODB_ENDPOINT to a running"
                + " DynamoDB-compatible server");
    }

    @Test
    void noNativeZipSaysHowToBuildOne() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.copy(PROJECT.resolve("sam.native.yaml"), project.resolve("sam.native.yaml"));
        Result result = run(project, Map.of(), "--function", "native", "--port", "0", "--dynamodb-port", "0");
        assertOneLine(result, 1, "bin/local: --function native needs a native target/function.zip, and there is none:"
                + " build it with ./mvnw package -Pnative or docker/build.sh (docs/deploy.md)");
    }

    private static void assertOneLine(Result result, int status, String line) {
        assertEquals(List.of(line), result.err(), "stderr");
        assertEquals(List.of(), result.out(), "stdout");
        assertEquals(status, result.status(), "exit status");
    }

    /** Runs bin/local's main class as bin/local does, in its own JVM, with {@code env} on top of this one's. */
    private Result run(Path project, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dproject.dir=" + project, RunLocal.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile());
        builder.environment().remove("DYNAMODB_ENDPOINT");
        env.forEach((name, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process process = builder.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "bin/local ended");
        return new Result(process.exitValue(), Files.readAllLines(tmp.resolve("out"), StandardCharsets.UTF_8),
                Files.readAllLines(tmp.resolve("err"), StandardCharsets.UTF_8));
    }

    private static ServerSocket takenPort() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static String port(ServerSocket socket) {
        return Integer.toString(socket.getLocalPort());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
