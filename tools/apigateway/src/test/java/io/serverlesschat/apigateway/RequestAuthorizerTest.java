package io.serverlesschat.apigateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.serverlesschat.lambda.InvokeResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway with a REQUEST authorizer on $connect, against scripted functions and a real WebSocket client:
 * the event the authorizer gets, each of its answers as the handshake's status, and its principalId and
 * context in every later event of the connection.
 */
class RequestAuthorizerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private ScriptedFunction authorize;
    private ScriptedFunction connect;
    private ScriptedFunction disconnect;
    private ScriptedFunction message;
    private LocalGateway gateway;

    @BeforeEach
    void start() throws Exception {
        authorize = new ScriptedFunction();
        connect = new ScriptedFunction();
        disconnect = new ScriptedFunction();
        message = new ScriptedFunction();
        gateway = new LocalGateway(GatewaySettings.of("dev"),
                Map.of("$connect", connect, "$disconnect", disconnect, "sendmessage", message),
                new RequestAuthorizer("AuthorizerFunction", authorize, java.time.Duration.ofSeconds(5), List.of("route.request.querystring.token"), "us-east-1",
                        "123456789012"),
                lines::add).start(0);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    @Test
    void withoutTheIdentitySourceTheHandshakeGets401AndTheAuthorizerIsNotCalled() throws Exception {
        assertEquals(401, refusal(gateway.url()));
        assertEquals(401, refusal(URI.create(gateway.url() + "?token=")));
        assertEquals(401, refusal(URI.create(gateway.url() + "?room=general")));
        assertTrue(authorize.receivedNothingMore(), "the authorizer was called");
        assertTrue(connect.receivedNothingMore(), "$connect was called");
    }

    @Test
    void anAllowingPolicyOpensAndItsContextReachesEveryLaterEventOfTheConnection() throws Exception {
        authorize.answer(new InvokeResult.Payload(policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:*/dev/$connect",
                "{\"userName\":\"alice\",\"admin\":false,\"level\":3}")));
        WebSocketClient client = WebSocketClient.connect(http, URI.create(gateway.url() + "?token=tok.en.x&room=general"))
                .get(10, TimeUnit.SECONDS);

        JsonNode request = authorize.nextEvent();
        assertEquals("REQUEST", request.get("type").asText());
        JsonNode requestContext = request.get("requestContext");
        assertEquals("arn:aws:execute-api:us-east-1:123456789012:" + requestContext.get("apiId").asText() + "/dev/$connect",
                request.get("methodArn").asText());
        assertEquals("tok.en.x", request.get("queryStringParameters").get("token").asText());
        assertEquals("general", request.get("multiValueQueryStringParameters").get("room").get(0).asText());
        assertTrue(request.get("headers").has("Sec-WebSocket-Key"));
        assertTrue(request.get("stageVariables").isObject());
        assertEquals("$connect", requestContext.get("routeKey").asText());
        assertEquals("CONNECT", requestContext.get("eventType").asText());
        assertEquals("127.0.0.1", requestContext.get("identity").get("sourceIp").asText());
        assertFalse(requestContext.has("authorizer"));

        JsonNode connectContext = connect.nextEvent().get("requestContext");
        String id = connectContext.get("connectionId").asText();
        assertEquals(requestContext.get("connectionId").asText(), id, "the authorizer sees the connection's id");
        assertAuthorizer(connectContext.get("authorizer"));

        client.socket.sendText("{\"action\":\"sendmessage\"}", true).get(5, TimeUnit.SECONDS);
        assertAuthorizer(message.nextEvent().get("requestContext").get("authorizer"));

        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        JsonNode disconnectContext = disconnect.nextEvent().get("requestContext");
        assertEquals(id, disconnectContext.get("connectionId").asText());
        assertAuthorizer(disconnectContext.get("authorizer"));
        assertTrue(lines.stream().noneMatch(l -> l.contains("tok.en.x")), "a token in bin/local's log: " + lines);
    }

    private static void assertAuthorizer(JsonNode authorizer) {
        assertEquals("user-1", authorizer.get("principalId").asText());
        assertEquals("alice", authorizer.get("userName").asText());
        assertTrue(authorizer.get("admin").isBoolean());
        assertEquals(3, authorizer.get("level").asInt());
        assertTrue(authorizer.get("integrationLatency").isNumber());
    }

    @Test
    void eachOtherAnswerRefusesTheHandshakeAsApiGatewayDoes() throws Exception {
        URI url = URI.create(gateway.url() + "?token=t");
        authorize.answer(new InvokeResult.Payload(policy("Deny", "arn:aws:execute-api:us-east-1:123456789012:*", null)));
        assertEquals(403, refusal(url));
        authorize.answer(new InvokeResult.Payload(policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:other/dev/$connect", null)));
        assertEquals(403, refusal(url), "allowed on another API only");
        authorize.answer(new InvokeResult.FunctionError("io.serverlesschat.connect.Unauthorized", "Unauthorized",
                "{\"errorMessage\":\"Unauthorized\"}"));
        assertEquals(401, refusal(url));
        authorize.answer(new InvokeResult.FunctionError("java.lang.IllegalStateException", "boom", "{\"errorMessage\":\"boom\"}"));
        assertEquals(500, refusal(url));
        authorize.answer(new InvokeResult.TimedOut("no answer within 5 s"));
        assertEquals(500, refusal(url));
        authorize.answer(new InvokeResult.Payload("{\"principalId\":\"u\"}"));
        assertEquals(500, refusal(url), "no policy");
        authorize.answer(new InvokeResult.Payload(policy("Allow", "*", "{\"nested\":{\"a\":1}}")));
        assertEquals(500, refusal(url), "a context value that is an object");
        assertTrue(connect.receivedNothingMore(), "$connect was called for a refused handshake");
    }

    @Test
    void iamWildcardsMatchTheMethodArn() {
        String arn = "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/$connect";
        assertTrue(RequestAuthorizer.matches("arn:aws:execute-api:eu-west-1:123456789012:abc/*", arn));
        assertTrue(RequestAuthorizer.matches("arn:aws:execute-api:*:*:ab?/dev/$connect", arn));
        assertFalse(RequestAuthorizer.matches("arn:aws:execute-api:eu-west-1:123456789012:abc/prod/*", arn));
        assertTrue(RequestAuthorizer.matches("execute-api:*", "execute-api:Invoke"));
        assertTrue(RequestAuthorizer.matches("EXECUTE-API:invoke", "execute-api:Invoke"));
    }

    private static String policy(String effect, String resource, String context) {
        return "{\"principalId\":\"user-1\",\"policyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Action\":"
                + "\"execute-api:Invoke\",\"Effect\":\"" + effect + "\",\"Resource\":[\"" + resource + "\"]}]}"
                + (context == null ? "" : ",\"context\":" + context) + "}";
    }

    private int refusal(URI url) {
        CompletionException refused = assertThrows(CompletionException.class,
                () -> http.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).join());
        return assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode();
    }
}
