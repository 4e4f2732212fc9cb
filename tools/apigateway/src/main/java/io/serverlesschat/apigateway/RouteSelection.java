package io.serverlesschat.apigateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WebSocket API's RouteSelectionExpression, evaluated against a message as API Gateway does: the
 * expression names a field of the JSON body ({@code $request.body.action}, nested as
 * {@code $request.body.meta.action}), or is a template of such fields and literal text
 * ({@code ${request.body.type}-${request.body.action}}). A message whose body is not JSON, or that
 * lacks a field (or holds an object or array there), selects no route: it goes to $default.
 */
final class RouteSelection {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BODY = "request.body.";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    /** Literal text and field paths, in order; a path is a list of field names. */
    private final List<Object> parts;

    private RouteSelection(List<Object> parts) {
        this.parts = parts;
    }

    /** @throws IllegalArgumentException for an expression API Gateway would not take for a WebSocket API */
    static RouteSelection parse(String expression) {
        List<Object> parts = new ArrayList<>();
        if (expression.startsWith("$" + BODY) && !expression.contains("${")) {
            parts.add(path(expression.substring(1), expression));
            return new RouteSelection(parts);
        }
        Matcher m = PLACEHOLDER.matcher(expression);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                parts.add(expression.substring(at, m.start()));
            }
            parts.add(path(m.group(1), expression));
            at = m.end();
        }
        if (at < expression.length()) {
            parts.add(expression.substring(at));
        }
        if (parts.stream().noneMatch(List.class::isInstance)) {
            throw new IllegalArgumentException("the RouteSelectionExpression " + expression
                    + " names no field of the message body ($request.body.FIELD or ${request.body.FIELD})");
        }
        return new RouteSelection(parts);
    }

    private static List<String> path(String reference, String expression) {
        if (!reference.startsWith(BODY) || reference.length() == BODY.length()) {
            throw new IllegalArgumentException("the RouteSelectionExpression " + expression
                    + " selects on " + reference + ": a WebSocket API selects routes on the message body ($request.body.FIELD)");
        }
        return List.of(reference.substring(BODY.length()).split("\\."));
    }

    /** The route key the message selects, or null when it selects none (the message goes to $default). */
    String select(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
        if (json == null || !json.isObject()) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String literal) {
                key.append(literal);
                continue;
            }
            JsonNode value = json;
            for (Object field : (List<?>) part) {
                value = value.path((String) field);
            }
            if (!value.isValueNode() || value.isNull()) {
                return null;
            }
            key.append(value.asText());
        }
        return key.isEmpty() ? null : key.toString();
    }
}
