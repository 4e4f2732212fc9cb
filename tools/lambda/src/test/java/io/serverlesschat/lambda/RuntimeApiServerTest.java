package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Runtime API as a function sees it (polls, responses, errors) and as a caller sees it (events in, answers out). */
class RuntimeApiServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private RuntimeApiServer api;

    @BeforeEach
    void start() {
        api = RuntimeApiServer.startOnFreePort("test-function");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private URI runtime(String path) {
        return URI.create("http://" + api.runtimeApiAddress() + "/2018-06-01/runtime/" + path);
    }

    @Test
    void deliversAnEventAndReturnsTheFunctionsAnswerWithItsTimings() throws Exception {
        assertTrue(api.firstPollNanos().isEmpty());
        var submission = api.submit("{\"hello\":1}");

        HttpResponse<String> next = http.send(HttpRequest.newBuilder(runtime("invocation/next")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, next.statusCode());
        assertEquals("{\"hello\":1}", next.body());
        String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
        assertEquals(submission.requestId(), requestId);
        long deadline = Long.parseLong(next.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElseThrow());
        assertTrue(deadline > System.currentTimeMillis() + 20_000, "deadline about 30 s ahead");
        assertEquals("arn:aws:lambda:eu-west-1:000000000000:function:test-function",
                next.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn").orElseThrow());
        assertTrue(api.firstPollNanos().isPresent());

        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(runtime("invocation/" + requestId + "/response"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"statusCode\":200}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, ack.statusCode(), "Lambda acknowledges a response with 202");

        var answer = submission.answer(Duration.ofSeconds(5));
        assertEquals(200, answer.httpStatus());
        assertEquals("{\"statusCode\":200}", answer.body());
        var timing = answer.timing();
        assertFalse(timing.error());
        assertTrue(timing.receivedNanos() > 0);
        assertTrue(timing.receivedNanos() <= timing.deliveredNanos(), "received before delivered");
        assertTrue(timing.deliveredNanos() <= timing.answeredNanos(), "delivered before answered");
        assertTrue(api.firstPollNanos().getAsLong() <= timing.deliveredNanos());
        assertEquals(timing, api.timing(requestId).orElseThrow());
    }

    @Test
    void hooksRunOnceAtTheFirstPollBeforeTheEventIsHandedOverAndAtEachAnswer() throws Exception {
        java.util.List<Long> firstPolls = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<Long> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        api.onFirstPoll(() -> firstPolls.add(System.nanoTime()));
        api.onAnswer(() -> answers.add(System.nanoTime()));
        for (int i = 0; i < 2; i++) {
            var submission = api.submit("{}");
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(runtime("invocation/next")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
            http.send(HttpRequest.newBuilder(runtime("invocation/" + requestId + "/response"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            var answer = submission.answer(Duration.ofSeconds(5));
            if (i == 0) {
                assertTrue(firstPolls.get(0) <= answer.timing().deliveredNanos(), "before the event was handed over");
            }
            assertTrue(answers.get(i) >= answer.timing().deliveredNanos());
        }
        assertEquals(1, firstPolls.size(), "the first poll only");
        assertEquals(2, answers.size(), "every answer");
    }

    @Test
    void anInvocationErrorIsAcknowledgedWith202AndAnsweredWith500() throws Exception {
        var submission = api.submit("{}");
        HttpResponse<String> next = http.send(HttpRequest.newBuilder(runtime("invocation/next")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(runtime("invocation/" + requestId + "/error"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"errorMessage\":\"boom\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, ack.statusCode(), "AWS's Java runtime client exits on anything but 202 here");

        var answer = submission.answer(Duration.ofSeconds(5));
        assertEquals(500, answer.httpStatus());
        assertEquals("{\"errorMessage\":\"boom\"}", answer.body());
        assertTrue(answer.timing().error());
    }

    @Test
    void anInitErrorIsRecordedNotQueuedAsAnEvent() throws Exception {
        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(runtime("init/error"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"errorType\":\"Runtime.BadFunctionCode\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, ack.statusCode());
        assertEquals("{\"errorType\":\"Runtime.BadFunctionCode\"}", api.initError().orElseThrow());
        assertFalse(api.awaitFirstPoll(Duration.ofMillis(50)), "no poll happened");
    }

    @Test
    void anEventPostedWithoutContentTypeIsStillDeliveredAsJson() throws Exception {
        http.sendAsync(HttpRequest.newBuilder(api.eventsUri()).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> next = http.send(HttpRequest.newBuilder(runtime("invocation/next")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json", next.headers().firstValue("Content-Type").orElse(null),
                "AWS's Java runtime client crashes on a /next without a Content-Type");
    }

    @Test
    void aResponseForAnUnknownRequestIsRefused() throws Exception {
        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(runtime("invocation/nobody/response"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, ack.statusCode());
    }
}
