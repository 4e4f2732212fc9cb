package io.serverlesschat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway against scripted functions: what it sends them, and what it does with their answers. */
class LocalGatewayTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private ScriptedFunction connect;
    private ScriptedFunction disconnect;
    private LocalGateway gateway;

    @BeforeEach
    void start() throws Exception {
        connect = new ScriptedFunction();
        disconnect = new ScriptedFunction();
        gateway = new LocalGateway("dev", Map.of("$connect", connect.endpoint(), "$disconnect", disconnect.endpoint()),
                line -> { }).start(0);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        connect.close();
        disconnect.close();
    }

    @Test
    void sendsAConnectEventShapedLikeApiGatewaysAndOpensOn200() throws Exception {
        WebSocket socket = open(URI.create(gateway.url() + "?room=general&room=random&token=abc"), "chat-test/1.0");
        JsonNode event = connect.nextEvent();
        JsonNode context = event.get("requestContext");
        assertEquals("$connect", context.get("routeKey").asText());
        assertEquals("CONNECT", context.get("eventType").asText());
        assertEquals("dev", context.get("stage").asText());
        assertTrue(context.get("connectionId").asText().matches("[A-Za-z0-9+/]{15}="), context.get("connectionId").asText());
        assertEquals("localhost:" + gateway.port(), context.get("domainName").asText());
        assertTrue(context.get("apiId").asText().matches("[a-z0-9]{10}"));
        long connectedAt = context.get("connectedAt").asLong();
        assertTrue(Math.abs(System.currentTimeMillis() - connectedAt) < 10_000, "epoch milliseconds: " + connectedAt);
        assertEquals("127.0.0.1", context.get("identity").get("sourceIp").asText());
        assertEquals("chat-test/1.0", context.get("identity").get("userAgent").asText());
        assertEquals("chat-test/1.0", event.get("headers").get("User-Agent").asText());
        assertTrue(event.get("headers").has("Sec-WebSocket-Key"));
        assertEquals("13", event.get("headers").get("Sec-WebSocket-Version").asText());
        assertTrue(!event.get("headers").has("Upgrade") && !event.get("headers").has("Connection"));
        assertEquals("random", event.get("queryStringParameters").get("room").asText());
        assertEquals(2, event.get("multiValueQueryStringParameters").get("room").size());
        assertEquals("abc", event.get("queryStringParameters").get("token").asText());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void refusesTheHandshakeWithTheFunctionsStatus() throws Exception {
        connect.answer(500);
        CompletionException refused = assertThrows(CompletionException.class, () -> open(gateway.url(), "t"));
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
        assertEquals(500, handshake.getResponse().statusCode());
        connect.nextEvent();
        assertTrue(disconnect.receivedNothingMore(), "no $disconnect for a connection that never opened");

        connect.answer(401);
        refused = assertThrows(CompletionException.class, () -> open(gateway.url(), "t"));
        assertEquals(401, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
    }

    @Test
    void sendsDisconnectWithTheCloseStatusWhenTheClientCloses() throws Exception {
        WebSocket socket = open(gateway.url(), "t");
        String id = connect.nextEvent().get("requestContext").get("connectionId").asText();
        socket.sendClose(1001, "going away").get(5, TimeUnit.SECONDS);

        JsonNode context = disconnect.nextEvent().get("requestContext");
        assertEquals("$disconnect", context.get("routeKey").asText());
        assertEquals("DISCONNECT", context.get("eventType").asText());
        assertEquals(id, context.get("connectionId").asText());
        assertEquals(1001, context.get("disconnectStatusCode").asInt());
        assertEquals("Client-side close frame status set to 1001", context.get("disconnectReason").asText());
    }

    @Test
    void closingTheGatewayDisconnectsOpenSockets() throws Exception {
        open(gateway.url(), "t");
        String id = connect.nextEvent().get("requestContext").get("connectionId").asText();
        gateway.close();
        JsonNode context = disconnect.nextEvent().get("requestContext");
        assertEquals(id, context.get("connectionId").asText());
        gateway = new LocalGateway("dev", Map.of(), line -> { }).start(0);
    }

    @Test
    void passesTheClientsRealOriginToTheConnectEvent() throws Exception {
        WebSocket socket = http.newWebSocketBuilder().header("Origin", "https://chat.example.com")
                .buildAsync(gateway.url(), new WebSocket.Listener() { }).join();
        JsonNode event = connect.nextEvent();
        assertEquals("https://chat.example.com", event.get("headers").get("Origin").asText());
        assertEquals("https://chat.example.com", event.get("multiValueHeaders").get("Origin").get(0).asText());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);

        open(gateway.url(), "wscat");
        assertFalse(connect.nextEvent().get("headers").has("Origin"), "a client that sends none gets none");
    }

    @Test
    void aBurstOverTheStagesThrottlingIsRefusedWith429AndTheGatewayRecovers() throws Exception {
        // One new connection every 2 s, two at once: the third handshake in a row is over the limit.
        try (LocalGateway throttled = new LocalGateway("dev", new SamTemplate.Throttling(0.5, 2),
                Map.of("$connect", connect.endpoint()), line -> { }).start(0)) {
            open(throttled.url(), "t");
            open(throttled.url(), "t");
            connect.nextEvent();
            connect.nextEvent();

            CompletionException refused = assertThrows(CompletionException.class, () -> open(throttled.url(), "t"));
            WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
            assertEquals(429, handshake.getResponse().statusCode());
            assertTrue(connect.receivedNothingMore(), "a throttled handshake never reaches the function");

            Thread.sleep(2_100);
            open(throttled.url(), "t");
            assertEquals("$connect", connect.nextEvent().get("requestContext").get("routeKey").asText(),
                    "once the burst is over, the next handshake goes through");
        }
    }

    @Test
    void refusesAnotherStage() {
        CompletionException refused = assertThrows(CompletionException.class,
                () -> open(URI.create("ws://localhost:" + gateway.port() + "/prod"), "t"));
        assertEquals(403, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
    }

    @Test
    void answersMessagesLikeAnApiWithoutMessageRoutes() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(gateway.url(), new WebSocket.Listener() {
            @Override
            public CompletableFuture<?> onText(WebSocket ws, CharSequence data, boolean last) {
                reply.complete(data.toString());
                return null;
            }
        }).join();
        socket.sendText("{\"action\":\"sendmessage\",\"data\":\"hi\"}", true);
        assertTrue(reply.get(5, TimeUnit.SECONDS).contains("\"message\":\"Forbidden\""));
    }

    private WebSocket open(URI url, String userAgent) {
        return http.newWebSocketBuilder().header("User-Agent", userAgent)
                .buildAsync(url, new WebSocket.Listener() { }).join();
    }
}
