package io.serverlesschat.coldstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Real-shaped $connect events from a captured one (the function's src/test/resources/events/connect.json),
 * each with a connection id of its own (so every cold start writes a new item, as a real connect does)
 * and the current time.
 */
public final class ConnectEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final ObjectNode template;
    private final SecureRandom random = new SecureRandom();

    public ConnectEvents(Path template) {
        try {
            this.template = (ObjectNode) JSON.readTree(Files.readString(template));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the event template " + template, e);
        }
        if (!template().path("requestContext").path("connectionId").isTextual()) {
            throw new IllegalArgumentException(template + " is not a $connect event (no requestContext.connectionId)");
        }
    }

    private ObjectNode template() {
        return template;
    }

    /** A fresh id shaped like API Gateway's (16 characters, ending in '='), starting with "bench". */
    public String newConnectionId() {
        StringBuilder id = new StringBuilder("bench");
        while (id.length() < 15) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return id.append('=').toString();
    }

    /** The event for {@code connectionId}, connected now. */
    public String event(String connectionId) {
        return event(connectionId, null);
    }

    /** As {@link #event(String)}, with {@code token} as the query string's token (an authorizer's event), unless null. */
    public String event(String connectionId, String token) {
        ObjectNode event = template.deepCopy();
        if (token != null) {
            event.with("queryStringParameters").put("token", token);
            event.with("multiValueQueryStringParameters").putArray("token").add(token);
        }
        ObjectNode context = (ObjectNode) event.get("requestContext");
        long now = System.currentTimeMillis();
        context.put("connectionId", connectionId);
        context.put("connectedAt", now);
        context.put("requestTimeEpoch", now);
        try {
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
