package io.serverlesschat.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A function behind a Lambda Runtime API emulator (Quarkus' mock event server, in dev mode or served
 * by the tools): an event POSTed to /_lambda_ is handed to the function's next poll, and the POST's
 * answer is the function's.
 */
public final class FunctionEndpoint {

    /** API Gateway's integration timeout. */
    static final Duration INTEGRATION_TIMEOUT = Duration.ofSeconds(29);

    /**
     * The function's answer (its statusCode and body), or a gateway status when there is no answer to
     * read (detail then says why, for bin/local's log only: never for a client).
     *
     * @param fromFunction whether the function answered: only then does a route response send {@code detail}
     */
    public record Answer(int statusCode, String detail, boolean fromFunction) {
        /** A status of the gateway's own: the function did not answer. */
        public Answer(int statusCode, String detail) {
            this(statusCode, detail, false);
        }

        /** The function's answer, with its body. */
        static Answer function(int statusCode, String body) {
            return new Answer(statusCode, body, true);
        }

        boolean accepted() {
            return statusCode >= 200 && statusCode < 300;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1, a connection per event in flight: by default the client upgrades to HTTP/2, and the
    // emulator's 100 concurrent streams failed the rest of a burst (700 closes at once: 'too many
    // concurrent streams', their $disconnect lost; GatewaySoakTest).
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final URI events;

    /** @param events where the emulator takes events, e.g. http://localhost:8080/_lambda_ in dev mode */
    public FunctionEndpoint(URI events) {
        this.events = events;
    }

    public URI events() {
        return events;
    }

    CompletableFuture<Answer> invoke(ObjectNode event) {
        HttpRequest request = HttpRequest.newBuilder(events)
                .timeout(INTEGRATION_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event.toString()))
                .build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(FunctionEndpoint::answer)
                // API Gateway answers 504 when the integration times out and 502 when it cannot get an answer.
                .exceptionally(e -> new Answer(e.getCause() instanceof java.net.http.HttpTimeoutException ? 504 : 502,
                        "no answer from the function at " + events + ": " + e.getCause()));
    }

    private static Answer answer(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            // The Runtime API reported an invocation error (the function threw or could not read the event).
            return new Answer(502, "function error: " + response.body());
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            JsonNode status = body == null ? null : body.get("statusCode");
            return status != null && status.canConvertToInt()
                    ? Answer.function(status.asInt(), body.path("body").asText(""))
                    : new Answer(502, "the function's answer has no statusCode");
        } catch (java.io.IOException e) {
            return new Answer(502, "the function's answer is not JSON");
        }
    }
}
