package io.serverlesschat.connect;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The authorizer route end to end: a real-shaped REQUEST event of a WebSocket $connect through Quarkus' mock
 * event server into the function started as QUARKUS_LAMBDA_HANDLER=authorize, against a real key set over
 * HTTP. Its answers are checked as the exact JSON API Gateway reads.
 */
@QuarkusTest
@TestProfile(TokenAuthorizerTest.AuthorizerRoute.class)
@WithTestResource(TestIssuerResource.class)
class TokenAuthorizerTest {

    /**
     * The authorizer's function: the same zip, its own route; a DynamoDB endpoint nothing listens on. Every
     * unknown key fetches the key set again here (TokenVerifierTest covers the interval).
     */
    public static class AuthorizerRoute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", TokenAuthorizer.NAME,
                    "quarkus.dynamodb.endpoint-override", "http://127.0.0.1:9",
                    "authorizer.key-set-refetch-interval", "0s");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/$connect";

    @TestIssuerResource.Inject
    TestIssuer issuer;

    @AfterEach
    void answerKeys() {
        issuer.answer(TestIssuer.Answer.KEYS);
    }

    /** The event as API Gateway sends it for a handshake carrying {@code token} in its query string (null: none). */
    private static ObjectNode event(String token) {
        ObjectNode event = Events.json("authorizer-connect.json", Events.newConnectionId());
        for (String map : List.of("queryStringParameters", "multiValueQueryStringParameters")) {
            ObjectNode parameters = (ObjectNode) event.get(map);
            if (token == null) {
                parameters.remove("token");
            } else if (map.startsWith("multi")) {
                parameters.putArray("token").add(token);
            } else {
                parameters.put("token", token);
            }
        }
        return event;
    }

    private static Response post(ObjectNode event) {
        return given().contentType("application/json").body(event.toString()).post();
    }

    @Test
    void aValidTokenGetsAnAllowForThisConnectOnlyWithTheUsersContext() throws Exception {
        Response response = post(event(issuer.token()));
        assertEquals(200, response.statusCode(), response::asString);
        JsonNode expected = JSON.readTree("""
                {"principalId":"%s",
                 "policyDocument":{"Version":"2012-10-17",
                   "Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"%s"}]},
                 "context":{"sub":"%s","userName":"alice","email":"alice@example.com"}}
                """.formatted(TestIssuer.SUBJECT, METHOD_ARN, TestIssuer.SUBJECT));
        assertEquals(expected, JSON.readTree(response.asString()), "exactly what API Gateway reads, nothing else (no statusCode)");
    }

    @Test
    void aBadTokenGetsAnExplicitDenyAndNoContext() throws Exception {
        String expired = issuer.token(c -> {
            c.setIssuedAt(TestIssuer.inSeconds(-7200));
            c.setExpirationTime(TestIssuer.inSeconds(-3600));
        });
        Response response = post(event(expired));
        assertEquals(200, response.statusCode(), "a Deny is an answer, not a failure");
        assertEquals(JSON.readTree("""
                {"principalId":"anonymous",
                 "policyDocument":{"Version":"2012-10-17",
                   "Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"%s"}]}}
                """.formatted(METHOD_ARN)), JSON.readTree(response.asString()));
    }

    /** What Lambda reports to API Gateway for a failed invocation: its error type and message. */
    @Test
    void noTokenFailsTheInvocationWithUnauthorized() throws Exception {
        try (CapturedLog log = CapturedLog.start("")) {
            Response response = post(event(null));
            JsonNode error = JSON.readTree(response.asString());
            assertEquals("Unauthorized", error.get("errorMessage").asText(), "API Gateway's 401: " + error);
            assertEquals(Unauthorized.class.getName(), error.get("errorType").asText());
            assertEquals(List.of("WARN"), log.lines().stream().map(CapturedLog.Line::level).toList(),
                    () -> "the authorizer's line only, no error line of Quarkus: " + log.lines());
            Map<String, String> fields = log.lines().get(0).fields();
            assertEquals("unauthorized", fields.get("outcome"));
            assertEquals("401", fields.get("status"));
            assertEquals("no token in route.request.querystring.token", fields.get("reason"));
            assertEquals(TokenAuthorizer.ROUTE, fields.get("route"));
            assertEquals("$connect", fields.get("routeKey"));
        }
    }

    @Test
    void aKeySetThatCannotBeFetchedFailsTheInvocationWithOneLine() throws Exception {
        var stranger = TestIssuer.key("kid-this-issuer-never-had", "RSA", null);
        String unknownKid = TestIssuer.sign(stranger.getKeyId(), stranger.getPrivateKey(), "RS256", issuer.claims(c -> { }));
        issuer.answer(TestIssuer.Answer.ERROR);
        try (CapturedLog log = CapturedLog.start("")) {
            JsonNode error = JSON.readTree(post(event(unknownKid)).asString());
            assertEquals("Authorizer failed", error.get("errorMessage").asText(), "not Unauthorized: API Gateway's 500");
            assertEquals(1, log.lines().size(), () -> "one line: " + log.lines());
            CapturedLog.Line line = log.lines().get(0);
            assertEquals("ERROR", line.level());
            assertEquals("failed", line.fields().get("outcome"));
            assertEquals("key set unavailable", line.fields().get("reason"));
            assertTrue(line.message().contains(issuer.keySetUrl() + " answered HTTP 503"), line.message());
        }
    }

    @Test
    void anEventWithoutMethodArnIsNoAuthorizersEventAndFails() throws Exception {
        ObjectNode event = event(issuer.token());
        event.remove("methodArn");
        try (CapturedLog log = CapturedLog.start()) {
            assertEquals("Authorizer failed", JSON.readTree(post(event).asString()).get("errorMessage").asText());
            assertEquals("event has no methodArn", log.lines().get(0).fields().get("reason"));
        }
    }

    /**
     * Every outcome, with every log line of the process and everything written to stdout and stderr captured:
     * no token, no part of one (header, claims, signature) and no claim value appears anywhere.
     */
    @Test
    void noLineEverHoldsTheTokenOrAnyPartOfIt() throws Exception {
        var forger = TestIssuer.key("rsa-1", "RSA", null);
        List<String> tokens = List.of(
                issuer.token(),
                issuer.token(c -> c.setAudience("someone-elses-app")),
                issuer.token(c -> c.setIssuer("https://issuer.example.org")),
                issuer.token(c -> {
                    c.setIssuedAt(TestIssuer.inSeconds(-7200));
                    c.setExpirationTime(TestIssuer.inSeconds(-3600));
                }),
                TestIssuer.sign("rsa-1", forger.getPrivateKey(), "RS256", issuer.claims(c -> c.setSubject("mallory"))),
                TestIssuer.sign("rsa-1", new org.jose4j.keys.HmacKey(issuer.rsa.getPublicKey().getEncoded()), "HS256", issuer.claims(c -> { })),
                TestIssuer.sign("unknown-kid", forger.getPrivateKey(), "RS256", issuer.claims(c -> { })),
                issuer.token() + "tampered",
                "not.a.token");
        List<String> forbidden = new ArrayList<>();
        for (String token : tokens) {
            forbidden.add(token);
            for (String part : token.split("\\.")) {
                if (part.length() >= 8) {
                    forbidden.add(part);
                }
            }
        }
        forbidden.addAll(List.of(TestIssuer.SUBJECT, "alice@example.com", "mallory", "someone-elses-app", "issuer.example.org"));

        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        StringBuilder logged = new StringBuilder();
        try (CapturedLog log = CapturedLog.start("")) {
            System.setOut(new PrintStream(written, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(written, true, StandardCharsets.UTF_8));
            try {
                for (String token : tokens) {
                    post(event(token));
                }
                issuer.answer(TestIssuer.Answer.ERROR);
                post(event(tokens.get(6)));
                post(event(null));
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            assertEquals(tokens.size() + 2, log.lines().size(), () -> "one line per invocation: " + log.lines());
            log.lines().forEach(line -> logged.append(line).append('\n'));
        }
        String everything = logged + written.toString(StandardCharsets.UTF_8);
        assertTrue(everything.contains("allowed") && everything.contains("denied") && everything.contains("failed"), everything);
        for (String secret : forbidden) {
            assertFalse(everything.contains(secret), () -> "the log holds \"" + secret + "\":\n" + everything);
        }
    }

    /** The authorizer's function never builds a DynamoDB client nor opens a connection: it has no table access. */
    @Test
    void theAuthorizersFunctionBuildsNoTableClient() {
        post(event(issuer.token()));
        for (var scope : List.of(ApplicationScoped.class, Singleton.class)) {
            Arc.container().getActiveContext(scope).getState().getContextualInstances().keySet().forEach(bean ->
                    assertFalse(bean.getTypes().contains(ConnectionTable.class)
                            || bean.getTypes().contains(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class),
                            "built: " + bean));
        }
    }
}
