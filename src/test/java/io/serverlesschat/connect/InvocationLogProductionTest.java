package io.serverlesschat.connect;

import static io.serverlesschat.connect.Invocations.invoke;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real invocations with the production profile's log settings (JSON console, metrics on): each writes
 * exactly one line to stdout, and that line is both our structured log and a valid EMF document.
 */
@QuarkusTest
@TestProfile(InvocationLogProductionTest.ProductionLine.class)
@WithTestResource(LocalDynamoDbResource.class)
class InvocationLogProductionTest {

    /** What %prod sets in application.properties. */
    public static class ProductionLine implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.console.json.enabled", "true", "metrics.enabled", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theFirstInvocationIsTheColdStartAndEveryLineIsAValidEmfDocument() throws Exception {
        String first = Events.newConnectionId();
        String second = Events.newConnectionId();
        ObjectNode refused = Events.json("connect.json", Events.newConnectionId());
        ((ObjectNode) refused.get("requestContext")).put("routeKey", "$default");

        List<JsonNode> lines = invocationLines(() -> {
            invoke(Events.json("connect.json", first)).body("statusCode", equalTo(200));
            invoke(Events.json("connect.json", second)).body("statusCode", equalTo(200));
            invoke(refused).body("statusCode", equalTo(400));
        });

        assertEquals(3, lines.size(), () -> "one line per invocation: " + lines);
        for (JsonNode line : lines) {
            assertEquals(List.of(), EmbeddedMetricFormat.violations(line), line::toString);
            assertEquals("ServerlessChat", line.get("_aws").get("CloudWatchMetrics").get(0).get("Namespace").asText());
            assertTrue(line.get("AWSRequestId").isTextual(), "the line names the request: " + line);
        }
        assertEquals(first, lines.get(0).get("connectionId").asText());
        assertEquals(true, lines.get(0).get("coldStart").asBoolean(), "this application's first invocation");
        assertEquals(1, lines.get(0).get("ColdStarts").asInt());
        assertEquals(1, lines.get(0).get("Connected").asInt());
        assertEquals(false, lines.get(1).get("coldStart").asBoolean());
        assertEquals(0, lines.get(1).get("ColdStarts").asInt());
        assertEquals("WARN", lines.get(2).get("level").asText());
        assertEquals(1, lines.get(2).get("Rejected").asInt());
        assertEquals(0, lines.get(2).get("Connected").asInt());
        assertTrue(lines.get(2).get("reason").asText().startsWith("routeKey is \"$default\""), lines.get(2)::toString);
    }

    /** Our lines (JSON objects naming a route) among what the function wrote to stdout while {@code invocations} ran. */
    private static List<JsonNode> invocationLines(Runnable invocations) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            invocations.run();
        } finally {
            System.setOut(stdout);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String text : captured.toString(StandardCharsets.UTF_8).split("\\R")) {
            if (text.startsWith("{") && text.contains("\"route\":")) {
                lines.add(JSON.readTree(text));
            }
        }
        return lines;
    }
}
