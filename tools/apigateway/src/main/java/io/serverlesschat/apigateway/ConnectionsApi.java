package io.serverlesschat.apigateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * API Gateway's @connections API (the ApiGatewayManagementApi service, 2018-11-29) on the gateway's port,
 * at /{stage}/@connections/{connectionId}, as the AWS CLI and SDKs call it with --endpoint-url
 * http://localhost:PORT/{stage}:
 * <ul>
 * <li>POST (PostToConnection): the body goes to the client as one message, a text frame when it is UTF-8,
 * a binary frame otherwise; 200. Over 128 KB: 413 PayloadTooLargeException.</li>
 * <li>GET (GetConnection): 200 with connectedAt, lastActiveAt (ISO 8601) and identity (sourceIp, userAgent).</li>
 * <li>DELETE (DeleteConnection): closes the client's socket, which runs $disconnect; 204.</li>
 * <li>A connection that is not open (never was, or closed): 410 GoneException. A client too slow to read
 * more: 429 LimitExceededException. Another stage, path or method: 403 ForbiddenException.</li>
 * </ul>
 * Every answer carries a request id in x-amzn-RequestId, as API Gateway's do (the SDKs put it in their
 * exceptions and logs); errors carry their type in x-amzn-ErrorType, which the SDKs read. Requests are not authenticated:
 * the SDKs' SigV4 signatures are accepted unchecked, whatever the credentials.
 */
final class ConnectionsApi {

    /** What the API does with a connection the gateway holds open. */
    interface OpenConnection {
        ProxyEvents.Connection connection();

        /** When a message last went either way (epoch milliseconds). */
        long lastActiveAt();

        /** The client reads too slowly to take more. */
        boolean congested();

        /** Sends one message; fails when the connection closed meanwhile. */
        CompletableFuture<Void> send(String text);

        CompletableFuture<Void> send(Buffer binary);

        /** Closes it as DeleteConnection does (and so runs $disconnect). */
        void delete();
    }

    private static final String PATH = "/@connections/";

    private final String stage;
    private final int messageLimit;
    private final Function<String, OpenConnection> clients;
    private final Consumer<String> log;

    /**
     * @param messageLimit API Gateway's message payload quota, in bytes
     * @param clients      the open connection with an id, or null
     */
    ConnectionsApi(String stage, int messageLimit, Function<String, OpenConnection> clients, Consumer<String> log) {
        this.stage = stage;
        this.messageLimit = messageLimit;
        this.clients = clients;
        this.log = log;
    }

    boolean handles(HttpServerRequest request) {
        return request.path().contains(PATH);
    }

    void handle(HttpServerRequest request) {
        request.response().putHeader("x-amzn-RequestId", UUID.randomUUID().toString());
        String path = request.path();
        int at = path.indexOf(PATH);
        String id = at < 0 ? "" : decode(path.substring(at + PATH.length()));
        if (!path.substring(0, at).equals("/" + stage) || id.isEmpty() || id.contains("/")) {
            error(request, 403, "ForbiddenException", "Forbidden");
            return;
        }
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.POST)) {
            post(request, id);
        } else if (method.equals(HttpMethod.GET)) {
            get(request, id);
        } else if (method.equals(HttpMethod.DELETE)) {
            delete(request, id);
        } else {
            error(request, 403, "ForbiddenException", "Forbidden");
        }
    }

    private void post(HttpServerRequest request, String id) {
        Buffer body = Buffer.buffer();
        boolean[] tooLarge = {false};
        request.handler(chunk -> {
            // Counted, not kept, past the quota: an oversized post must not fill the gateway's memory.
            if (!tooLarge[0] && body.length() + chunk.length() > messageLimit) {
                tooLarge[0] = true;
            } else if (!tooLarge[0]) {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(end -> {
            if (tooLarge[0]) {
                log.accept("@connections POST " + id + " -> 413: over the " + messageLimit / 1024 + " KB message quota");
                error(request, 413, "PayloadTooLargeException", "Request Entity Too Large");
                return;
            }
            OpenConnection client = clients.apply(id);
            if (client == null) {
                gone(request, "POST", id);
                return;
            }
            if (client.congested()) {
                error(request, 429, "LimitExceededException", "the client reads too slowly for more");
                return;
            }
            String text = utf8(body);
            (text != null ? client.send(text) : client.send(body)).whenComplete((sent, failed) -> {
                if (failed != null) {
                    gone(request, "POST", id); // it closed meanwhile
                } else {
                    log.accept("@connections POST " + id + " -> 200 (" + body.length() + " bytes, " + (text != null ? "text" : "binary") + ")");
                    request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end();
                }
            });
        });
    }

    private void get(HttpServerRequest request, String id) {
        OpenConnection client = clients.apply(id);
        if (client == null) {
            gone(request, "GET", id);
            return;
        }
        ProxyEvents.Connection connection = client.connection();
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("connectedAt", Instant.ofEpochMilli(connection.connectedAt()).toString());
        ObjectNode identity = answer.putObject("identity");
        identity.put("sourceIp", connection.sourceIp());
        if (connection.userAgent() != null) {
            identity.put("userAgent", connection.userAgent());
        }
        answer.put("lastActiveAt", Instant.ofEpochMilli(client.lastActiveAt()).toString());
        request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(answer.toString());
    }

    private void delete(HttpServerRequest request, String id) {
        OpenConnection client = clients.apply(id);
        if (client == null) {
            gone(request, "DELETE", id);
            return;
        }
        client.delete();
        log.accept("@connections DELETE " + id + " -> 204");
        request.response().setStatusCode(204).end();
    }

    private void gone(HttpServerRequest request, String method, String id) {
        log.accept("@connections " + method + " " + id + " -> 410: no such connection is open");
        error(request, 410, "GoneException", "no connection " + id + " is open");
    }

    private static void error(HttpServerRequest request, int status, String type, String message) {
        request.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("x-amzn-ErrorType", type)
                .end(JsonNodeFactory.instance.objectNode().put("message", message).toString());
    }

    /** The body as text when it is valid UTF-8, else null (it goes as a binary frame). */
    private static String utf8(Buffer body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body.getBytes())).toString();
        } catch (CharacterCodingException binary) {
            return null;
        }
    }

    /** Percent-escapes only: '+' is a character of ids in some encodings, never a space here. */
    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
