package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The production line of {@link InvocationLog}: our structured log and, with metrics on, a valid EMF document. */
class InvocationLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_795_684_442_117L;

    static InvocationLog.Invocation connect(int status, String outcome, String reason, boolean coldStart) {
        return new InvocationLog.Invocation("$connect", "L0SM9cOFvHcCIhw=", "$connect", status, outcome, reason,
                reason == null ? null : reason + " (detail)", null, 12, coldStart, "c0ffee00-0000-4000-8000-000000000001",
                "serverless-chat-dev-OnConnectFunction", 256);
    }

    @ParameterizedTest
    @CsvSource({"200,ok,,Connected", "400,rejected,event has no requestContext,Rejected",
        "403,forbidden,origin refused,Forbidden", "500,failed,ResourceNotFoundException,Failed"})
    void eachConnectOutcomeCountsOnceAndTheLineIsAValidEmfDocument(int status, String outcome, String reason, String counted)
            throws Exception {
        JsonNode line = JSON.readTree(InvocationLog.json(connect(status, outcome, reason, false), "ServerlessChat", NOW));
        assertEquals(List.of(), EmbeddedMetricFormat.violations(line));

        for (String metric : List.of("Connected", "Rejected", "Forbidden", "Failed")) {
            assertEquals(metric.equals(counted) ? 1 : 0, line.get(metric).asInt(), metric);
        }
        assertEquals(12, line.get("Latency").asLong());
        assertEquals(0, line.get("ColdStarts").asInt());
        JsonNode directive = line.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("ServerlessChat", directive.get("Namespace").asText());
        assertEquals("[[\"route\",\"functionName\"]]", directive.get("Dimensions").toString(), "two dimensions, no more");
        assertEquals(NOW, line.get("_aws").get("Timestamp").asLong());
        assertEquals(reason, line.path("reason").asText(null));
    }

    @Test
    void theLineCarriesTheLogFieldsLambdaAndLogsInsightsRead() throws Exception {
        JsonNode line = JSON.readTree(InvocationLog.json(connect(200, "ok", null, true), "ServerlessChat", NOW));
        // Lambda's log-level filter reads "level" and an RFC 3339 "timestamp" from JSON lines.
        assertEquals("INFO", line.get("level").asText());
        assertEquals(NOW, OffsetDateTime.parse(line.get("timestamp").asText()).toInstant().toEpochMilli());
        assertEquals("$connect 200 ok in 12 ms", line.get("message").asText());
        assertEquals("c0ffee00-0000-4000-8000-000000000001", line.get("AWSRequestId").asText());
        assertEquals("L0SM9cOFvHcCIhw=", line.get("connectionId").asText());
        assertEquals("$connect", line.get("route").asText());
        assertEquals(200, line.get("status").asInt());
        assertTrue(line.get("coldStart").isBoolean() && line.get("coldStart").asBoolean());
        assertEquals(1, line.get("ColdStarts").asInt());
        assertEquals(256, line.get("memoryMb").asInt());
        assertEquals("serverless-chat-dev-OnConnectFunction", line.get("functionName").asText());
        assertEquals(12, line.get("latencyMs").asLong());
    }

    @Test
    void levelsFollowTheStatus() throws Exception {
        assertEquals("WARN", JSON.readTree(InvocationLog.json(connect(403, "forbidden", "origin", false), null, NOW)).get("level").asText());
        assertEquals("ERROR", JSON.readTree(InvocationLog.json(connect(500, "failed", "x", false), null, NOW)).get("level").asText());
    }

    /** The authorizer counts the handshake statuses it leads to: Allowed, Unauthorized (401), Denied (403), Failed (500). */
    @ParameterizedTest
    @CsvSource({"200,allowed,,Allowed", "401,unauthorized,no token in route.request.querystring.token,Unauthorized",
        "403,denied,token expired,Denied", "500,failed,key set unavailable,Failed", "500,error,java.lang.NullPointerException,Failed"})
    void eachAuthorizerOutcomeCountsOnce(int status, String outcome, String reason, String counted) throws Exception {
        var authorizer = new InvocationLog.Invocation(TokenAuthorizer.ROUTE, "L0SM9cOFvHcCIhw=", "$connect", status, outcome, reason,
                reason, null, 4, false, "c0ffee00-0000-4000-8000-000000000002", "serverless-chat-dev-AuthorizerFunction", 256);
        JsonNode line = JSON.readTree(InvocationLog.json(authorizer, "ServerlessChat", NOW));
        assertEquals(List.of(), EmbeddedMetricFormat.violations(line));
        for (String metric : List.of("Allowed", "Unauthorized", "Denied", "Failed")) {
            assertEquals(metric.equals(counted) ? 1 : 0, line.get(metric).asInt(), metric);
        }
        for (String other : List.of("Connected", "Rejected", "Forbidden")) {
            assertFalse(line.has(other), other + " is $connect's");
        }
        assertEquals(status == 200 ? "INFO" : status < 500 ? "WARN" : "ERROR", line.get("level").asText());
        assertEquals("authorizer", line.get("route").asText());
    }

    @Test
    void disconnectCountsItsOwnOutcomesAndNeverForbidden() throws Exception {
        var disconnect = new InvocationLog.Invocation("$disconnect", "id", "$disconnect", 200, "ok", null, null, null, 3, false,
                null, "serverless-chat-dev-OnDisconnectFunction", 256);
        JsonNode line = JSON.readTree(InvocationLog.json(disconnect, "ServerlessChat", NOW));
        assertEquals(List.of(), EmbeddedMetricFormat.violations(line));
        assertEquals(1, line.get("Disconnected").asInt());
        assertFalse(line.has("Forbidden") || line.has("Connected"));
    }

    @Test
    void withoutAFunctionNameTheOnlyDimensionIsTheRoute() throws Exception {
        var local = new InvocationLog.Invocation("$connect", "id", "$connect", 200, "ok", null, null, null, 3, false, null, null, 0);
        JsonNode line = JSON.readTree(InvocationLog.json(local, "ServerlessChat", NOW));
        assertEquals(List.of(), EmbeddedMetricFormat.violations(line));
        assertEquals("[[\"route\"]]", line.get("_aws").get("CloudWatchMetrics").get(0).get("Dimensions").toString());
        assertFalse(line.has("memoryMb") || line.has("functionName"));
    }

    @Test
    void metricsOffLeavesAPlainStructuredLine() throws Exception {
        JsonNode line = JSON.readTree(InvocationLog.json(connect(200, "ok", null, true), null, NOW));
        assertFalse(line.has("_aws"));
        assertFalse(line.has("Connected") || line.has("Latency") || line.has("ColdStarts"));
        assertTrue(line.get("coldStart").asBoolean());
    }

    @Test
    void anUnexpectedFailureCarriesItsStackTraceInTheLineNotToTheClient() throws Exception {
        var failure = new IllegalStateException("boom");
        var error = new InvocationLog.Invocation("$connect", "id", "$connect", 500, "error", IllegalStateException.class.getName(),
                failure.toString(), failure, 3, false, null, "f", 256);
        JsonNode line = JSON.readTree(InvocationLog.json(error, "ServerlessChat", NOW));
        assertEquals(List.of(), EmbeddedMetricFormat.violations(line));
        assertTrue(line.get("stackTrace").asText().startsWith("java.lang.IllegalStateException: boom"));
        assertEquals(1, line.get("Failed").asInt());
    }

    /** The check itself: each way of breaking a valid line is caught, by the rule it breaks. */
    @Test
    void theEmfCheckFailsOnBrokenDocuments() throws Exception {
        String valid = InvocationLog.json(connect(200, "ok", null, true), "ServerlessChat", NOW);
        Map<String, Consumer<ObjectNode>> breakages = Map.ofEntries(
                Map.entry("_aws.Timestamp", l -> aws(l).remove("Timestamp")),
                Map.entry("Timestamp is not a number", l -> aws(l).put("Timestamp", "2026-12-03T07:00:00Z")),
                Map.entry("_aws.CloudWatchMetrics", l -> aws(l).remove("CloudWatchMetrics")),
                Map.entry("Namespace", l -> directive(l).remove("Namespace")),
                Map.entry("Dimensions", l -> directive(l).put("Dimensions", "route")),
                Map.entry("dimension \"route\"", l -> l.put("route", 7)),
                Map.entry("dimension \"functionName\"", l -> l.remove("functionName")),
                Map.entry("metric \"Latency\"", l -> l.put("Latency", "12 ms")),
                Map.entry("metric \"Connected\"", l -> l.remove("Connected")),
                Map.entry("Unit", l -> metric(l, 0).put("Unit", "Handshakes")),
                Map.entry("StorageResolution", l -> metric(l, 0).put("StorageResolution", 5)),
                Map.entry("does not define: Region", l -> directive(l).put("Region", "eu-west-1")),
                Map.entry("defined twice", l -> ((ArrayNode) directive(l).get("Metrics")).add(metric(l, 0).deepCopy())),
                Map.entry("at most 30 dimension keys", l -> {
                    ArrayNode set = (ArrayNode) directive(l).get("Dimensions").get(0);
                    for (int i = 0; i < 30; i++) {
                        set.add("route");
                    }
                }),
                Map.entry("no _aws", l -> l.remove("_aws")));
        assertEquals(List.of(), EmbeddedMetricFormat.violations(JSON.readTree(valid)));
        breakages.forEach((rule, breakage) -> {
            ObjectNode broken;
            try {
                broken = (ObjectNode) JSON.readTree(valid);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            breakage.accept(broken);
            List<String> violations = EmbeddedMetricFormat.violations(broken);
            assertTrue(violations.stream().anyMatch(v -> v.contains(rule)), () -> rule + " not caught: " + violations);
        });
        assertFalse(EmbeddedMetricFormat.violations(JSON.readTree("[1,2]")).isEmpty(), "the root must be an object");
    }

    private static ObjectNode aws(ObjectNode line) {
        return (ObjectNode) line.get("_aws");
    }

    private static ObjectNode directive(ObjectNode line) {
        return (ObjectNode) aws(line).get("CloudWatchMetrics").get(0);
    }

    private static ObjectNode metric(ObjectNode line, int index) {
        return (ObjectNode) directive(line).get("Metrics").get(index);
    }
}
