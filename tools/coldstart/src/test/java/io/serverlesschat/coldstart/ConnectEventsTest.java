package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConnectEventsTest {

    private final ConnectEvents events = new ConnectEvents(Path.of("../../src/test/resources/events/connect.json"));

    @Test
    void eachEventIsTheCapturedOneWithItsOwnConnectionAndTime() throws Exception {
        String a = events.newConnectionId();
        String b = events.newConnectionId();
        assertNotEquals(a, b);
        assertEquals(16, a.length(), "as long as API Gateway's ids");
        long before = System.currentTimeMillis();
        JsonNode event = new ObjectMapper().readTree(events.event(a));
        JsonNode context = event.path("requestContext");
        assertEquals(a, context.path("connectionId").asText());
        assertEquals("$connect", context.path("routeKey").asText());
        assertEquals("a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", context.path("domainName").asText());
        assertTrue(context.path("connectedAt").asLong() >= before);
        assertEquals("permessage-deflate; client_max_window_bits", event.path("headers").path("Sec-WebSocket-Extensions").asText());
    }
}
