package io.serverlesschat.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A function behind a Runtime API emulator's event endpoint, in another process or behind its own server:
 * each event is POSTed to it, and the POST is answered once the function answered (Quarkus' mock event
 * server: 200 with the function's response, 500 with its error document; {@link RuntimeApiServer} also
 * 502 when the function's process exited). Quarkus dev mode is reached this way, and each
 * {@link ZipExecutionEnvironment} reaches its own {@link RuntimeApiServer} this way.
 */
public final class HttpFunction implements LambdaFunction {

    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1, a connection per event in flight: by default the client upgrades to HTTP/2, and the
    // emulator's 100 concurrent streams failed the rest of a burst ('too many concurrent streams';
    // HttpFunctionTest).
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final URI events;

    /** @param events where the emulator takes events, e.g. http://localhost:8080/_lambda_ in dev mode */
    public HttpFunction(URI events) {
        this.events = events;
    }

    public URI events() {
        return events;
    }

    @Override
    public CompletableFuture<InvokeResult> invoke(String event, Duration timeout) {
        return send(request(event).timeout(timeout).build());
    }

    /** Waits as long as the function takes: for an execution environment, whose pool bounds its callers' waits. */
    CompletableFuture<InvokeResult> invokeUnbounded(String event) {
        return send(request(event).build());
    }

    private HttpRequest.Builder request(String event) {
        return HttpRequest.newBuilder(events)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event));
    }

    private CompletableFuture<InvokeResult> send(HttpRequest request) {
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(HttpFunction::result)
                .exceptionally(e -> e.getCause() instanceof HttpTimeoutException
                        ? new InvokeResult.TimedOut("no answer from the function at " + events + " within "
                                + request.timeout().orElseThrow().toMillis() + " ms")
                        : new InvokeResult.NoAnswer("no answer from the function at " + events + ": " + e.getCause()));
    }

    private static InvokeResult result(HttpResponse<String> response) {
        return switch (response.statusCode()) {
            case 200 -> new InvokeResult.Payload(response.body());
            case 500 -> functionError(response.body());
            default -> new InvokeResult.NoAnswer(response.statusCode() == 502 ? response.body()
                    : "the Runtime API answered " + response.statusCode() + ": " + response.body());
        };
    }

    /** The error document's type and message, "" where it has none (or is not JSON). */
    private static InvokeResult.FunctionError functionError(String document) {
        JsonNode error;
        try {
            error = JSON.readTree(document);
        } catch (IOException notJson) {
            error = null;
        }
        return error == null ? new InvokeResult.FunctionError("", "", document)
                : new InvokeResult.FunctionError(error.path("errorType").asText(""), error.path("errorMessage").asText(""), document);
    }
}
