package io.serverlesschat.apigateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.serverlesschat.lambda.LambdaFunction;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
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
 * function's status, as API Gateway does), routes each message by the API's route selection expression
 * (to $default when it selects no route, answered Forbidden when there is neither), sends a route's
 * answer back when the route has a route response, and sends $disconnect when the socket closes, however
 * it closes. Handshakes over the stage's throttling are refused with 429 before the function is called,
 * under AWS_IAM ({@link SigV4Handshake}) those without a valid signature with 403, and with a
 * {@link RequestAuthorizer} on $connect, the authorizer decides before $connect runs.
 * API Gateway's {@link Limits} apply to each connection ({@link Client}). The @connections API
 * ({@link ConnectionsApi}) is served on the same port. Each route's function is a {@link LambdaFunction},
 * called directly ({@link ProxyIntegration}).
 */
public final class LocalGateway implements AutoCloseable {

    public static final int DEFAULT_PORT = 3001;
    /** The account id of the local stand-in ARNs (methodArn, the caller's identity). */
    public static final String ACCOUNT_ID = "000000000000";

    private final Vertx vertx = Vertx.vertx();
    private final List<HttpServer> servers = new ArrayList<>();
    private final GatewaySettings settings;
    private final String apiId = ProxyEvents.newApiId();
    private final Map<String, LambdaFunction> routes;
    private final RequestAuthorizer authorizer;
    private final RouteSelection routeSelection;
    private final Consumer<String> log;
    private final Map<String, Client> open = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final TokenBucket connects;
    private final ConnectionsApi connections;
    private final Client.Events clientEvents = new Client.Events() {
        @Override
        public void opened(Client client) {
            open.put(client.connection().connectionId(), client);
        }

        @Override
        public void message(Client client, Buffer payload, boolean binary) {
            LocalGateway.this.message(client, payload, binary);
        }

        @Override
        public void ended(Client client, ProxyEvents.Close why) {
            // In flight before it leaves open: a stop waits for the one or the other.
            disconnect(client.connection(), why);
            open.remove(client.connection().connectionId());
        }
    };
    private int port;
    private SigV4Handshake signedConnects;

    /**
     * @param routes route key ($connect, $disconnect, message routes, $default) to the function that serves it
     * @param log    where the gateway says what it does, a line per event
     */
    public LocalGateway(GatewaySettings settings, Map<String, LambdaFunction> routes, Consumer<String> log) {
        this(settings, routes, null, log);
    }

    /** @param authorizer $connect's authorizer; null for none */
    public LocalGateway(GatewaySettings settings, Map<String, LambdaFunction> routes, RequestAuthorizer authorizer,
            Consumer<String> log) {
        this.settings = settings;
        this.authorizer = authorizer;
        this.connects = new TokenBucket(settings.throttling().rateLimit(), settings.throttling().burstLimit());
        this.routeSelection = RouteSelection.parse(settings.routeSelectionExpression());
        this.routes = Map.copyOf(routes);
        this.log = log;
        this.connections = new ConnectionsApi(settings.stage(), Limits.MESSAGE_BYTES, open::get, log);
    }

    /** ConnectAuthorization=AWS_IAM: only handshakes {@code check} finds signed connect (call before {@link #start}). */
    public LocalGateway requireSigV4(SigV4Handshake check) {
        this.signedConnects = check;
        return this;
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
        return URI.create("ws://localhost:" + port + "/" + settings.stage());
    }

    /** The settings it serves with: the template's, and the limits in force. */
    public GatewaySettings settings() {
        return settings;
    }

    /** What the AWS CLI and SDKs take as the @connections API's endpoint (--endpoint-url). */
    public URI connectionsEndpoint() {
        return URI.create("http://localhost:" + port + "/" + settings.stage());
    }

    public int port() {
        return port;
    }

    private HttpServer listen(String host, int port) throws Exception {
        // The codec drops the TCP connection without a close frame over its limit: it is set above the
        // frame quota, which Client#frame enforces with API Gateway's 1009.
        HttpServerOptions options = new HttpServerOptions()
                .setMaxWebSocketFrameSize(Limits.MESSAGE_BYTES)
                .setMaxWebSocketMessageSize(Limits.MESSAGE_BYTES);
        return vertx.createHttpServer(options)
                .webSocketHandler(this::handshake)
                .requestHandler(request -> {
                    if (connections.handles(request)) {
                        connections.handle(request);
                    } else {
                        request.response().setStatusCode(426).end("This is a WebSocket API: connect to " + url()
                                + "; its @connections API is " + connectionsEndpoint() + "/@connections/{connectionId}\n");
                    }
                })
                .listen(port, host)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void handshake(ServerWebSocket socket) {
        String path = socket.path();
        String stage = settings.stage();
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
        SigV4Handshake.Outcome signature = signedConnects == null ? null
                : signedConnects.check("GET", socket.uri(), socket.headers());
        if (signature != null && signature.refusal() != null) {
            log.accept("$connect    refused with 403 Forbidden (AWS_IAM): " + signature.refusal());
            socket.reject(403);
            return;
        }
        long now = System.currentTimeMillis();
        ProxyEvents.Connection connection = new ProxyEvents.Connection(ProxyEvents.newId(), now,
                socket.remoteAddress().hostAddress(), socket.headers().get("User-Agent"),
                socket.headers().get("Host"), stage, apiId);
        Client client = new Client(vertx, socket, connection, settings.limits(), clientEvents);
        Promise<Integer> handshake = Promise.promise();
        socket.setHandshake(handshake.future());
        SigV4Handshake.Identity caller = signature == null ? null : signature.identity();
        if (authorizer == null) {
            connect(socket, client, handshake, now, caller);
            return;
        }
        CompletableFuture<Void> decided = authorizer.authorize(connection, headers(socket), query(socket.uri()), port, now)
                .thenAccept(decision -> {
                    if (decision.allowed()) {
                        client.authorized(decision.authorizer());
                        connect(socket, client, handshake, now, caller);
                        return;
                    }
                    log.accept(String.format("$connect    %s refused with %d by the authorizer %s: %s, in %d ms",
                            connection.connectionId(), decision.status(), authorizer.functionName(), decision.why(),
                            System.currentTimeMillis() - now));
                    client.onEventLoop(() -> handshake.complete(decision.status()));
                })
                .exceptionally(failure -> {
                    // As API Gateway answers an authorizer it cannot use: 500, and the client learns nothing more.
                    log.accept("$connect    " + connection.connectionId() + " refused with 500: the authorizer call failed ("
                            + failure + ")");
                    client.onEventLoop(() -> handshake.tryComplete(500));
                    return null;
                });
        // A stop waits for it as for any call in flight.
        inFlight.add(decided);
        decided.whenComplete((done, failure) -> inFlight.remove(decided));
    }

    /** $connect: the handshake completes (101) when the route's function accepts it, or when there is no such route. */
    private void connect(ServerWebSocket socket, Client client, Promise<Integer> handshake, long now,
            SigV4Handshake.Identity caller) {
        LambdaFunction function = routes.get("$connect");
        if (function == null) {
            client.opened();
            handshake.complete(101);
            return;
        }
        ProxyEvents.Connection connection = client.connection();
        ObjectNode event = ProxyEvents.connect(connection, headers(socket), query(socket.uri()), port, now);
        if (caller != null) {
            caller.addTo(event);
        }
        invoke(function, event).thenAccept(answer -> {
            String origin = socket.headers().get("Origin");
            log.accept(String.format("$connect    %s%s -> %d%s in %d ms", connection.connectionId(),
                    origin == null ? "" : " from " + origin, answer.statusCode(),
                    answer.accepted() ? "" : " (handshake refused)", System.currentTimeMillis() - now));
            // Open before the 101 goes out: the client may send at once.
            client.onEventLoop(() -> {
                if (answer.accepted()) {
                    client.opened();
                }
                handshake.complete(answer.accepted() ? 101 : answer.statusCode());
            });
        });
    }

    /** A message the client completed: to the route its body selects, else $default, else Forbidden. */
    private void message(Client client, Buffer payload, boolean binary) {
        long now = System.currentTimeMillis();
        String text = binary ? null : payload.toString(java.nio.charset.StandardCharsets.UTF_8);
        String selected = binary ? null : routeSelection.select(text);
        String routeKey = selected;
        if (routeKey == null || routeKey.equals("$connect") || routeKey.equals("$disconnect") || !routes.containsKey(routeKey)) {
            routeKey = "$default";
        }
        LambdaFunction function = routes.get(routeKey);
        String id = client.connection().connectionId();
        if (function == null) {
            // No route matched and there is no $default route: API Gateway answers this, and no function runs.
            client.send(apiGatewayMessage("Forbidden", id, ProxyEvents.newId()));
            log.accept(NoRoute.line(id, selected, binary));
            return;
        }
        ObjectNode event = ProxyEvents.message(client.connection(), routeKey,
                binary ? Base64.getEncoder().encodeToString(payload.getBytes()) : text, binary, now);
        String requestId = event.get("requestContext").get("requestId").asText();
        String key = routeKey;
        invoke(function, event).thenAccept(answer -> {
            log.accept(String.format("%-11s %s -> %d in %d ms%s", key, id, answer.statusCode(),
                    System.currentTimeMillis() - now, answer.fromFunction() ? "" : " (" + answer.detail() + ")"));
            if (!answer.fromFunction()) {
                client.send(apiGatewayMessage("Internal server error", id, requestId));
            } else if (settings.routeResponses().contains(key) && !answer.detail().isEmpty()) {
                client.send(answer.detail());
            }
        });
    }

    /** $disconnect, once a connection that existed is gone, however it went. */
    private void disconnect(ProxyEvents.Connection connection, ProxyEvents.Close close) {
        LambdaFunction function = routes.get("$disconnect");
        if (function == null) {
            return;
        }
        long now = System.currentTimeMillis();
        invoke(function, ProxyEvents.disconnect(connection, close, now))
                .thenAccept(answer -> log.accept(String.format("$disconnect %s (%d %s) -> %d in %d ms%s",
                        connection.connectionId(), close.statusCode(), close.reason(), answer.statusCode(),
                        System.currentTimeMillis() - now, answer.fromFunction() ? "" : " (" + answer.detail() + ")")));
    }

    private static String apiGatewayMessage(String message, String connectionId, String requestId) {
        return JsonNodeFactory.instance.objectNode()
                .put("message", message)
                .put("connectionId", connectionId)
                .put("requestId", requestId)
                .toString();
    }

    /** Through the integration, counted in flight until answered (a shutdown waits for its $disconnects). */
    private CompletableFuture<ProxyIntegration.Answer> invoke(LambdaFunction function, ObjectNode event) {
        CompletableFuture<ProxyIntegration.Answer> answer = ProxyIntegration.invoke(function, event);
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
        List.copyOf(open.values()).forEach(c -> c.close(ProxyEvents.Close.SHUTDOWN));
        // As long as an event may take: a burst's $disconnects may wait for execution environments to start.
        long deadline = System.nanoTime() + ProxyIntegration.TIMEOUT.plusSeconds(1).toNanos();
        while ((!open.isEmpty() || !inFlight.isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (HttpServer server : servers) {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
