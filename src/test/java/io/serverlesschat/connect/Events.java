package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;

/** Real-shaped API Gateway events from src/test/resources/events, with a fresh connection id per test. */
final class Events {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Events() {
    }

    /** The JSON of an event file, with its connectionId replaced (removed when {@code connectionId} is null). */
    static ObjectNode json(String file, String connectionId) {
        try (InputStream in = Events.class.getResourceAsStream("/events/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no event file " + file);
            }
            ObjectNode event = (ObjectNode) JSON.readTree(in);
            ObjectNode context = (ObjectNode) event.get("requestContext");
            if (connectionId == null) {
                context.remove("connectionId");
            } else {
                context.put("connectionId", connectionId);
            }
            return event;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh id in API Gateway's shape (16 base64 characters). */
    static String newConnectionId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 15) + "=";
    }

    /** ../shared/events/connect.json as the event class the handler receives. */
    static APIGatewayV2WebSocketEvent connect(String connectionId) {
        return JSON.convertValue(json("connect.json", connectionId), APIGatewayV2WebSocketEvent.class);
    }
}
