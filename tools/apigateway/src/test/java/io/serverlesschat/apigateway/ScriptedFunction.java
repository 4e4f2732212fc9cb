package io.serverlesschat.apigateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.lambda.InvokeResult;
import io.serverlesschat.lambda.LambdaFunction;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a route's function, for tests of the gateway alone: records every event it is invoked with
 * and answers with a chosen statusCode and body, or with its error document for a function that failed.
 */
final class ScriptedFunction implements LambdaFunction {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private volatile int statusCode = 200;
    private volatile String body = "scripted";
    /** When set, what every invocation ends in instead of a proxy response (an authorizer's answers). */
    private volatile InvokeResult result;

    @Override
    public CompletableFuture<InvokeResult> invoke(String event, Duration timeout) {
        try {
            events.add(JSON.readTree(event));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        if (result != null) {
            return CompletableFuture.completedFuture(result);
        }
        return CompletableFuture.completedFuture(statusCode < 0
                ? new InvokeResult.FunctionError("java.lang.IllegalStateException", "boom",
                        "{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\"}")
                : new InvokeResult.Payload(JSON.createObjectNode().put("statusCode", statusCode).put("body", body).toString()));
    }

    void answer(int statusCode) {
        this.statusCode = statusCode;
    }

    void answer(int statusCode, String body) {
        this.statusCode = statusCode;
        this.body = body;
    }

    /** Every invocation ends in {@code result}: a raw payload, an error, no answer. */
    void answer(InvokeResult result) {
        this.result = result;
    }

    /** The function throws: its invocation ends in its error document. */
    void fail() {
        this.statusCode = -1;
    }

    JsonNode nextEvent() throws InterruptedException {
        JsonNode event = events.poll(5, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("the function received no event within 5 s");
        }
        return event;
    }

    boolean receivedNothingMore() throws InterruptedException {
        return events.poll(300, TimeUnit.MILLISECONDS) == null;
    }
}
