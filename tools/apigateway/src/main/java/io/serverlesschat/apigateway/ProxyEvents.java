package io.serverlesschat.apigateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Lambda proxy events API Gateway's WebSocket API sends to $connect, to a message's route and to
 * $disconnect, in the shape of real ones (see src/test/resources/events; a MESSAGE event as in
 * aws-lambda-go's events/testdata/apigw-websocket-request-send-message.json: no headers, the frame's
 * text as body), for a connection to the local gateway.
 */
final class ProxyEvents {

    /**
     * One WebSocket connection as API Gateway knows it.
     *
     * @param authorizer what its $connect authorizer answered ({@code principalId}, {@code integrationLatency}
     *                   and the context's values), which every event of the connection carries; null without one
     */
    record Connection(String connectionId, long connectedAt, String sourceIp, String userAgent, String domainName,
            String stage, String apiId, ObjectNode authorizer) {

        /** A connection without an authorizer (yet). */
        Connection(String connectionId, long connectedAt, String sourceIp, String userAgent, String domainName, String stage,
                String apiId) {
            this(connectionId, connectedAt, sourceIp, userAgent, domainName, stage, apiId, null);
        }

        Connection withAuthorizer(ObjectNode authorizer) {
            return new Connection(connectionId, connectedAt, sourceIp, userAgent, domainName, stage, apiId, authorizer);
        }
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    // API Gateway drops the hop-by-hop handshake headers; the rest reach the function as the client sent them.
    private static final Set<String> DROPPED_HEADERS = Set.of("connection", "upgrade", "content-length");

    private ProxyEvents() {
    }

    /** Why a connection ended, as $disconnect tells it (and the close frame, when the gateway closes it; docs/local.md). */
    record Close(int statusCode, String reason) {
        static final Close IDLE = new Close(1001, "Going away");
        static final Close TOO_OLD = new Close(1001, "Going away");
        static final Close TOO_BIG = new Close(1009, "Message too big");
        static final Close DELETED = new Close(1000, "Connection Closed Normally");
        static final Close SHUTDOWN = new Close(1001, "Going away");

        /** The client's close frame, or none (it closed its TCP connection, or vanished). */
        static Close byClient(Short status) {
            return status == null
                    ? new Close(1005, "Client-side close frame status not set")
                    : new Close(status, "Client-side close frame status set to " + status);
        }
    }

    /**
     * An id in API Gateway's format: 11 random bytes in URL-safe base64 ('-' and '_', as in real ids
     * such as JC1dgf9yoAMCK-g=), 16 characters ending in '=': an id goes in @connections URLs as it is.
     */
    static String newId() {
        byte[] bytes = new byte[11];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().encodeToString(bytes);
    }

    /** 10 lowercase letters and digits, like an API id. */
    static String newApiId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    static ObjectNode connect(Connection connection, Map<String, List<String>> headers, Map<String, List<String>> query,
            int port, long now) {
        ObjectNode event = JSON.objectNode();
        ObjectNode single = event.putObject("headers");
        ObjectNode multi = event.putObject("multiValueHeaders");
        headers.forEach((name, values) -> {
            if (!DROPPED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                put(single, multi, name, values);
            }
        });
        forwardedHeaders(single, multi, connection, port, now);
        if (!query.isEmpty()) {
            ObjectNode queryStrings = event.putObject("queryStringParameters");
            ObjectNode multiQueryStrings = event.putObject("multiValueQueryStringParameters");
            query.forEach((name, values) -> put(queryStrings, multiQueryStrings, name, values));
        }
        requestContext(event, connection, "$connect", "CONNECT", now);
        event.put("isBase64Encoded", false);
        return event;
    }

    /**
     * The event of a Lambda REQUEST authorizer on $connect, as in "Control access to WebSocket APIs with AWS Lambda
     * REQUEST authorizers" (API Gateway Developer Guide): the handshake's headers as the client sent them (the
     * hop-by-hop ones too), its query string, the stage variables, and the $connect request context without
     * the fields of other event types.
     */
    static ObjectNode authorizerRequest(Connection connection, String methodArn, Map<String, List<String>> headers,
            Map<String, List<String>> query, int port, long now) {
        ObjectNode event = JSON.objectNode();
        event.put("type", "REQUEST");
        event.put("methodArn", methodArn);
        ObjectNode single = event.putObject("headers");
        ObjectNode multi = event.putObject("multiValueHeaders");
        headers.forEach((name, values) -> put(single, multi, name, values));
        forwardedHeaders(single, multi, connection, port, now);
        ObjectNode queryStrings = event.putObject("queryStringParameters");
        ObjectNode multiQueryStrings = event.putObject("multiValueQueryStringParameters");
        query.forEach((name, values) -> put(queryStrings, multiQueryStrings, name, values));
        event.putObject("stageVariables");
        ObjectNode context = requestContext(event, connection, "$connect", "CONNECT", now);
        context.remove(List.of("disconnectStatusCode", "messageId", "disconnectReason", "authorizer"));
        return event;
    }

    private static void forwardedHeaders(ObjectNode single, ObjectNode multi, Connection connection, int port, long now) {
        put(single, multi, "X-Amzn-Trace-Id", List.of(String.format("Root=1-%08x-%s", now / 1000, hex(12))));
        put(single, multi, "X-Forwarded-For", List.of(connection.sourceIp()));
        put(single, multi, "X-Forwarded-Port", List.of(Integer.toString(port)));
        put(single, multi, "X-Forwarded-Proto", List.of("http"));
    }

    /** A message for {@code routeKey}: a text frame's text, or a binary frame's bytes in base64. */
    static ObjectNode message(Connection connection, String routeKey, String body, boolean base64, long now) {
        ObjectNode event = JSON.objectNode();
        requestContext(event, connection, routeKey, "MESSAGE", now).put("messageId", newId());
        event.put("body", body);
        event.put("isBase64Encoded", base64);
        return event;
    }

    static ObjectNode disconnect(Connection connection, Close close, long now) {
        ObjectNode event = JSON.objectNode();
        ObjectNode single = event.putObject("headers");
        ObjectNode multi = event.putObject("multiValueHeaders");
        put(single, multi, "Host", List.of(connection.domainName()));
        for (String name : List.of("x-api-key", "X-Forwarded-For", "x-restapi")) {
            put(single, multi, name, List.of(""));
        }
        ObjectNode context = requestContext(event, connection, "$disconnect", "DISCONNECT", now);
        context.put("disconnectStatusCode", close.statusCode());
        context.put("disconnectReason", close.reason());
        event.put("isBase64Encoded", false);
        return event;
    }

    private static ObjectNode requestContext(ObjectNode event, Connection connection, String routeKey, String eventType,
            long now) {
        String requestId = newId();
        ObjectNode context = event.putObject("requestContext");
        context.put("routeKey", routeKey);
        context.putNull("disconnectStatusCode");
        context.putNull("messageId");
        context.put("eventType", eventType);
        context.put("extendedRequestId", requestId);
        context.put("requestTime", REQUEST_TIME.format(Instant.ofEpochMilli(now)));
        context.put("messageDirection", "IN");
        context.putNull("disconnectReason");
        context.put("stage", connection.stage());
        context.put("connectedAt", connection.connectedAt());
        context.put("requestTimeEpoch", now);
        ObjectNode identity = context.putObject("identity");
        if (connection.userAgent() != null) {
            identity.put("userAgent", connection.userAgent());
        }
        identity.put("sourceIp", connection.sourceIp());
        if (connection.authorizer() != null) {
            context.set("authorizer", connection.authorizer().deepCopy());
        }
        context.put("requestId", requestId);
        context.put("domainName", connection.domainName());
        context.put("connectionId", connection.connectionId());
        context.put("apiId", connection.apiId());
        return context;
    }

    /** API Gateway keeps the last value of a repeated name in the single-value map, all of them in the other. */
    private static void put(ObjectNode single, ObjectNode multi, String name, List<String> values) {
        single.put(name, values.get(values.size() - 1));
        values.forEach(multi.putArray(name)::add);
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        StringBuilder hex = new StringBuilder();
        for (byte b : random) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
