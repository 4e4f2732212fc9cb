package io.serverlesschat.connect;

import static io.serverlesschat.connect.Invocations.invoke;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** $connect with an origin allow-list (ALLOWED_ORIGINS), end to end against a real local DynamoDB. */
@QuarkusTest
@TestProfile(ConnectHandlerOriginTest.ChatOriginOnly.class)
@WithTestResource(LocalDynamoDbResource.class)
class ConnectHandlerOriginTest {

    static final String CHAT = "https://chat.example.com";

    /** The function as deployed with AllowedOrigins=https://chat.example.com. */
    public static class ChatOriginOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("connections.allowed-origins", CHAT + ", http://localhost:8081");
        }
    }

    @LocalDynamoDbResource.Inject
    LocalDynamoDb dynamo;

    @Test
    void aPageOnTheAllowedOriginConnects() {
        String id = Events.newConnectionId();
        invoke(withOrigin(Events.json("connect.json", id), "Origin", CHAT))
                .body("statusCode", equalTo(200)).body("body", equalTo("Connected."));
        assertEquals(id, item(id).get("connectionId").s());
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        String id = Events.newConnectionId();
        invoke(withOrigin(Events.json("connect.json", id), "origin", "http://localhost:8081")).body("statusCode", equalTo(200));
        assertFalse(item(id).isEmpty());
        assertRefused(withOrigin(Events.json("connect.json", Events.newConnectionId()), "ORIGIN", "https://evil.example"),
                "https://evil.example");
    }

    @Test
    void aClientWithoutOriginConnects() {
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
        assertFalse(item(id).isEmpty(), "wscat and native apps send no Origin: allowed unless REQUIRE_ORIGIN=true");
    }

    @Test
    void aPageOnAnotherOriginIsRefusedWith403AndNothingIsWritten() {
        assertRefused(withOrigin(Events.json("connect.json", Events.newConnectionId()), "Origin", "https://evil.example"),
                "https://evil.example");
    }

    @Test
    void aLookAlikeOriginIsRefused() {
        assertRefused(withOrigin(Events.json("connect.json", Events.newConnectionId()), "Origin", CHAT + ".evil.net"),
                CHAT + ".evil.net");
        assertRefused(withOrigin(Events.json("connect.json", Events.newConnectionId()), "Origin", "http://chat.example.com"),
                "http://chat.example.com");
        assertRefused(withOrigin(Events.json("connect.json", Events.newConnectionId()), "Origin", CHAT + ":444"),
                CHAT + ":444");
    }

    @Test
    void anOriginOnlyInMultiValueHeadersCounts() {
        ObjectNode event = Events.json("connect.json", Events.newConnectionId());
        ((ObjectNode) event.get("multiValueHeaders")).putArray("origin").add("null");
        assertRefused(event, "null");
    }

    @Test
    void theLoggedOriginIsCutShort() {
        String huge = "https://" + "x".repeat(2000) + ".example";
        try (CapturedLog log = CapturedLog.start()) {
            invoke(withOrigin(Events.json("connect.json", Events.newConnectionId()), "Origin", huge))
                    .body("statusCode", equalTo(403));
            String message = log.lines().get(0).message();
            assertTrue(message.length() < 400, message);
        }
    }

    private void assertRefused(ObjectNode event, String origin) {
        String id = event.get("requestContext").get("connectionId").asText();
        long itemsBefore = itemCount();
        try (CapturedLog log = CapturedLog.start()) {
            invoke(event).body("statusCode", equalTo(403)).body("body", equalTo("Forbidden."));
            List<CapturedLog.Line> lines = log.lines();
            assertEquals(1, lines.size(), () -> "one line per invocation: " + lines);
            CapturedLog.Line line = lines.get(0);
            assertEquals("WARN", line.level());
            assertEquals("forbidden", line.fields().get("outcome"));
            assertEquals("403", line.fields().get("status"));
            assertEquals(id, line.fields().get("connectionId"));
            assertTrue(line.message().contains("Origin \"" + origin + "\" is not in ALLOWED_ORIGINS"), line.message());
        }
        assertTrue(item(id).isEmpty(), "a refused handshake writes nothing");
        assertEquals(itemsBefore, itemCount());
        // and the function keeps serving
        String next = Events.newConnectionId();
        invoke(withOrigin(Events.json("connect.json", next), "Origin", CHAT)).body("statusCode", equalTo(200));
    }

    /** The event as a browser page on {@code origin} would make it: in both header maps, as API Gateway sends it. */
    static ObjectNode withOrigin(ObjectNode event, String headerName, String origin) {
        ((ObjectNode) event.get("headers")).put(headerName, origin);
        ((ObjectNode) event.get("multiValueHeaders")).putArray(headerName).add(origin);
        return event;
    }

    private Map<String, AttributeValue> item(String id) {
        return dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE).consistentRead(true)
                .key(Map.of("connectionId", AttributeValue.fromS(id)))).item();
    }

    private long itemCount() {
        return dynamo.client().scan(s -> s.tableName(LocalDynamoDbResource.TABLE)).count();
    }
}
