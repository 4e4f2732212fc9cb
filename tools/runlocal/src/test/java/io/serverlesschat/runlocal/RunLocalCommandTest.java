package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
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

    /** A PATH without moto_server (but with this JDK's java), no pyenv, and a home without ~/.local/bin or ~/.pyenv. */
    private static final Map<String, String> NO_MOTO = Map.of("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin",
            "HOME", "/nonexistent", "MOTO_SERVER", "", "PYENV_ROOT", "", "PYENV_VERSION", "");

    private static final String MISSING_MOTO = "no moto_server on PATH, in ~/.local/bin or in pyenv's versions (PYENV_ROOT"
            + " or ~/.pyenv): install it (pip install 'moto[server]'), set MOTO_SERVER to its path, or set"
            + " DYNAMODB_ENDPOINT to a running DynamoDB-compatible server";

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
    void aTakenIssuerPortNamesItsOption() throws Exception {
        try (ServerSocket taken = takenPort()) {
            Result result = run(PROJECT, Map.of(), "--port", "0", "--dynamodb-port", "0", "--dev-port", "0",
                    "--parameter", "ConnectAuthorization=JWT", "--issuer-port", port(taken));
            assertOneLine(result, 1, "bin/local: port " + port(taken) + " (the local token issuer) is taken: stop what listens"
                    + " there, or choose another with --issuer-port PORT (0 picks a free one)");
        }
    }

    /** The local issuer's port is checked with the others, before anything starts, and named in the same line. */
    @Test
    void aTakenIssuerPortIsNamedWithTheOtherTakenPorts() throws Exception {
        try (ServerSocket gateway = takenPort(); ServerSocket issuer = takenPort()) {
            Result result = run(PROJECT, Map.of(), "--port", port(gateway), "--dynamodb-port", "0", "--dev-port", "0",
                    "--parameter", "ConnectAuthorization=JWT", "--issuer-port", port(issuer));
            assertOneLine(result, 1, "bin/local: ports " + port(gateway) + " (the WebSocket gateway) and " + port(issuer)
                    + " (the local token issuer) are taken: stop what listens there, or choose others with --port PORT and"
                    + " --issuer-port PORT (0 picks a free one)");
        }
    }

    @Test
    void everyTakenPortIsNamedInOneLine() throws Exception {
        try (ServerSocket gateway = takenPort(); ServerSocket dynamo = takenPort(); ServerSocket dev = takenPort()) {
            Result result = run(PROJECT, Map.of(), "--port", port(gateway), "--dynamodb-port", port(dynamo), "--dev-port", port(dev));
            assertOneLine(result, 1, "bin/local: ports " + port(gateway) + " (the WebSocket gateway), " + port(dynamo)
                    + " (the local DynamoDB) and " + port(dev) + " (Quarkus dev mode) are taken: stop what listens there, or"
                    + " choose others with --port PORT, --dynamodb-port PORT and --dev-port PORT (0 picks a free one)");
        }
    }

    /** Before, the template took the value, dev mode printed a 45-line stack trace, then Ready., then every handshake hung. */
    @Test
    void aParameterValueTheTemplateRefusesStopsItBeforeAnythingIsBuilt() throws Exception {
        Result result = run(PROJECT, Map.of(), "--port", "0", "--dynamodb-port", "0", "--dev-port", "0",
                "--parameter", "AllowedOrigins=chat.example.com");
        assertOneLine(result, 2, "bin/local: --parameter AllowedOrigins=chat.example.com is refused by sam.native.yaml:"
                + " comma-separated origins, scheme://host[:port], e.g. https://chat.example.com");
    }

    /** --template (or SAM CLI's -t) that names no file, a folder, or no template: one line, exit 2, nothing started. */
    @Test
    void aTemplateThatIsNotThereOrNotATemplateIsAUsageError() throws Exception {
        Path missing = tmp.resolve("my-api.yaml");
        assertOneLine(run(PROJECT, Map.of(), "--template", missing.toString()), 2,
                "bin/local: --template " + missing + ": no such file (bin/local --help lists the options)");
        assertOneLine(run(PROJECT, Map.of(), "-t", tmp.toString()), 2,
                "bin/local: -t takes a template file, and " + tmp + " is a folder (bin/local --help lists the options)");

        Files.writeString(missing, "Resources: [this is not: valid");
        Result notYaml = run(PROJECT, Map.of(), "-t", missing.toString(), "--port", "0", "--dynamodb-port", "0");
        assertEquals(2, notYaml.status(), notYaml.toString());
        assertEquals(1, notYaml.err().size(), notYaml.toString());
        assertTrue(notYaml.err().get(0).startsWith("bin/local: my-api.yaml is not a template bin/local can read: "), notYaml.toString());

        Files.writeString(missing, "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n");
        assertOneLine(run(PROJECT, Map.of(), "--template", missing.toString(), "--port", "0", "--dynamodb-port", "0"), 2,
                "bin/local: my-api.yaml: no AWS::ApiGatewayV2::Route (bin/local runs WebSocket APIs)");
    }

    /** --parameter is checked against the template bin/local runs, which the message names. */
    @Test
    void aParameterIsCheckedAgainstTheTemplateGiven() throws Exception {
        Path template = tmp.resolve("my-api.yaml");
        Files.copy(Path.of("src/test/resources/message-routes-template.yaml"), template);
        assertOneLine(run(PROJECT, Map.of(), "--template", template.toString(), "--parameter", "AllowedOrigins=https://chat.example.com"), 2,
                "bin/local: my-api.yaml has no parameter AllowedOrigins (it has none)");
    }

    /**
     * A value the template allows but the function refuses at start-up (a port above 65535): one line with the
     * function's own message and the parameter behind it, no Ready. Before, a stack trace, then Ready.
     */
    @ParameterizedTest
    @CsvSource({"zip, OnConnectFunction-1", "dev, OnConnectFunction-dev"})
    void aFunctionThatFailsItsInitStopsItInOneLine(String mode, String log) throws Exception {
        Result result = run(PROJECT, Map.of(), "--function", mode, "--port", "0", "--dynamodb-port", "0", "--dev-port", "0",
                "--parameter", "AllowedOrigins=https://chat.example.com:99999");
        assertEquals(List.of("bin/local: OnConnectFunction failed its init: ALLOWED_ORIGINS: \"https://chat.example.com:99999\""
                + " is not an origin (scheme://host[:port], e.g. https://chat.example.com); ALLOWED_ORIGINS is --parameter"
                + " AllowedOrigins: give it a value the function accepts (its output: target/local/logs/" + log + ".log)"),
                result.err(), "stderr");
        assertEquals(1, result.status(), "exit status");
        assertTrue(result.out().stream().noneMatch(line -> line.contains("Ready.") || line.contains("\tat ")
                || line.contains("Exception")), "no Ready., no stack trace: " + result.out());
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
        Result result = run(PROJECT, NO_MOTO, "--function", "zip", "--port", "0", "--dynamodb-port", "0");
        assertOneLine(result, 1, "bin/local: " + MISSING_MOTO);
    }

    /** The script looks for moto_server before it builds the tools (a minute on a first run), with the same lookup. */
    @Test
    void theScriptStopsWithoutMotoServerBeforeItBuildsAnything() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        for (String file : List.of("bin/local", "src/localdev/java/io/serverlesschat/localdev/MotoServer.java")) {
            Files.createDirectories(project.resolve(file).getParent());
            Files.copy(PROJECT.resolve(file), project.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        // A Maven wrapper that only records that a build was asked for; the tools' jar is missing, so one would be.
        Files.writeString(project.resolve("mvnw"), "#!/bin/sh\ntouch \"$(dirname \"$0\")/built\"\nexit 1\n");
        Files.setPosixFilePermissions(project.resolve("mvnw"), PosixFilePermissions.fromString("rwxr-xr-x"));

        Result result = script(project, NO_MOTO);
        assertOneLine(result, 1, "bin/local: " + MISSING_MOTO);
        assertFalse(Files.exists(project.resolve("built")), "the tools were built before moto_server was looked for");

        Path moto = Files.writeString(tmp.resolve("moto_server"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(moto, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> withMoto = new HashMap<>(NO_MOTO);
        withMoto.put("MOTO_SERVER", moto.toString());
        assertEquals(1, script(project, withMoto).status());
        assertTrue(Files.exists(project.resolve("built")), "with moto_server, the script goes on to build the tools");
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
                "-cp", System.getProperty("java.class.path"), "-Dproject.dir=" + project, LocalCommand.class.getName()));
        command.addAll(List.of(args));
        return run(command, env);
    }

    /** Runs the bin/local script of {@code project}, with {@code env} on top of this process' environment. */
    private Result script(Path project, Map<String, String> env) throws IOException, InterruptedException {
        return run(List.of(project.resolve("bin/local").toString(), "--port", "0"), env);
    }

    private Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
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
        if (!process.waitFor(600, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("bin/local did not end within 600 s");
        }
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
