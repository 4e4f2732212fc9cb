package io.serverlesschat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
        JsonNode local = ProxyEvents.disconnect(CONNECTION, 1001, 1_795_685_500_201L);
        assertEquals(fields(real), fields(local));
        assertEquals(fields(real.get("requestContext")), fields(local.get("requestContext")));
        assertEquals(fields(real.get("headers")), fields(local.get("headers")));
        assertEquals(real.get("requestContext").get("disconnectReason"), local.get("requestContext").get("disconnectReason"));
        assertEquals(1005, ProxyEvents.disconnect(CONNECTION, null, 0).get("requestContext").get("disconnectStatusCode").asInt());
    }

    @Test
    void idsLookLikeApiGatewaysAndDiffer() {
        String a = ProxyEvents.newId();
        assertEquals(16, a.length());
        assertFalse(a.equals(ProxyEvents.newId()));
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
