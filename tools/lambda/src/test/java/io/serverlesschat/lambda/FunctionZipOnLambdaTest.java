package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The function's own target/function.zip, started the way Lambda starts it (the JVM zip on AWS's
 * runtime interface client, a native zip's bootstrap) against a Lambda Runtime API and a real local
 * DynamoDB: real events, bad events, a dead DynamoDB, and a missing TABLE_NAME.
 */
class FunctionZipOnLambdaTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TABLE = "connections";

    @TempDir
    static Path work;
    private static FunctionZip zip;
    private static Path taskRoot;
    private static LocalDynamoDb dynamo;

    @BeforeAll
    static void buildAndUnpack() {
        PackageBuild build = PackageBuild.function(PROJECT);
        if (build.stale() && (!Files.exists(build.zip()) || FunctionZip.open(build.zip()).kind() == FunctionZip.Kind.JVM)) {
            build.build();
        }
        zip = FunctionZip.open(build.zip());
        taskRoot = zip.unpack(work.resolve("task"));
        dynamo = LocalDynamoDb.start();
        dynamo.createTable(TABLE, "connectionId", "expiresAt");
    }

    @AfterAll
    static void stopDynamoDb() {
        dynamo.close();
    }

    @Test
    void recordsRealConnectsRejectsBadEventsAndKeepsServing() throws Exception {
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("OnConnectFunction");
                FunctionProcess function = launch(api, Map.of("TABLE_NAME", TABLE, "QUARKUS_LAMBDA_HANDLER", "connect"))) {
            String id = newId();
            JsonNode answer = answer(api, event("connect.json", id));
            assertEquals(200, answer.get("statusCode").asInt());
            assertEquals("Connected.", answer.get("body").asText());
            Map<String, AttributeValue> item = item(id);
            assertEquals("1795684442117", item.get("connectedAt").n());
            assertEquals(Long.toString(1_795_684_442L + 10_800), item.get("expiresAt").n());
            assertEquals("198.51.100.23", item.get("sourceIp").s());

            assertEquals(400, answer(api, event("connect.json", id).replace("\"$connect\"", "\"$default\"")).get("statusCode").asInt());
            assertEquals(400, answer(api, "{}").get("statusCode").asInt());
            RuntimeApiServer.Invocation notJson = api.invoke("this is { not json", WAIT);
            assertEquals(500, notJson.httpStatus(), "an invocation error, reported to the Runtime API");

            String next = newId();
            assertEquals(200, answer(api, event("connect-no-identity.json", next)).get("statusCode").asInt());
            assertFalse(item(next).containsKey("userAgent"));
            assertTrue(function.isAlive(), function.outputTail(20));
        }
    }

    /**
     * The packaged function runs in the production profile: its one line per invocation is a JSON object that
     * carries its metrics in CloudWatch's embedded metric format (the main module's InvocationLogTest and
     * InvocationLogProductionTest check that format rule by rule), the cold start first, with the function's
     * name and memory setting from Lambda's environment.
     */
    @Test
    void eachInvocationWritesOneJsonLineWithItsMetrics() throws Exception {
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("OnConnectFunction");
                FunctionProcess function = launch(api, Map.of("TABLE_NAME", TABLE))) {
            String id = newId();
            assertEquals(200, answer(api, event("connect.json", id)).get("statusCode").asInt());
            assertEquals(400, answer(api, "{}").get("statusCode").asInt());
            List<JsonNode> lines = new ArrayList<>();
            for (String line : function.outputTail(50).split("\\R")) {
                if (line.startsWith("{") && line.contains("\"route\":")) {
                    lines.add(JSON.readTree(line));
                }
            }
            assertEquals(2, lines.size(), function.outputTail(50));
            JsonNode cold = lines.get(0);
            assertEquals(id, cold.get("connectionId").asText());
            assertTrue(cold.get("coldStart").asBoolean());
            assertEquals(256, cold.get("memoryMb").asInt());
            assertEquals("serverless-chat-connect", cold.get("functionName").asText());
            assertEquals("[[\"route\",\"functionName\"]]", cold.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());
            assertEquals("ServerlessChat", cold.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
            assertEquals(1, cold.get("Connected").asInt());
            assertEquals(1, cold.get("ColdStarts").asInt());
            JsonNode rejected = lines.get(1);
            assertEquals("WARN", rejected.get("level").asText());
            assertEquals(false, rejected.get("coldStart").asBoolean());
            assertEquals(0, rejected.get("ColdStarts").asInt());
            assertEquals(1, rejected.get("Rejected").asInt());
        }
    }

    @Test
    void answers500Within3sWhileDynamoDbIsDownAndRecovers() throws Exception {
        Assumptions.assumeTrue(dynamo.ownsServer(), "DYNAMODB_ENDPOINT names a server this test cannot stop");
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("OnConnectFunction");
                FunctionProcess function = launch(api, Map.of("TABLE_NAME", TABLE))) {
            assertEquals(200, answer(api, event("connect.json", newId())).get("statusCode").asInt());
            dynamo.stop();
            try {
                long start = System.nanoTime();
                JsonNode answer = answer(api, event("connect.json", newId()));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(500, answer.get("statusCode").asInt());
                assertEquals("Failed to connect.", answer.get("body").asText());
                assertTrue(millis < 3000, "answered in " + millis + " ms");
            } finally {
                dynamo.restart();
                dynamo.createTable(TABLE, "connectionId", "expiresAt");
            }
            String id = newId();
            assertEquals(200, answer(api, event("connect.json", id)).get("statusCode").asInt());
            assertEquals(id, item(id).get("connectionId").s());
            assertTrue(function.isAlive());
        }
    }

    /** Several execution environments of one function start side by side, as Lambda scales out. */
    @Test
    void functionsStartedAtTheSameInstantAllAnswerAndLeaveTmpAlone() throws Exception {
        Assumptions.assumeTrue(zip.kind() == FunctionZip.Kind.JVM, "the runtime client's JNI library is the JVM zip's");
        Path shared = Path.of("/tmp/.libaws-lambda-jni.so");
        FileTime before = Files.exists(shared) ? Files.getLastModifiedTime(shared) : null;
        List<RuntimeApiServer> apis = new ArrayList<>();
        List<FunctionProcess> functions = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                apis.add(RuntimeApiServer.startOnFreePort("OnConnectFunction"));
            }
            for (RuntimeApiServer api : apis) {
                functions.add(launch(api, Map.of("TABLE_NAME", TABLE)));
            }
            for (int i = 0; i < apis.size(); i++) {
                String id = newId();
                assertEquals(200, answer(apis.get(i), event("connect.json", id)).get("statusCode").asInt(),
                        functions.get(i).outputTail(20));
                assertEquals(id, item(id).get("connectionId").s());
            }
            assertEquals(before, Files.exists(shared) ? Files.getLastModifiedTime(shared) : null,
                    "no function rewrote the runtime client's library in /tmp (another JVM may have it mapped)");
        } finally {
            functions.forEach(FunctionProcess::close);
            apis.forEach(RuntimeApiServer::close);
        }
    }

    @Test
    void theSameZipServesDisconnect() throws Exception {
        String id = newId();
        dynamo.client().putItem(p -> p.tableName(TABLE).item(Map.of("connectionId", AttributeValue.fromS(id))));
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("OnDisconnectFunction");
                FunctionProcess function = launch(api, Map.of("TABLE_NAME", TABLE, "QUARKUS_LAMBDA_HANDLER", "disconnect"))) {
            JsonNode answer = answer(api, event("disconnect.json", id));
            assertEquals(200, answer.get("statusCode").asInt());
            assertTrue(item(id).isEmpty());
        }
    }

    @Test
    void aDeadEndpointFailsTheFirstCallNotTheStartAndProductionStartsNoDynamoDbThere() throws Exception {
        String endpoint = "http://127.0.0.1:" + freePort();
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("OnConnectFunction");
                FunctionProcess function = launch(api, Map.of("TABLE_NAME", TABLE, "DYNAMODB_ENDPOINT", endpoint))) {
            // The start-up's priming request gets no answer: one WARN line naming where it went, and the
            // function still asks for its first event.
            assertTrue(api.awaitFirstPoll(WAIT), function.outputTail(20));
            assertTrue(function.outputTail(20).contains("DynamoDB did not answer at start-up (at " + endpoint + " (DYNAMODB_ENDPOINT): "),
                    function.outputTail(20));
            long start = System.nanoTime();
            JsonNode answer = answer(api, event("connect.json", newId()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(500, answer.get("statusCode").asInt());
            assertTrue(millis < 3000, "answered in " + millis + " ms");
            assertTrue(function.outputTail(20).contains("[no answer from DynamoDB at " + endpoint + " (DYNAMODB_ENDPOINT)]"),
                    "the log line names the endpoint and its variable: " + function.outputTail(20));
            // Dev mode would have started moto_server there; the packaged function has no such code.
            assertEquals(LocalDynamoDb.Answer.NOTHING, LocalDynamoDb.probe(URI.create(endpoint)));
            assertTrue(function.isAlive());
        }
    }

    @Test
    void failsAtStartUpNamingTheMissingTableName() throws Exception {
        assertStartUpFails(Map.of(), "TABLE_NAME");
    }

    @Test
    void failsAtStartUpNamingABadAllowedOrigin() throws Exception {
        assertStartUpFails(Map.of("TABLE_NAME", TABLE, "ALLOWED_ORIGINS", "https://chat.example.com, chat.example.org"),
                "ALLOWED_ORIGINS: \"chat.example.org\" is not an origin");
    }

    @Test
    void failsAtStartUpNamingAnUnknownRoute() throws Exception {
        assertStartUpFails(Map.of("TABLE_NAME", TABLE, "QUARKUS_LAMBDA_HANDLER", "connet"),
                "QUARKUS_LAMBDA_HANDLER: no route named \"connet\"");
    }

    @Test
    void anUnreachableRuntimeApiEndsTheFunctionWithAFailureStatus() throws Exception {
        // A runtime whose loop has ended must exit, and not with 0: the JVM zip's runtime client exits by
        // itself; the native bootstrap's poll loop only stops the application (RuntimeLoopExit exits).
        try (FunctionProcess function = launcher("127.0.0.1:" + freePort(), Map.of("TABLE_NAME", TABLE)).start()) {
            Integer status = function.onExit().get(2 * WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotEquals(0, status, function.outputTail(20));
        } catch (TimeoutException e) {
            fail("the function is still up " + 2 * WAIT.toSeconds() + " s after its runtime loop ended");
        }
    }

    private void assertStartUpFails(Map<String, String> env, String naming) throws Exception {
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("OnConnectFunction");
                FunctionProcess function = launch(api, env)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (function.isAlive() && api.initError().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String said = api.initError().orElse("") + function.outputTail(50);
            assertTrue(said.contains(naming), "the start-up failure names " + naming + ": " + said);
            assertTrue(api.firstPollNanos().isEmpty(), "a function that cannot start never asks for an event");
        }
    }

    private FunctionProcess launch(RuntimeApiServer api, Map<String, String> env) {
        return launcher(api.runtimeApiAddress(), env).start();
    }

    private FunctionLauncher launcher(String runtimeApi, Map<String, String> env) {
        FunctionLauncher launcher = FunctionLauncher.of(zip.kind(), taskRoot)
                .runtimeApi(runtimeApi)
                .functionName("serverless-chat-connect")
                .memoryMb(256)
                .region(LocalDynamoDb.REGION)
                .env("DYNAMODB_ENDPOINT", dynamo.endpoint().toString())
                .env("DISABLE_SIGNAL_HANDLERS", "true");
        env.forEach(launcher::env);
        return launcher;
    }

    private static JsonNode answer(RuntimeApiServer api, String event) throws Exception {
        RuntimeApiServer.Invocation invocation = api.invoke(event, WAIT);
        assertEquals(200, invocation.httpStatus(), invocation.body());
        return JSON.readTree(invocation.body());
    }

    private static String event(String file, String connectionId) throws IOException {
        JsonNode event = JSON.readTree(PROJECT.resolve("src/test/resources/events").resolve(file).toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("requestContext")).put("connectionId", connectionId);
        return event.toString();
    }

    private static Map<String, AttributeValue> item(String id) {
        return dynamo.client().getItem(g -> g.tableName(TABLE).consistentRead(true)
                .key(Map.of("connectionId", AttributeValue.fromS(id)))).item();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 15) + "=";
    }
}
