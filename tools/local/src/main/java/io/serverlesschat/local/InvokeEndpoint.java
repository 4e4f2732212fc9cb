package io.serverlesschat.local;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lambda's Invoke for one function, locally: an event POSTed to {@link #eventsUri()} (in the shape the
 * Runtime API emulator takes it, so that the gateway and a curl reach a function the same way in dev
 * mode and from the zip) goes to one of the function's {@link ExecutionEnvironments}, and the POST is
 * answered with the function's answer (200), its error (500), 429 when throttled, or 502 when no
 * environment answered. A caller that hangs up while its event still waits takes it out of the queue.
 */
public final class InvokeEndpoint implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    private InvokeEndpoint(ExecutionEnvironments environments) throws Exception {
        // No h2c: every caller speaks HTTP/1.1, one event per request.
        server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(request -> {
                    HttpServerResponse response = request.response();
                    if (!"POST".equals(request.method().name())) {
                        response.setStatusCode(405).end("POST an event\n");
                        return;
                    }
                    request.body().onSuccess(body -> {
                        CompletableFuture<ExecutionEnvironments.Result> answer = environments.invoke(body.toString());
                        response.closeHandler(closed -> answer.cancel(false));
                        answer.thenAccept(result -> {
                            if (!response.closed() && !response.ended()) {
                                response.setStatusCode(result.status()).end(result.body());
                            }
                        });
                    });
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Serves {@code environments} on a free loopback port. */
    public static InvokeEndpoint start(ExecutionEnvironments environments) {
        try {
            return new InvokeEndpoint(environments);
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
