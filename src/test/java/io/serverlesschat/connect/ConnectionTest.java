package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ConnectionTest {

    private static final long TTL = 10_800;

    @Test
    void expiresAtIsInEpochSecondsNotMilliseconds() {
        long connectedAtMillis = 1_795_684_442_117L;
        long expiresAt = Connection.expiresAt(connectedAtMillis, TTL);
        assertEquals(1_795_684_442L + 10_800, expiresAt);
        // A millisecond TTL attribute would lie ~57,000 years ahead and never expire.
        assertTrue(expiresAt < 10_000_000_000L, "expiresAt must be epoch seconds");
    }

    @Test
    void expiresAtTruncatesTheMillisecondsOfTheSecond() {
        assertEquals(1 + TTL, Connection.expiresAt(1_999, TTL));
        assertEquals(2 + TTL, Connection.expiresAt(2_000, TTL));
    }

    @Test
    void mapsEveryFieldOfAConnectEvent() {
        Connection c = Connection.fromConnectEvent(Events.connect("abcDEF123456ghi="), 0, TTL);
        assertEquals("abcDEF123456ghi=", c.connectionId());
        assertEquals(1_795_684_442_117L, c.connectedAt());
        assertEquals(1_795_684_442L + TTL, c.expiresAt());
        assertEquals("a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", c.domainName());
        assertEquals("dev", c.stage());
        assertEquals("198.51.100.23", c.sourceIp());
        assertEquals("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", c.userAgent());
    }

    @Test
    void usesTheClockWhenConnectedAtIsAbsent() {
        APIGatewayV2WebSocketEvent event = Events.connect("id1");
        event.getRequestContext().setConnectedAt(0);
        Connection c = Connection.fromConnectEvent(event, 1_700_000_000_500L, TTL);
        assertEquals(1_700_000_000_500L, c.connectedAt());
        assertEquals(1_700_000_000L + TTL, c.expiresAt());
    }

    @Test
    void itemHasExactlyTheSchemaAttributesWithTheirTypes() {
        Map<String, AttributeValue> item = Connection.fromConnectEvent(Events.connect("id1"), 0, TTL).toItem();
        assertEquals(Set.of("connectionId", "connectedAt", "expiresAt", "domainName", "stage", "sourceIp", "userAgent"),
                item.keySet());
        assertEquals("id1", item.get("connectionId").s());
        assertEquals("1795684442117", item.get("connectedAt").n());
        assertEquals(Long.toString(1_795_684_442L + TTL), item.get("expiresAt").n());
        assertEquals("dev", item.get("stage").s());
        assertEquals("198.51.100.23", item.get("sourceIp").s());
    }

    @Test
    void leavesOutSourceIpAndUserAgentWhenTheEventHasNoIdentity() {
        APIGatewayV2WebSocketEvent event = Events.connect("id1");
        event.getRequestContext().setIdentity(null);
        Connection c = Connection.fromConnectEvent(event, 0, TTL);
        assertNull(c.sourceIp());
        assertNull(c.userAgent());
        assertEquals(Set.of("connectionId", "connectedAt", "expiresAt", "domainName", "stage"), c.toItem().keySet());
    }

    @Test
    void leavesOutABlankUserAgent() {
        APIGatewayV2WebSocketEvent event = Events.connect("id1");
        event.getRequestContext().getIdentity().setUserAgent(" ");
        assertNull(Connection.fromConnectEvent(event, 0, TTL).userAgent());
    }

    /** Behind the JWT authorizer, requestContext.authorizer holds its principalId and context: the user. */
    @Test
    void takesTheUserFromTheAuthorizersAnswer() {
        Connection c = Connection.fromConnectEvent(authorized(Map.of("principalId", "user-1", "userName", "alice",
                "email", "alice@example.com", "integrationLatency", 41)), 0, TTL);
        assertEquals("user-1", c.userId());
        assertEquals("alice", c.userName());
        assertEquals(AttributeValue.fromS("user-1"), c.toItem().get(Connection.USER_ID));
        assertEquals(AttributeValue.fromS("alice"), c.toItem().get(Connection.USER_NAME));
        assertFalse(c.toItem().containsKey("email"), "not kept: every later route gets it from requestContext.authorizer");

        Connection anonymous = Connection.fromConnectEvent(Events.connect("id1"), 0, TTL);
        assertNull(anonymous.userId());
        assertFalse(anonymous.toItem().containsKey(Connection.USER_ID), "no empty attributes without an authorizer");
        assertFalse(anonymous.toItem().containsKey(Connection.USER_NAME));

        // What other authorizations put there (none has a string principalId): no user, nothing stored.
        for (Map<String, Object> other : List.<Map<String, Object>>of(Map.of(), Map.of("principalId", " "), Map.of("principalId", 42))) {
            assertNull(Connection.fromConnectEvent(authorized(other), 0, TTL).userId(), other.toString());
        }
        assertNull(Connection.fromConnectEvent(authorized(Map.of("principalId", "user-1")), 0, TTL).userName());
    }

    private static APIGatewayV2WebSocketEvent authorized(Map<String, Object> authorizer) {
        APIGatewayV2WebSocketEvent event = Events.connect("id1");
        event.getRequestContext().setAuthorizer(authorizer);
        return event;
    }

    @Test
    void rejectsEventsThisRouteMustNotRecord() {
        assertRejected(null, "no requestContext");
        assertRejected(new APIGatewayV2WebSocketEvent(), "no requestContext");

        APIGatewayV2WebSocketEvent noId = Events.connect(null);
        assertRejected(noId, "no requestContext.connectionId");

        APIGatewayV2WebSocketEvent blankId = Events.connect("  ");
        assertRejected(blankId, "no requestContext.connectionId");

        APIGatewayV2WebSocketEvent longId = Events.connect("x".repeat(129));
        assertRejected(longId, "129 characters");

        APIGatewayV2WebSocketEvent disconnect = Events.connect("id1");
        disconnect.getRequestContext().setRouteKey("$disconnect");
        assertRejected(disconnect, "routeKey is \"$disconnect\"");

        APIGatewayV2WebSocketEvent noRoute = Events.connect("id1");
        noRoute.getRequestContext().setRouteKey(null);
        assertRejected(noRoute, "routeKey is missing");

        APIGatewayV2WebSocketEvent noDomain = Events.connect("id1");
        noDomain.getRequestContext().setDomainName(null);
        assertRejected(noDomain, "no requestContext.domainName");

        APIGatewayV2WebSocketEvent noStage = Events.connect("id1");
        noStage.getRequestContext().setStage("");
        assertRejected(noStage, "no requestContext.stage");
    }

    @Test
    void aDisconnectEventYieldsItsConnectionId() {
        APIGatewayV2WebSocketEvent event = Events.connect("id1");
        event.getRequestContext().setRouteKey("$disconnect");
        assertEquals("id1", Connection.connectionIdOf(event, "$disconnect"));
        assertThrows(RejectedEvent.class, () -> Connection.connectionIdOf(Events.connect("id1"), "$disconnect"));
    }

    private static void assertRejected(APIGatewayV2WebSocketEvent event, String reason) {
        RejectedEvent e = assertThrows(RejectedEvent.class, () -> Connection.fromConnectEvent(event, 0, TTL));
        assertTrue(e.getMessage().contains(reason), () -> "reason '" + e.getMessage() + "' should say: " + reason);
    }
}
