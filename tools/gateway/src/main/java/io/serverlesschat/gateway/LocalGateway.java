package io.serverlesschat.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * API Gateway's part, played locally: a WebSocket server on ws://localhost:PORT/STAGE that turns each
 * handshake into the $connect proxy event (with the client's headers, its real Origin among them),
 * completes the handshake only when the function answers 2xx (otherwise it refuses it with the
 * function's status, as API Gateway does), and sends $disconnect when the socket closes. Handshakes
 * over the stage's throttle are refused with 429 before the function is called. Functions are reached
 * through a Lambda Runtime API emulator.
 */
public final class LocalGateway implements AutoCloseable {

    public static final int DEFAULT_PORT = 3001;

    private final Vertx vertx = Vertx.vertx();
    private final List<HttpServer> servers = new ArrayList<>();
    private final String stage;
    private final String apiId = ProxyEvents.newApiId();
    private final Map<String, FunctionEndpoint> routes;
    private final Consumer<String> log;
    private final Set<ServerWebSocket> open = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final TokenBucket connects;
    private int port;

    /** A gateway throttled only at the account's default limits. */
    public LocalGateway(String stage, Map<String, FunctionEndpoint> routes, Consumer<String> log) {
        this(stage, SamTemplate.Throttling.ACCOUNT, routes, log);
    }

    /**
     * @param throttling the stage's limits on new connections (its $connect route)
     * @param routes route key ($connect, $disconnect) to the function that serves it
     * @param log where the gateway says what it does, a line per event
     */
    public LocalGateway(String stage, SamTemplate.Throttling throttling, Map<String, FunctionEndpoint> routes,
            Consumer<String> log) {
        this.stage = stage;
        this.connects = new TokenBucket(throttling);
        this.routes = Map.copyOf(routes);
        this.log = log;
    }

    /** Listens on loopback (IPv4, and IPv6 where there is one) only; port 0 picks a free port. */
    public LocalGateway start(int requestedPort) throws Exception {
        HttpServer v4 = listen("127.0.0.1", requestedPort);
        port = v4.actualPort();
        servers.add(v4);
        try {
            servers.add(listen("::1", port));
        } catch (Exception noIpv6) {
            // loopback IPv4 is enough
        }
        return this;
    }

    public URI url() {
        return URI.create("ws://localhost:" + port + "/" + stage);
    }

    public int port() {
        return port;
    }

    public String stage() {
        return stage;
    }

    private HttpServer listen(String host, int port) throws Exception {
        return vertx.createHttpServer()
                .webSocketHandler(this::handshake)
                .requestHandler(request -> request.response().setStatusCode(426)
                        .end("This is a WebSocket API: connect to " + url() + "\n"))
                .listen(port, host)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void handshake(ServerWebSocket socket) {
        String path = socket.path();
        if (!path.equals("/" + stage) && !path.equals("/" + stage + "/")) {
            log.accept("refused " + path + ": the stage is /" + stage);
            socket.reject(403);
            return;
        }
        if (!connects.tryTake()) {
            // API Gateway throttles before the integration: the function never sees the handshake.
            log.accept("$connect    refused with 429 Too Many Requests: over the stage's throttling");
            socket.reject(429);
            return;
        }
        long now = System.currentTimeMillis();
        ProxyEvents.Connection connection = new ProxyEvents.Connection(ProxyEvents.newId(), now,
                socket.remoteAddress().hostAddress(), socket.headers().get("User-Agent"),
                socket.headers().get("Host"), stage, apiId);
        Promise<Integer> handshake = Promise.promise();
        socket.setHandshake(handshake.future()).onSuccess(status -> {
            if (status == 101) {
                opened(socket, connection);
            }
        });

        FunctionEndpoint function = routes.get("$connect");
        if (function == null) {
            handshake.complete(101);
            return;
        }
        ObjectNode event = ProxyEvents.connect(connection, headers(socket), query(socket.uri()), port, now);
        invoke(function, event).thenAccept(answer -> {
            String origin = socket.headers().get("Origin");
            log.accept(String.format("$connect    %s%s -> %d%s in %d ms", connection.connectionId(),
                    origin == null ? "" : " from " + origin, answer.statusCode(),
                    answer.accepted() ? "" : " (handshake refused)", System.currentTimeMillis() - now));
            handshake.complete(answer.accepted() ? 101 : answer.statusCode());
        });
    }

    private void opened(ServerWebSocket socket, ProxyEvents.Connection connection) {
        open.add(socket);
        // No message routes are deployed: API Gateway answers every message like this.
        socket.textMessageHandler(message -> socket.writeTextMessage(JsonNodeFactory.instance.objectNode()
                .put("message", "Forbidden")
                .put("connectionId", connection.connectionId())
                .put("requestId", ProxyEvents.newId())
                .toString()));
        socket.closeHandler(closed -> {
            open.remove(socket);
            FunctionEndpoint function = routes.get("$disconnect");
            if (function == null) {
                return;
            }
            long now = System.currentTimeMillis();
            Short status = socket.closeStatusCode();
            invoke(function, ProxyEvents.disconnect(connection, status == null ? null : status.intValue(), now))
                    .thenAccept(answer -> log.accept(String.format("$disconnect %s -> %d in %d ms",
                            connection.connectionId(), answer.statusCode(), System.currentTimeMillis() - now)));
        });
    }

    private CompletableFuture<FunctionEndpoint.Answer> invoke(FunctionEndpoint function, ObjectNode event) {
        CompletableFuture<FunctionEndpoint.Answer> answer = function.invoke(event);
        inFlight.add(answer);
        answer.whenComplete((a, e) -> inFlight.remove(answer));
        return answer;
    }

    private static Map<String, List<String>> headers(ServerWebSocket socket) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        socket.headers().forEach(h -> headers.computeIfAbsent(canonical(h.getKey()), k -> new ArrayList<>()).add(h.getValue()));
        return headers;
    }

    /** Header names as browsers send them (Sec-WebSocket-Key), whatever case the client used. */
    private static String canonical(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString().replace("Websocket", "WebSocket");
    }

    private static Map<String, List<String>> query(String uri) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        String raw = URI.create(uri).getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Closes open sockets first (1001, going away) and waits for their $disconnect to reach the functions. */
    @Override
    public void close() throws Exception {
        List.copyOf(open).forEach(s -> s.close((short) 1001, "Going away"));
        // As long as an event may take: a burst's $disconnects may wait for execution environments to start.
        long deadline = System.nanoTime() + FunctionEndpoint.INTEGRATION_TIMEOUT.plusSeconds(1).toNanos();
        while ((!open.isEmpty() || !inFlight.isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (HttpServer server : servers) {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
