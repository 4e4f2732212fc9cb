package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.localdev.LocalDynamoDb;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The plain {@code ./mvnw quarkus:dev} of docs/local.md, with nothing else started: dev mode asks no question
 * (Quarkus' analytics prompt, whose unanswered time-out leaves Ctrl-C swallowed, is off in .mvn/jvm.config),
 * starts moto_server at its DynamoDB endpoint, creates the table, records a posted $connect, and stops moto
 * when it ends. (A free port stands in for the default http://localhost:5000, which may be taken here.)
 */
class DevModeTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void devModeAloneStartsMotoCreatesTheTableAndRecordsAConnection() throws Exception {
        URI endpoint = URI.create("http://localhost:" + freePort());
        int devPort = freePort();
        Path output = tmp.resolve("dev-mode.log");
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("mvnw").toString(), "-B", "-q", "quarkus:dev",
                "-Dquarkus.lambda.mock-event-server.dev-port=" + devPort, "-Ddebug=false", "-Dquarkus.console.enabled=false"));
        // Maven's user.home is a new folder, so that no answer given on this machine before can hide the analytics
        // prompt; the local repository and the user's settings stay the same.
        Path userSettings = Path.of(System.getProperty("user.home"), ".m2", "settings.xml");
        if (Files.exists(userSettings)) {
            command.addAll(List.of("-s", userSettings.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("DYNAMODB_ENDPOINT", endpoint.toString());
        builder.environment().merge("MAVEN_OPTS", "-Duser.home=" + tmp.resolve("home") + " -Dmaven.repo.local="
                + System.getProperty("serverlesschat.maven-repository"), (theirs, mine) -> theirs + " " + mine);
        Process maven = builder.start();
        try {
            String said = "Dev DynamoDB: nothing answered at " + endpoint + ", so moto_server was started there (it stops"
                    + " with dev mode); created table connections (key connectionId, TTL on expiresAt, index byUser)";
            await(() -> read(output).contains(said) || !maven.isAlive(), 300, "dev mode's DynamoDB line");
            assertTrue(read(output).contains(said), read(output));
            assertFalse(read(output).contains("Help improve Quarkus"), "dev mode asked the analytics question: " + read(output));

            String id = "devModeTest" + System.nanoTime() % 10_000 + "=";
            String event = Files.readString(PROJECT.resolve("src/test/resources/events/connect.json"))
                    .replaceFirst("\"connectionId\": *\"[^\"]*\"", "\"connectionId\": \"" + id + "\"");
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + devPort))
                    .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(answer.body().contains("\"statusCode\":200"), answer.body());
            try (LocalDynamoDb dynamo = LocalDynamoDb.at(endpoint)) {
                assertEquals(id, dynamo.client().getItem(g -> g.tableName("connections")
                        .key(Map.of("connectionId", AttributeValue.fromS(id)))).item().get("connectionId").s());
            }
            assertFalse(read(output).contains("ERROR"), read(output));
        } finally {
            // Stop Maven and dev mode's JVM as Ctrl-C would, but not moto: dev mode must stop it itself.
            maven.children().forEach(ProcessHandle::destroy);
            maven.destroy();
            maven.waitFor(60, TimeUnit.SECONDS);
        }
        await(() -> LocalDynamoDb.probe(endpoint) == LocalDynamoDb.Answer.NOTHING, 30, "moto stopped with dev mode");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within " + seconds + " s)");
            Thread.sleep(200);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
