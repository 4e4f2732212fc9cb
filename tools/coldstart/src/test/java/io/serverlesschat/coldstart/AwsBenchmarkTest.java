package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * AWS mode's flow on a stand-in function whose items go to a real local DynamoDB: every run is forced
 * cold, its REPORT figures recorded, and afterwards its items are gone and its environment is back.
 */
class AwsBenchmarkTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();
    private static LocalDynamoDb dynamo;

    @BeforeAll
    static void startDynamo() {
        dynamo = LocalDynamoDb.start();
        dynamo.createTable("connections", "connectionId", "expiresAt");
    }

    @AfterAll
    static void stopDynamo() {
        dynamo.close();
    }

    /** The stand-in writes the item a real $connect would. */
    private final FakeLambda lambda = new FakeLambda() {
        @Override
        public InvokeResult invoke(String function, String payload) {
            try {
                String id = new ObjectMapper().readTree(payload).path("requestContext").path("connectionId").asText();
                dynamo.client().putItem(p -> p.tableName("connections").item(Map.of("connectionId", AttributeValue.fromS(id))));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return super.invoke(function, payload);
        }
    };

    private Results run(FakeLambda lambda, String... args) throws Exception {
        ColdStartOptions options = ColdStartOptions.parse(args, PROJECT);
        ColdStartForcer forcer = new ColdStartForcer(lambda, d -> { }, Duration.ofMillis(1), Duration.ofSeconds(1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return new AwsBenchmark(options, lambda, forcer, new ConnectionCleaner(dynamo.client()),
                new ConnectEvents(PROJECT.resolve("src/test/resources/events/connect.json")), new PrintStream(out)).run();
    }

    @Test
    void eachRunIsForcedColdMeasuredAndCleanedUp() throws Exception {
        Map<String, String> before = Map.copyOf(lambda.environment);
        Results results = run(lambda, "aws", "--function", "chat-connect", "--runs", "3");

        Variant v = results.variant("connect/chat-connect").orElseThrow();
        assertEquals(3, v.runs.size());
        for (Variant.Run r : v.runs) {
            assertTrue(r.ok(), r.error());
            assertEquals(450.5, r.figures().get("initDurationMs"));
            assertEquals(120.25, r.figures().get("durationMs"));
            assertEquals(570.75, r.figures().get("coldStartMs"));
            assertEquals(95.0, r.figures().get("maxMemoryUsedMb"));
        }
        assertEquals(4, lambda.updates.size(), "three forced cold starts and the restore");
        assertEquals(3, lambda.updates.subList(0, 3).stream().map(u -> u.get(ColdStartForcer.VARIABLE)).distinct().count());
        assertEquals(before, lambda.environment, "the environment is back as it was");
        assertEquals(3, lambda.payloads.stream().distinct().count(), "each run its own connection");
        assertEquals(0, dynamo.client().scan(s -> s.tableName("connections")).count(), "the items it wrote are gone");
        assertEquals(450.5, v.getSummary().get("initDurationMs").p50());
        assertFalse(results.anyRunFailed());
    }

    @Test
    void aWarmInvokeIsAFailedRunNotAColdStart() throws Exception {
        FakeLambda neverCold = new FakeLambda() {
            @Override
            public void updateEnvironment(String function, Map<String, String> env) {
                super.updateEnvironment(function, env);
                coldNext = false; // as if the update had not retired the warm environment
            }
        };
        Results results = run(neverCold, "aws", "--function", "chat-connect", "--runs", "1");
        Variant.Run r = results.variant("connect/chat-connect").orElseThrow().runs.get(0);
        assertFalse(r.ok());
        assertTrue(r.error().contains("not a cold start"), r.error());
        assertTrue(results.anyRunFailed(), "the benchmark exits non-zero");
    }

    @Test
    void aBaselineFunctionIsComparedRunByRun() throws Exception {
        Results results = run(lambda, "aws", "--function", "chat-connect", "--baseline-function", "chat-baseline", "--runs", "2");
        assertEquals(List.of("connect/chat-connect", "baseline/chat-baseline"), results.variants.stream().map(v -> v.key).toList());
        assertTrue(results.ratios.stream().anyMatch(r -> r.figure().equals("coldStartMs") && r.p50Ratio() == 1.0));
    }
}
