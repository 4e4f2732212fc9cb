package io.serverlesschat.lambda;

import io.quarkus.amazon.lambda.runtime.AmazonLambdaApi;
import io.quarkus.amazon.lambda.runtime.MockEventServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A local Lambda Runtime API for one function process: Quarkus' own emulator ({@link MockEventServer},
 * the one its dev and test modes use) with what a benchmark or a gateway needs on top of it.
 *
 * <ul>
 * <li>The function polls {@code http://}{@link #runtimeApiAddress()}{@code /2018-06-01/runtime/invocation/next}:
 * pass {@link #runtimeApiAddress()} as AWS_LAMBDA_RUNTIME_API (the emulator serves under {@code /_lambda_},
 * and every Runtime API client builds its URLs by appending to that variable).</li>
 * <li>A caller delivers an event by POSTing it to {@link #eventsUri()}; the POST is answered with the
 * function's answer (200) or its error document (500). {@link #submit} and {@link #invoke} do that for
 * Java callers.</li>
 * <li>It records the moment of the first {@code /next} poll (the end of the function's init) and, per
 * request id, when the event arrived, was handed to the function and was answered; a caller can act at
 * the first poll and at each answer ({@link #onFirstPoll}, {@link #onAnswer}).</li>
 * </ul>
 *
 * Differences from the emulator, each to behave as Lambda's own Runtime API does: responses and errors
 * are acknowledged with 202 (AWS's Java runtime client treats anything else as fatal when it reports an
 * error); {@code /runtime/init/error} is a route of its own (the emulator would queue it as an event);
 * the event carries Lambda-Runtime-Deadline-Ms and Lambda-Runtime-Invoked-Function-Arn, and always a
 * Content-Type (the emulator passes on the POST's, if any; AWS's Java runtime client 2.10.1 dies with
 * SIGSEGV in its native code on a /next answer without one).
 */
public class RuntimeApiServer extends MockEventServer {

    /** The path under which the emulator serves the Runtime API and takes events. */
    public static final String BASE_PATH = AmazonLambdaApi.API_BASE_PATH_TEST;

    private final Duration timeout;
    private final String functionArn;
    private final Map<String, Timing> timings = new ConcurrentHashMap<>();
    private final CompletableFuture<Long> firstPoll = new CompletableFuture<>();
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private volatile Runnable firstPollHook = () -> { };
    private volatile Runnable answerHook = () -> { };

    /**
     * @param timeout     the function's timeout, sent as the deadline of each event
     * @param functionArn the ARN the function is told it was invoked as
     */
    public RuntimeApiServer(Duration timeout, String functionArn) {
        this.timeout = timeout;
        this.functionArn = functionArn;
    }

    /** A server on a free loopback port with a 30 s function timeout, started. */
    public static RuntimeApiServer startOnFreePort(String functionName) {
        RuntimeApiServer server = new RuntimeApiServer(Duration.ofSeconds(30),
                "arn:aws:lambda:" + ReservedVariables.DEFAULT_REGION + ":000000000000:function:" + functionName);
        server.start(0);
        return server;
    }

    /** The value of AWS_LAMBDA_RUNTIME_API for the function: host, port and the emulator's base path. */
    public String runtimeApiAddress() {
        return "127.0.0.1:" + getPort() + BASE_PATH;
    }

    /** Where to POST an event; the response is the function's answer. */
    public URI eventsUri() {
        return URI.create("http://127.0.0.1:" + getPort() + BASE_PATH);
    }

    /** System.nanoTime() of the first {@code /next} poll, once it happened. */
    public OptionalLong firstPollNanos() {
        Long at = firstPoll.getNow(null);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** Waits up to {@code wait} for the first poll; true when it happened. */
    public boolean awaitFirstPoll(Duration wait) throws InterruptedException {
        try {
            firstPoll.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    /**
     * Runs {@code hook} once, at the function's first {@code /next} poll (the end of its init), before any
     * event is handed over: what it changes (a CPU quota, say) applies to the whole invocation. Set it
     * before the function starts. It runs on the server's event loop, so it must be quick.
     */
    public void onFirstPoll(Runnable hook) {
        this.firstPollHook = hook;
    }

    /**
     * Runs {@code hook} whenever the function posts a response or an error, before the answer is passed
     * on. It runs on the server's event loop, so it must be quick.
     */
    public void onAnswer(Runnable hook) {
        this.answerHook = hook;
    }

    /** The error document the function posted to /runtime/init/error, if it did. */
    public Optional<String> initError() {
        return Optional.ofNullable(initError.getNow(null));
    }

    /** When the event with this request id arrived, was delivered and was answered (System.nanoTime()). */
    public Optional<Timing> timing(String requestId) {
        return Optional.ofNullable(timings.get(requestId));
    }

    /**
     * Posts an event and returns once the server holds it (so a function that polls now gets it).
     * The answer comes with {@link Submission#answer(Duration)}.
     */
    public Submission submit(String eventJson) {
        String requestId = UUID.randomUUID().toString();
        Timing timing = timings.computeIfAbsent(requestId, id -> new Timing());
        HttpRequest post = HttpRequest.newBuilder(eventsUri())
                .header("Content-Type", "application/json")
                .header(AmazonLambdaApi.LAMBDA_RUNTIME_AWS_REQUEST_ID, requestId)
                .POST(HttpRequest.BodyPublishers.ofString(eventJson))
                .build();
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(post, HttpResponse.BodyHandlers.ofString());
        // The POST is answered only after the function's answer; wait for the server to have queued it.
        response.whenComplete((r, e) -> timing.received.complete(System.nanoTime()));
        try {
            timing.received.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the runtime API did not take the event within 10 s", e);
        }
        return new Submission(requestId, response, timing);
    }

    /** {@link #submit} then waits for the answer. */
    public Invocation invoke(String eventJson, Duration wait) throws InterruptedException, TimeoutException {
        return submit(eventJson).answer(wait);
    }

    // ---- the emulator's hooks

    @Override
    protected void defaultHandlerSetup() {
        // Before the emulator's catch-all POST route, which would take an init error for an event.
        router.post(BASE_PATH + AmazonLambdaApi.API_PATH_INIT_ERROR).handler(ctx -> {
            Buffer body = ctx.body().buffer();
            initError.complete(body == null ? "" : body.toString());
            ctx.response().setStatusCode(202).end();
        });
        super.defaultHandlerSetup();
    }

    @Override
    public void postEvent(RoutingContext ctx) {
        String requestId = ctx.request().getHeader(AmazonLambdaApi.LAMBDA_RUNTIME_AWS_REQUEST_ID);
        if (requestId != null) {
            timings.computeIfAbsent(requestId, id -> new Timing()).received.complete(System.nanoTime());
        }
        super.postEvent(ctx);
    }

    @Override
    public void nextEvent(RoutingContext ctx) {
        if (firstPoll.complete(System.nanoTime())) {
            firstPollHook.run();
        }
        // Headers are written when the event is handed over, however long the poll waited for it.
        ctx.response().headersEndHandler(v -> ctx.response()
                .putHeader(AmazonLambdaApi.LAMBDA_RUNTIME_DEADLINE_MS,
                        Long.toString(System.currentTimeMillis() + timeout.toMillis()))
                .putHeader(AmazonLambdaApi.LAMBDA_RUNTIME_INVOKED_FUNCTION_ARN, functionArn));
        super.nextEvent(ctx);
    }

    @Override
    protected String getEventContentType(RoutingContext request) {
        String given = super.getEventContentType(request);
        return given != null ? given : "application/json";
    }

    @Override
    protected Buffer processEventBody(RoutingContext request) {
        // Called as the event is handed to the function.
        String requestId = request.get(AmazonLambdaApi.LAMBDA_RUNTIME_AWS_REQUEST_ID);
        timings.computeIfAbsent(requestId, id -> new Timing()).delivered = System.nanoTime();
        return super.processEventBody(request);
    }

    @Override
    public void handleResponse(RoutingContext ctx) {
        answer(ctx, false);
    }

    @Override
    public void handleError(RoutingContext ctx) {
        answer(ctx, true);
    }

    private void answer(RoutingContext ctx, boolean error) {
        long now = System.nanoTime();
        answerHook.run();
        String requestId = ctx.pathParam("requestId");
        RoutingContext pending = responsePending.remove(requestId);
        if (pending == null) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        Timing timing = timings.computeIfAbsent(requestId, id -> new Timing());
        timing.answered = now;
        timing.error = error;
        Buffer body = ctx.body().buffer();
        if (error) {
            processError(ctx, pending, body);
        } else {
            processResponse(ctx, pending, body);
        }
        ctx.response().setStatusCode(202).end();
    }

    /**
     * Answers every event the function was handed but will not answer (its process ended) with 502 and
     * {@code reason}, as Lambda fails an invocation whose runtime exited. Queued events stay for the next process.
     */
    public void failPending(String reason) {
        for (String requestId : List.copyOf(responsePending.keySet())) {
            RoutingContext pending = responsePending.remove(requestId);
            if (pending != null) {
                pending.response().setStatusCode(502).end(reason);
            }
        }
    }

    @Override
    public void close() {
        try {
            super.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moments in one invocation's life, from System.nanoTime(); 0 until they happen. */
    public static final class Timing {
        final CompletableFuture<Long> received = new CompletableFuture<>();
        volatile long delivered;
        volatile long answered;
        volatile boolean error;

        public long receivedNanos() {
            return received.getNow(0L);
        }

        /** When the function's /next poll was answered with this event. */
        public long deliveredNanos() {
            return delivered;
        }

        /** When the function posted its response or error. */
        public long answeredNanos() {
            return answered;
        }

        /** The function posted to /error rather than /response. */
        public boolean error() {
            return error;
        }
    }

    /** An event the server holds; its answer arrives when the function has handled it. */
    public static final class Submission {
        private final String requestId;
        private final CompletableFuture<HttpResponse<String>> response;
        private final Timing timing;

        Submission(String requestId, CompletableFuture<HttpResponse<String>> response, Timing timing) {
            this.requestId = requestId;
            this.response = response;
            this.timing = timing;
        }

        public String requestId() {
            return requestId;
        }

        public boolean isAnswered() {
            return response.isDone();
        }

        /**
         * The answer, waiting up to {@code wait}.
         *
         * @throws TimeoutException      when none came in time (ask again later if you like)
         * @throws IllegalStateException when the POST itself failed (the server closed)
         */
        public Invocation answer(Duration wait) throws InterruptedException, TimeoutException {
            try {
                HttpResponse<String> r = response.get(wait.toNanos(), TimeUnit.NANOSECONDS);
                return new Invocation(requestId, r.statusCode(), r.body(), timing);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("posting " + requestId + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * The function's answer to one event. {@code httpStatus} is 200 when the function posted a response,
     * 500 when it posted an error (as Quarkus' emulator answers); {@code body} is what it posted.
     */
    public record Invocation(String requestId, int httpStatus, String body, Timing timing) {
    }
}
