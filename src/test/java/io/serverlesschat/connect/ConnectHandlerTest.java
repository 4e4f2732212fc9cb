package io.serverlesschat.connect;

import static io.restassured.RestAssured.given;
import static io.serverlesschat.connect.Invocations.invoke;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The $connect route end to end: real-shaped events through Quarkus' mock event server into a real moto. */
@QuarkusTest
@WithTestResource(LocalDynamoDbResource.class)
class ConnectHandlerTest {

    private static final long TTL = 10_800;
    private static final Set<String> EVERY_ATTRIBUTE =
            Set.of("connectionId", "connectedAt", "expiresAt", "domainName", "stage", "sourceIp", "userAgent");

    @LocalDynamoDbResource.Inject
    LocalDynamoDb dynamo;

    @Test
    void recordsARealConnectEventWithEveryAttribute() {
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200)).body("body", equalTo("Connected."));

        Map<String, AttributeValue> item = item(id);
        assertEquals(EVERY_ATTRIBUTE, item.keySet());
        assertEquals(id, item.get("connectionId").s());
        assertEquals("1795684442117", item.get("connectedAt").n());
        assertEquals(Long.toString(1_795_684_442L + TTL), item.get("expiresAt").n());
        assertEquals("a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", item.get("domainName").s());
        assertEquals("dev", item.get("stage").s());
        assertEquals("198.51.100.23", item.get("sourceIp").s());
        assertEquals("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", item.get("userAgent").s());
    }

    @Test
    void recordsAConnectWithoutIdentityAndLeavesOutSourceIpAndUserAgent() {
        String id = Events.newConnectionId();
        invoke(Events.json("connect-no-identity.json", id)).body("statusCode", equalTo(200));
        assertEquals(Set.of("connectionId", "connectedAt", "expiresAt", "domainName", "stage"), item(id).keySet());
    }

    @Test
    void recordsAConnectWithoutHeaders() {
        String id = Events.newConnectionId();
        invoke(Events.json("connect-no-headers.json", id)).body("statusCode", equalTo(200));
        Map<String, AttributeValue> item = item(id);
        assertEquals("203.0.113.9", item.get("sourceIp").s());
        assertFalse(item.containsKey("userAgent"));
    }

    @Test
    void recordsAConnectWithQueryStringParametersAndStoresNoneOfThem() {
        String id = Events.newConnectionId();
        invoke(Events.json("connect-query-string.json", id)).body("statusCode", equalTo(200));
        assertEquals(EVERY_ATTRIBUTE, item(id).keySet());
    }

    /** Behind the JWT authorizer: the user it answered (requestContext.authorizer) is on the item; the e-mail is not kept. */
    @Test
    void recordsTheUserTheAuthorizerAnswered() {
        String id = Events.newConnectionId();
        invoke(Events.json("connect-authorized.json", id)).body("statusCode", equalTo(200));
        Map<String, AttributeValue> item = item(id);
        Set<String> withUser = new java.util.HashSet<>(EVERY_ATTRIBUTE);
        withUser.addAll(Set.of("userId", "userName"));
        assertEquals(withUser, item.keySet());
        assertEquals("5a1f9c2e-7d43-4b8e-9f61-2c0d8e3b7a15", item.get("userId").s());
        assertEquals("alice", item.get("userName").s());
    }

    /** The byUser index serves "every connection of a user", each with what its @connections URL needs. */
    @Test
    void everyConnectionOfAUserComesBackFromTheIndex() {
        String user = "user-" + Events.newConnectionId();
        String phone = Events.newConnectionId();
        String laptop = Events.newConnectionId();
        invoke(authorized(phone, user, 1_795_684_442_000L)).body("statusCode", equalTo(200));
        invoke(authorized(laptop, user, 1_795_684_443_000L)).body("statusCode", equalTo(200));
        invoke(authorized(Events.newConnectionId(), "someone-else", 1_795_684_444_000L)).body("statusCode", equalTo(200));
        invoke(Events.json("connect.json", Events.newConnectionId())).body("statusCode", equalTo(200)); // no user: not in the index

        var found = dynamo.client().query(q -> q.tableName(LocalDynamoDbResource.TABLE).indexName(LocalDynamoDbResource.BY_USER.name())
                .keyConditionExpression("userId = :user").expressionAttributeValues(Map.of(":user", AttributeValue.fromS(user)))).items();
        assertEquals(List.of(phone, laptop), found.stream().map(i -> i.get("connectionId").s()).toList(), "both, oldest first");
        assertEquals(Set.of("connectionId", "userId", "connectedAt", "domainName", "stage", "expiresAt"), found.get(0).keySet());
        assertEquals("a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", found.get(0).get("domainName").s());
        assertEquals("dev", found.get(0).get("stage").s());
    }

    @Test
    void rejectsAPrincipalFarLongerThanASubject() {
        ObjectNode event = authorized(Events.newConnectionId(), "x".repeat(256), 1_795_684_442_000L);
        assertRejected(event, "requestContext.authorizer.principalId is 256 characters long");
    }

    /** connect-authorized.json for another connection and user. */
    private static ObjectNode authorized(String connectionId, String userId, long connectedAt) {
        ObjectNode event = Events.json("connect-authorized.json", connectionId);
        ObjectNode context = (ObjectNode) event.get("requestContext");
        context.put("connectedAt", connectedAt);
        ((ObjectNode) context.get("authorizer")).put("principalId", userId).put("sub", userId);
        return event;
    }

    @Test
    void aSecondConnectWithTheSameIdReplacesTheItem() {
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
        ObjectNode again = Events.json("connect-no-identity.json", id);
        ((ObjectNode) again.get("requestContext")).put("connectedAt", 1_795_684_500_000L);
        invoke(again).body("statusCode", equalTo(200));

        Map<String, AttributeValue> item = item(id);
        assertEquals("1795684500000", item.get("connectedAt").n());
        assertEquals(Long.toString(1_795_684_500L + TTL), item.get("expiresAt").n());
        assertFalse(item.containsKey("userAgent"), "the second connect's item replaces the first, not merges into it");
    }

    @Test
    void usesTheClockWhenTheEventHasNoConnectedAt() {
        String id = Events.newConnectionId();
        ObjectNode event = Events.json("connect.json", id);
        ((ObjectNode) event.get("requestContext")).remove("connectedAt");
        long before = System.currentTimeMillis();
        invoke(event).body("statusCode", equalTo(200));
        long after = System.currentTimeMillis();

        long connectedAt = Long.parseLong(item(id).get("connectedAt").n());
        assertTrue(before <= connectedAt && connectedAt <= after, "connectedAt " + connectedAt + " is the clock");
        assertEquals(connectedAt / 1000 + TTL, Long.parseLong(item(id).get("expiresAt").n()));
    }

    @Test
    void withoutAnAllowListAPageOnAnyOriginConnectsAsInTheLab() {
        for (String origin : new String[] {"https://chat.example.com", "https://evil.example", "null"}) {
            String id = Events.newConnectionId();
            invoke(ConnectHandlerOriginTest.withOrigin(Events.json("connect.json", id), "Origin", origin))
                    .body("statusCode", equalTo(200));
            assertEquals(id, item(id).get("connectionId").s());
        }
    }

    @Test
    void logsOneStructuredLinePerInvocation() {
        String id = Events.newConnectionId();
        try (CapturedLog log = CapturedLog.start()) {
            invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
            List<CapturedLog.Line> lines = log.lines();
            assertEquals(1, lines.size(), () -> "one line per invocation: " + lines);
            Map<String, String> fields = lines.get(0).fields();
            assertEquals(id, fields.get("connectionId"));
            assertEquals("$connect", fields.get("routeKey"));
            assertEquals("ok", fields.get("outcome"));
            assertEquals("200", fields.get("status"));
            assertTrue(Long.parseLong(fields.get("latencyMs")) >= 0);
            assertTrue(Set.of("true", "false").contains(fields.get("coldStart")), "coldStart: " + fields);
            assertTrue(fields.containsKey("AWSRequestId"));
            assertFalse(lines.get(0).message().contains("Sec-WebSocket-Key"), "no event dumps in the log");
        }
    }

    // ---- bad input: 400, nothing written, one line that says why, and the next event still works

    @Test
    void rejectsAnEventWithoutRequestContext() {
        ObjectNode event = Events.json("connect.json", Events.newConnectionId());
        event.remove("requestContext");
        assertRejected(event, "no requestContext");
    }

    @Test
    void rejectsAnEventWithoutConnectionId() {
        assertRejected(Events.json("connect.json", null), "no requestContext.connectionId");
    }

    @Test
    void rejectsAnotherRoute() {
        String id = Events.newConnectionId();
        ObjectNode event = Events.json("connect.json", id);
        ((ObjectNode) event.get("requestContext")).put("routeKey", "$default");
        assertRejected(event, "routeKey is \"$default\"");
        assertTrue(dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE)
                .key(Map.of("connectionId", AttributeValue.fromS(id)))).item().isEmpty());
    }

    @Test
    void rejectsAnEmptyObject() {
        assertRejected(JsonNodeFactory.instance.objectNode(), "no requestContext");
    }

    @Test
    void survivesAPayloadThatIsNotJson() {
        // Quarkus answers the Runtime API with an invocation error; the process must keep serving.
        try (CapturedLog log = CapturedLog.start("io.quarkus.amazon.lambda.runtime")) {
            given().contentType("application/json").body("this is not { json").post().then().statusCode(500);
            given().contentType("application/json").body("[1,2,3]").post().then().statusCode(500);
            assertEquals(List.of("ERROR", "ERROR"), log.lines().stream().map(CapturedLog.Line::level).toList(), log.lines()::toString);
            assertTrue(log.lines().stream().allMatch(l -> l.message().startsWith("Failed to run lambda")), log.lines()::toString);
        }
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
        assertEquals(id, item(id).get("connectionId").s());
    }

    // ---- faults of a real local DynamoDB: 500 within 3 s, no exception text, and the next event works

    @Test
    void answers500WhenTheTableIsMissingAndRecoversWhenItIsBack() {
        dynamo.deleteTable(LocalDynamoDbResource.TABLE);
        try {
            Invocations.assertFailsFast(Events.newConnectionId(), "ResourceNotFoundException");
        } finally {
            LocalDynamoDbResource.createTable(dynamo);
        }
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
        assertEquals(id, item(id).get("connectionId").s());
    }

    @Test
    void answers500Within3sWhileDynamoDbIsStoppedAndRecoversWhenItIsBack() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dynamo.ownsServer(),
                "DYNAMODB_ENDPOINT names a server this test cannot stop");
        dynamo.stop();
        try {
            Invocations.assertFailsFast(Events.newConnectionId(), "Unable to execute HTTP request.*\\[no answer from DynamoDB at "
                    + Pattern.quote(dynamo.endpoint().toString()) + " \\(DYNAMODB_ENDPOINT\\)]");
        } finally {
            dynamo.restart();
            LocalDynamoDbResource.createTable(dynamo);
        }
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
        assertEquals(id, item(id).get("connectionId").s());
    }

    private void assertRejected(ObjectNode event, String reason) {
        long itemsBefore = itemCount();
        try (CapturedLog log = CapturedLog.start()) {
            invoke(event).body("statusCode", equalTo(400)).body("body", equalTo("Bad request."));
            assertEquals(1, log.lines().size());
            assertEquals("WARN", log.lines().get(0).level());
            assertTrue(log.lines().get(0).message().contains(reason), () -> "log says why: " + log.lines());
            assertTrue(log.lines().get(0).fields().get("reason").contains(reason), () -> "a reason to count by: " + log.lines());
        }
        assertEquals(itemsBefore, itemCount(), "a rejected event writes nothing");
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
    }

    private Map<String, AttributeValue> item(String id) {
        return dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE).consistentRead(true)
                .key(Map.of("connectionId", AttributeValue.fromS(id)))).item();
    }

    private long itemCount() {
        return dynamo.client().scan(s -> s.tableName(LocalDynamoDbResource.TABLE)).count();
    }
}
