package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A function in another process (dev mode), reached over HTTP: every event answered, however many at once, and read as Lambda's outcomes. */
class HttpFunctionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

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
            HttpFunction endpoint = new HttpFunction(api.eventsUri());
            // One event first, as a first handshake comes before a burst: its connection is then reused.
            assertEquals(new InvokeResult.Payload("{\"statusCode\":200}"), endpoint.invoke("{}", WAIT).get(60, TimeUnit.SECONDS));
            List<CompletableFuture<InvokeResult>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(endpoint.invoke("{\"n\":" + i + "}", WAIT));
            }
            Map<String, Integer> outcomes = new TreeMap<>();
            for (CompletableFuture<InvokeResult> answer : answers) {
                outcomes.merge(answer.get(60, TimeUnit.SECONDS).toString(), 1, Integer::sum);
            }
            assertEquals(Map.of(new InvokeResult.Payload("{\"statusCode\":200}").toString(), 200), outcomes, "outcome -> how many");
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

    /** Each answer of the emulator's event endpoint, as the gateway gets it: the raw payload, the error document, no answer. */
    @Test
    void theEmulatorsAnswersAreReadAsLambdasOutcomes() throws Exception {
        HttpServer emulator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        emulator.createContext("/_lambda_", exchange -> {
            String event = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, Integer> statuses = Map.of("policy", 200, "unauthorized", 500, "not json", 500, "exited", 502, "lost", 404);
            String body = switch (event) {
                case "policy" -> "{\"principalId\":\"u1\",\"policyDocument\":{\"Version\":\"2012-10-17\"}}";
                case "unauthorized" -> "{\"errorMessage\":\"Unauthorized\",\"errorType\":\"java.lang.RuntimeException\"}";
                case "exited" -> "the function's process exited";
                default -> event;
            };
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(statuses.get(event), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        emulator.start();
        HttpFunction function = new HttpFunction(URI.create("http://127.0.0.1:" + emulator.getAddress().getPort() + "/_lambda_"));
        try {
            assertEquals(new InvokeResult.Payload("{\"principalId\":\"u1\",\"policyDocument\":{\"Version\":\"2012-10-17\"}}"),
                    function.invoke("policy", WAIT).get(30, TimeUnit.SECONDS), "a payload without statusCode comes back untouched");
            assertEquals(new InvokeResult.FunctionError("java.lang.RuntimeException", "Unauthorized",
                    "{\"errorMessage\":\"Unauthorized\",\"errorType\":\"java.lang.RuntimeException\"}"),
                    function.invoke("unauthorized", WAIT).get(30, TimeUnit.SECONDS));
            assertEquals(new InvokeResult.FunctionError("", "", "not json"), function.invoke("not json", WAIT).get(30, TimeUnit.SECONDS));
            assertEquals(new InvokeResult.NoAnswer("the function's process exited"), function.invoke("exited", WAIT).get(30, TimeUnit.SECONDS));
            assertEquals(new InvokeResult.NoAnswer("the Runtime API answered 404: lost"), function.invoke("lost", WAIT).get(30, TimeUnit.SECONDS));
        } finally {
            emulator.stop(0);
        }
        InvokeResult gone = function.invoke("policy", WAIT).get(30, TimeUnit.SECONDS);
        assertTrue(assertInstanceOf(InvokeResult.NoAnswer.class, gone).reason().startsWith("no answer from the function at "
                + function.events() + ": java.net.ConnectException"), gone.toString());
    }

    @Test
    void aFunctionSlowerThanTheCallersTimeoutIsTimedOut() throws Exception {
        HttpServer emulator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        emulator.createContext("/_lambda_", exchange -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        emulator.start();
        try {
            HttpFunction function = new HttpFunction(URI.create("http://127.0.0.1:" + emulator.getAddress().getPort() + "/_lambda_"));
            assertEquals(new InvokeResult.TimedOut("no answer from the function at " + function.events() + " within 300 ms"),
                    function.invoke("{}", Duration.ofMillis(300)).get(30, TimeUnit.SECONDS));
        } finally {
            emulator.stop(0);
        }
    }
}
