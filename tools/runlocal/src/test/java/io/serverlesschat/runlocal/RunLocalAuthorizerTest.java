package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.apigateway.WebSocketClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/local on a template with a Lambda REQUEST authorizer on $connect whose function is a real Lambda-runtime
 * process (a shell bootstrap deciding by the token), so that every answer an authorizer can give is played
 * through the template, the Lambda emulation and the gateway, with a real WebSocket client: allow (its
 * principalId and context reach $connect, a later route and $disconnect), deny, Unauthorized, an error, and
 * no answer within the function's timeout.
 */
class RunLocalAuthorizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    // Answers {"statusCode":200,"body":"<the event>"} and appends the event to EVENTS_FILE.
    private static final String ECHO = ShellFunction.answering("printf '%s\\n' \"$event\" >> \"$EVENTS_FILE\"\n"
            + "printf '{\"statusCode\":200,\"body\":\"%s\"}' \"" + ShellFunction.ESCAPED_EVENT + "\"");
    private static final String AUTHORIZER = """
            #!/bin/sh
            set -eu
            api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
            headers=$(mktemp)
            policy() {
              printf '{"principalId":"%s","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"%s","Resource":"%s"}]},"context":{"userName":"%s","admin":true,"level":3}}' "$1" "$2" "$arn" "$1"
            }
            while true; do
              event=$(curl -sS -D "$headers" "$api/next")
              id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
              arn=$(printf '%s' "$event" | sed 's/.*"methodArn":"\\([^"]*\\)".*/\\1/')
              token=$(printf '%s' "$event" | sed 's/.*"queryStringParameters":{"token":"\\([^"]*\\)".*/\\1/')
              case "$token" in
                allow-*) answer=$(policy "${token#allow-}" Allow); path=response ;;
                deny) answer=$(policy nobody Deny); path=response ;;
                unauthorized) answer='{"errorMessage":"Unauthorized","errorType":"Error"}'; path=error ;;
                slow) sleep 3; answer=$(policy late Allow); path=response ;;
                *) answer='{"errorMessage":"boom","errorType":"Error"}'; path=error ;;
              esac
              printf '%s' "$answer" | curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "$api/$id/$path" >/dev/null
            done
            """;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Test
    void eachAnswerOfTheAuthorizerIsPlayedAsApiGatewayDoes(@TempDir Path project) throws Exception {
        Path events = project.resolve("events.jsonl");
        Files.createFile(events);
        Files.writeString(project.resolve("sam.native.yaml"), Files.readString(Path.of("src/test/resources/authorizer-template.yaml"))
                .replace("EVENTS_FILE_PATH", events.toString()));
        ShellFunction.zip(project.resolve("echo.zip"), ECHO);
        ShellFunction.zip(project.resolve("authorizer.zip"), AUTHORIZER);
        try (RunLocal local = RunLocal.start(new LocalOptions(project, LocalOptions.Mode.ZIP, 0, 0).withIssuerPort(0), lines::add)) {
            assertEquals(null, local.authorizer().issuer(), "no local issuer for an authorizer that is not the JWT one");

            assertEquals(401, refusal(local.url()), "no token");
            assertTrue(lines.stream().anyMatch(l -> l.contains("no route.request.querystring.token, the authorizer was not called")));
            assertEquals(403, refusal(withToken(local, "deny")));
            assertEquals(401, refusal(withToken(local, "unauthorized")));
            assertEquals(500, refusal(withToken(local, "fails")));
            assertTrue(Files.readString(events).isEmpty(), "$connect ran for a refused handshake");

            WebSocketClient client = WebSocketClient.connect(http, withToken(local, "allow-alice")).get(30, TimeUnit.SECONDS);
            client.socket.sendText("{\"action\":\"sendmessage\"}", true);
            JsonNode message = JSON.readTree(client.nextText());
            assertAlice(message.get("requestContext"), "sendmessage");
            client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            await(() -> lines.stream().anyMatch(l -> l.startsWith("$disconnect") && l.contains("-> 200")), "$disconnect ran");
            List<String> seen = Files.readAllLines(events);
            assertEquals(3, seen.size(), "$connect, sendmessage, $disconnect: " + seen);
            assertAlice(JSON.readTree(seen.get(0)).get("requestContext"), "$connect");
            assertAlice(JSON.readTree(seen.get(2)).get("requestContext"), "$disconnect");

            long start = System.nanoTime();
            assertEquals(500, refusal(withToken(local, "slow")), "past the authorizer's 1 s timeout");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 900 && ms < 2900, "refused at the function's timeout (1 s), not when it answered (3 s): " + ms + " ms");
        } catch (AssertionError | Exception e) {
            lines.forEach(System.out::println);
            throw e;
        }
    }

    private static void assertAlice(JsonNode context, String routeKey) {
        assertEquals(routeKey, context.get("routeKey").asText());
        JsonNode authorizer = context.get("authorizer");
        assertEquals("alice", authorizer.get("principalId").asText(), routeKey + ": " + context);
        assertEquals("alice", authorizer.get("userName").asText());
        assertTrue(authorizer.get("admin").asBoolean());
        assertEquals(3, authorizer.get("level").asInt());
        assertTrue(authorizer.get("integrationLatency").isNumber());
    }

    private static URI withToken(RunLocal local, String token) {
        return URI.create(local.url() + "?token=" + token);
    }

    private int refusal(URI url) {
        CompletionException refused = assertThrows(CompletionException.class,
                () -> http.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).join());
        return assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 30 s)");
            Thread.sleep(50);
        }
    }
}
