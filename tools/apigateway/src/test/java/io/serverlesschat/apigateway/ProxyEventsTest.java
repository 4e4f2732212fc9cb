package io.serverlesschat.apigateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The gateway's events against real ones captured from API Gateway (src/test/resources/events). */
class ProxyEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProxyEvents.Connection CONNECTION = new ProxyEvents.Connection("Cq8ZtfymDoECJTg=",
            1_795_684_442_117L, "198.51.100.23", "Mozilla/5.0", "localhost:3001", "dev", "a1b2c3d4e5");

    @Test
    void connectHasTheFieldsOfARealConnectEvent() throws Exception {
        JsonNode real = JSON.readTree(Path.of("../../src/test/resources/events/connect.json").toFile());
        JsonNode local = ProxyEvents.connect(CONNECTION, Map.of("Host", List.of("localhost:3001"),
                "Sec-WebSocket-Extensions", List.of("permessage-deflate; client_max_window_bits"),
                "Sec-WebSocket-Key", List.of("q3Vf8tZcJm0s1bXkP2yWnA=="), "Sec-WebSocket-Version", List.of("13"),
                "Connection", List.of("Upgrade"), "Upgrade", List.of("websocket"),
                "User-Agent", List.of("Mozilla/5.0")), Map.of(), 3001, 1_795_684_442_119L);
        assertEquals(fields(real), fields(local));
        assertEquals(fields(real.get("requestContext")), fields(local.get("requestContext")));
        assertEquals(fields(real.get("headers")), fields(local.get("headers")),
                "the handshake's headers, less the hop-by-hop ones, plus the ones API Gateway adds");
        assertEquals(fields(real.get("multiValueHeaders")), fields(local.get("multiValueHeaders")));
        assertEquals("26/Nov/2026:09:14:02 +0000", local.get("requestContext").get("requestTime").asText());
        assertEquals(1_795_684_442_117L, local.get("requestContext").get("connectedAt").asLong());
    }

    @Test
    void disconnectHasTheFieldsOfARealDisconnectEvent() throws Exception {
        JsonNode real = JSON.readTree(Path.of("../../src/test/resources/events/disconnect.json").toFile());
        JsonNode local = ProxyEvents.disconnect(CONNECTION, ProxyEvents.Close.byClient((short) 1001), 1_795_685_500_201L);
        assertEquals(fields(real), fields(local));
        assertEquals(fields(real.get("requestContext")), fields(local.get("requestContext")));
        assertEquals(fields(real.get("headers")), fields(local.get("headers")));
        assertEquals(real.get("requestContext").get("disconnectReason"), local.get("requestContext").get("disconnectReason"));
        JsonNode noStatus = ProxyEvents.disconnect(CONNECTION, ProxyEvents.Close.byClient(null), 0).get("requestContext");
        assertEquals(1005, noStatus.get("disconnectStatusCode").asInt());
        assertEquals("Client-side close frame status not set", noStatus.get("disconnectReason").asText());
    }

    /** The shape of a real MESSAGE event (aws-lambda-go's events/testdata/apigw-websocket-request-send-message.json). */
    @Test
    void aMessageHasTheFieldsOfARealMessageEvent() throws Exception {
        JsonNode real = JSON.readTree(Path.of("src/test/resources/message-event.json").toFile());
        JsonNode local = ProxyEvents.message(CONNECTION, "sendmessage", "{\"action\":\"sendmessage\",\"data\":\"hello\"}",
                false, 1_795_684_811_402L);
        assertEquals(fields(real), fields(local));
        Set<String> context = fields(local.get("requestContext"));
        context.removeAll(Set.of("disconnectStatusCode", "disconnectReason")); // null in a message, as in other captures
        assertEquals(fields(real.get("requestContext")), context);
        assertEquals("MESSAGE", local.get("requestContext").get("eventType").asText());
        assertEquals("sendmessage", local.get("requestContext").get("routeKey").asText());
        assertTrue(local.get("requestContext").get("messageId").asText().matches("[A-Za-z0-9_-]{15}="));
        assertEquals(real.get("body"), local.get("body"));
        assertFalse(local.get("isBase64Encoded").asBoolean());
        assertTrue(ProxyEvents.message(CONNECTION, "$default", "AAE=", true, 0).get("isBase64Encoded").asBoolean());
    }

    @Test
    void idsLookLikeApiGatewaysAndDiffer() {
        String a = ProxyEvents.newId();
        assertEquals(16, a.length());
        assertFalse(a.equals(ProxyEvents.newId()));
        for (int i = 0; i < 1000; i++) {
            String id = ProxyEvents.newId();
            assertTrue(id.matches("[A-Za-z0-9_-]{15}="), "no '/' or '+': an id is a segment of an @connections URL: " + id);
        }
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
