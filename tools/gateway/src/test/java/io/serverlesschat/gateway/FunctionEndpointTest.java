package io.serverlesschat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.serverlesschat.local.RuntimeApiServer;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** API Gateway's Lambda integration as the local gateway makes it: every event answered, however many at once. */
class FunctionEndpointTest {

    /**
     * 200 events at once to a Runtime API emulator (Vert.x, which offers h2c), after a first one: before,
     * the JDK's client had upgraded that first connection to HTTP/2 and failed every request beyond the
     * server's 100 concurrent streams on it at once ("too many concurrent streams"): the gateway answered
     * them 502, refusing handshakes and losing $disconnect events.
     */
    @Test
    void twoHundredEventsAtOnceAreAllAnsweredByTheFunction() throws Exception {
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("fn")) {
            Thread function = new Thread(() -> answerEvents(api), "function");
            function.setDaemon(true);
            function.start();
            FunctionEndpoint endpoint = new FunctionEndpoint(api.eventsUri());
            // One event first, as a first handshake comes before a burst: its connection is then reused.
            assertEquals(200, endpoint.invoke(JsonNodeFactory.instance.objectNode()).get(60, TimeUnit.SECONDS).statusCode());
            List<CompletableFuture<FunctionEndpoint.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(endpoint.invoke(JsonNodeFactory.instance.objectNode().put("n", i)));
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<FunctionEndpoint.Answer> answer : answers) {
                statuses.merge(answer.get(60, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
            }
            assertEquals(Map.of(200, 200), statuses, "status -> how many");
            function.interrupt();
        }
    }

    /** Plays a function on the Runtime API: takes each event and answers 200, one at a time, as a runtime does. */
    private static void answerEvents(RuntimeApiServer api) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://" + api.runtimeApiAddress() + "/2018-06-01/runtime/invocation/";
        while (!Thread.currentThread().isInterrupted()) {
            try {
                HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(base + "next")).timeout(Duration.ofMinutes(1))
                        .build(), HttpResponse.BodyHandlers.ofString());
                String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
                http.send(HttpRequest.newBuilder(URI.create(base + requestId + "/response"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"statusCode\":200}")).build(), HttpResponse.BodyHandlers.discarding());
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the server closed
                return;
            }
        }
    }

    /** Lambda throttled the invocation (429 from the Invoke endpoint): API Gateway answers 500, so $connect refuses with it. */
    @Test
    void aThrottledInvocationIsAnswered500AsApiGatewayDoes() throws Exception {
        HttpServer lambda = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        lambda.createContext("/_lambda_", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "Rate Exceeded".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(429, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        lambda.start();
        try {
            FunctionEndpoint endpoint = new FunctionEndpoint(URI.create("http://127.0.0.1:" + lambda.getAddress().getPort() + "/_lambda_"));
            assertEquals(500, endpoint.invoke(JsonNodeFactory.instance.objectNode()).get(30, TimeUnit.SECONDS).statusCode());
        } finally {
            lambda.stop(0);
        }
    }
}
