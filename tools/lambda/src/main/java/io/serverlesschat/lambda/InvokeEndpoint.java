package io.serverlesschat.lambda;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lambda's Invoke for one function over HTTP, for a developer with curl: an event POSTed to
 * {@link #eventsUri()} (the path Quarkus' emulator takes events on, so that a curl line reads the same in
 * dev mode and from the zip) goes to the function, and the POST is answered with its answer (200), its
 * error document (500), 429 when Lambda throttled it, or 502 when no answer came. A caller that hangs up
 * while its event still waits takes it out of the queue. Tools call a {@link LambdaFunction} directly.
 */
public final class InvokeEndpoint implements AutoCloseable {

    /** As long as Lambda's longest function timeout: a curl waits for its event's turn and its answer. */
    static final Duration WAIT = Duration.ofMinutes(15);

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    private InvokeEndpoint(LambdaFunction function) throws Exception {
        // No h2c: curl speaks HTTP/1.1, one event per request.
        server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(request -> {
                    HttpServerResponse response = request.response();
                    if (!"POST".equals(request.method().name())) {
                        response.setStatusCode(405).end("POST an event\n");
                        return;
                    }
                    request.body().onSuccess(body -> {
                        CompletableFuture<InvokeResult> answer = function.invoke(body.toString(), WAIT);
                        response.closeHandler(closed -> answer.cancel(false));
                        answer.thenAccept(result -> {
                            if (!response.closed() && !response.ended()) {
                                answer(response, result);
                            }
                        });
                    });
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void answer(HttpServerResponse response, InvokeResult result) {
        if (result instanceof InvokeResult.Payload p) {
            response.setStatusCode(200).end(p.payload());
        } else if (result instanceof InvokeResult.FunctionError e) {
            response.setStatusCode(500).end(e.document());
        } else if (result instanceof InvokeResult.Throttled t) {
            response.setStatusCode(429).end(t.reason());
        } else if (result instanceof InvokeResult.TimedOut t) {
            response.setStatusCode(504).end(t.reason());
        } else if (result instanceof InvokeResult.NoAnswer n) {
            response.setStatusCode(502).end(n.reason());
        }
    }

    /** Serves {@code function} on a free loopback port. */
    public static InvokeEndpoint start(LambdaFunction function) {
        try {
            return new InvokeEndpoint(function);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on a loopback port: " + e, e);
        }
    }

    /** Where to POST an event, e.g. with curl -d @event.json. */
    public URI eventsUri() {
        return URI.create("http://127.0.0.1:" + server.actualPort() + RuntimeApiServer.BASE_PATH);
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // stopping anyway
        }
    }
}
