package io.serverlesschat.apigateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.serverlesschat.lambda.InvokeResult;
import io.serverlesschat.lambda.LambdaFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * API Gateway's Lambda proxy integration: a route's function invoked with the event, within the integration
 * timeout, and its outcome read as API Gateway reads it: the proxy response's statusCode and body, or a
 * status of API Gateway's own when there is none to read.
 */
final class ProxyIntegration {

    /** API Gateway's integration timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(29);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProxyIntegration() {
    }

    /**
     * The status for the client (a handshake's), with the function's body or, when the function did not answer,
     * why (for bin/local's log only: never for a client).
     *
     * @param fromFunction whether the function answered: only then does a route response send {@code detail}
     */
    record Answer(int statusCode, String detail, boolean fromFunction) {
        boolean accepted() {
            return statusCode >= 200 && statusCode < 300;
        }
    }

    static CompletableFuture<Answer> invoke(LambdaFunction function, ObjectNode event) {
        return function.invoke(event.toString(), TIMEOUT).thenApply(ProxyIntegration::answer);
    }

    static Answer answer(InvokeResult result) {
        if (result instanceof InvokeResult.Payload payload) {
            return response(payload.payload());
        }
        if (result instanceof InvokeResult.Throttled throttled) {
            // Lambda throttled the invocation (TooManyRequestsException). "If the Lambda API rejects the
            // invocation request, API Gateway returns a 500 error code" (AWS Lambda Developer Guide,
            // "Handling Lambda errors with an API Gateway API"); for $connect the handshake is refused with it.
            return new Answer(500, "Lambda throttled the invocation: " + throttled.reason(), false);
        }
        if (result instanceof InvokeResult.TimedOut timedOut) {
            // API Gateway answers 504 when the integration times out...
            return new Answer(504, timedOut.reason(), false);
        }
        // ... and 502 when it gets no proxy response: the function threw, or could not answer at all.
        return result instanceof InvokeResult.FunctionError error ? new Answer(502, "function error: " + error.document(), false)
                : new Answer(502, ((InvokeResult.NoAnswer) result).reason(), false);
    }

    private static Answer response(String payload) {
        try {
            JsonNode body = JSON.readTree(payload);
            JsonNode status = body == null ? null : body.get("statusCode");
            return status != null && status.canConvertToInt()
                    ? new Answer(status.asInt(), body.path("body").asText(""), true)
                    : new Answer(502, "the function's answer has no statusCode", false);
        } catch (IOException e) {
            return new Answer(502, "the function's answer is not JSON", false);
        }
    }
}
