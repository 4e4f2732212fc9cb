package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.apigateway.WebSocketClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/local on a template of its own with a message route and a $default route (the next routes of a
 * chat), each function a real Lambda-runtime process from the zip its CodeUri names: a shell bootstrap
 * that speaks the Runtime API with curl and answers with its name and the event it got.
 */
class RunLocalMessageRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    // One line per event, answered {"statusCode":200,"body":"<ROUTE_NAME> <the event>"}.
    private static final String BOOTSTRAP = ShellFunction.answering(
            "printf '{\"statusCode\":200,\"body\":\"%s %s\"}' \"$ROUTE_NAME\" \"" + ShellFunction.ESCAPED_EVENT + "\"");

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Test
    void eachMessageReachesTheFunctionOfItsRouteAndOnlyARouteResponseAnswers(@TempDir Path project) throws Exception {
        Files.copy(Path.of("src/test/resources/message-routes-template.yaml"), project.resolve("sam.native.yaml"));
        for (String zip : List.of("connect.zip", "sendmessage.zip", "default.zip")) {
            bootstrapZip(project.resolve(zip));
        }
        try (RunLocal local = RunLocal.start(new LocalOptions(project, LocalOptions.Mode.ZIP, 0, 0), lines::add)) {
            assertSame(local.environmentsFor("$connect"), local.environmentsFor("$disconnect"),
                    "two routes of one function: one set of execution environments");
            assertNotSame(local.environmentsFor("$connect"), local.environmentsFor("sendmessage"));
            WebSocketClient client = WebSocketClient.open(http, local.url());

            client.socket.sendText("{\"action\":\"sendmessage\",\"data\":\"hi\"}", true);
            String answer = client.nextText();
            assertTrue(answer.startsWith("sendmessage "), answer);
            JsonNode event = JSON.readTree(answer.substring("sendmessage ".length()));
            JsonNode context = event.get("requestContext");
            assertEquals("MESSAGE", context.get("eventType").asText());
            assertEquals("sendmessage", context.get("routeKey").asText());
            assertEquals("{\"action\":\"sendmessage\",\"data\":\"hi\"}", event.get("body").asText());
            String id = context.get("connectionId").asText();

            client.socket.sendText("no action at all", true);
            await(() -> lines.stream().anyMatch(l -> l.startsWith("$default") && l.contains(id + " -> 200")),
                    "$default's function answered");
            assertTrue(client.receivedNothingMore(), "$default has no route response: its answer is dropped");

            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(local.url().toString()
                    .replace("ws://", "http://") + "/@connections/" + id)).POST(HttpRequest.BodyPublishers.ofString("pushed")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, posted.statusCode());
            assertEquals("pushed", client.nextText());

            client.socket.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            await(() -> lines.stream().anyMatch(l -> l.startsWith("$disconnect " + id) && l.contains("-> 200")),
                    "$disconnect reached the function $connect shares");
        } catch (AssertionError | Exception e) {
            lines.forEach(System.out::println);
            throw e;
        }
    }

    @Test
    void aCodeUriThatIsNoZipStopsBinLocalWithAClearLine(@TempDir Path project) throws Exception {
        Files.copy(Path.of("src/test/resources/message-routes-template.yaml"), project.resolve("sam.native.yaml"));
        bootstrapZip(project.resolve("connect.zip"));
        bootstrapZip(project.resolve("default.zip"));
        Files.writeString(project.resolve("sendmessage.zip"), "not a zip");
        Exception failed = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> RunLocal.start(new LocalOptions(project, LocalOptions.Mode.ZIP, 0, 0), lines::add).close());
        assertTrue(failed.getMessage().contains("SendMessageFunction's CodeUri sendmessage.zip"), failed.getMessage());
    }

    private static void bootstrapZip(Path zip) throws IOException {
        ShellFunction.zip(zip, BOOTSTRAP);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 30 s)");
            Thread.sleep(50);
        }
    }
}
