package io.serverlesschat.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.net.URI;
import java.time.Duration;
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
 * it closes. Handshakes over the stage's throttling are refused with 429 before the function is called.
 * API Gateway's limits apply: frames over 32 KB and messages over 128 KB close the connection with 1009;
 * an idle connection is closed after 10 minutes, any connection after 2 hours. The @connections API
 * ({@link ConnectionsApi}) is served on the same port. Functions are reached through a Lambda Runtime API
 * emulator.
 */
public final class LocalGateway implements AutoCloseable {

    public static final int DEFAULT_PORT = 3001;
    /** API Gateway's WebSocket frame size quota: larger frames close the connection with 1009. */
    static final int FRAME_LIMIT = 32 * 1024;
    /** API Gateway's message payload quota, for a client's messages and for @connections posts alike. */
    static final int MESSAGE_LIMIT = 128 * 1024;

    /** How long a connection may stay idle (no message either way), and open at all. */
    public record Limits(Duration idleTimeout, Duration maxDuration) {
        /** API Gateway's quotas ("Quotas for configuring and running a WebSocket API"); neither can be raised. */
        public static final Limits AWS = new Limits(Duration.ofMinutes(10), Duration.ofHours(2));
    }

    // What API Gateway tells the client and $disconnect when it closes a connection itself (docs/local.md).
    static final ProxyEvents.Close IDLE = new ProxyEvents.Close(1001, "Going away");
    static final ProxyEvents.Close TOO_OLD = new ProxyEvents.Close(1001, "Going away");
    static final ProxyEvents.Close TOO_BIG = new ProxyEvents.Close(1009, "Message too big");
    static final ProxyEvents.Close DELETED = new ProxyEvents.Close(1000, "Connection Closed Normally");
    static final ProxyEvents.Close SHUTDOWN = new ProxyEvents.Close(1001, "Going away");

    private final Vertx vertx = Vertx.vertx();
    private final List<HttpServer> servers = new ArrayList<>();
    private final String stage;
    private final String apiId = ProxyEvents.newApiId();
    private final Map<String, FunctionEndpoint> routes;
    private final RouteSelection routeSelection;
    private final Set<String> routeResponses;
    private final Consumer<String> log;
    private final Map<String, Client> open = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final TokenBucket connects;
    private final ConnectionsApi connections;
    private volatile Limits limits = Limits.AWS;
    private int port;

    /** A gateway throttled only at the account's default limits. */
    public LocalGateway(String stage, Map<String, FunctionEndpoint> routes, Consumer<String> log) {
        this(stage, SamTemplate.Throttling.ACCOUNT, routes, log);
    }

    /**
     * A gateway whose messages are routed by {@code $request.body.action}, without route responses.
     *
     * @param throttling the stage's limits on new connections (its $connect route)
     * @param routes route key ($connect, $disconnect, message routes, $default) to the function that serves it
     * @param log where the gateway says what it does, a line per event
     */
    public LocalGateway(String stage, SamTemplate.Throttling throttling, Map<String, FunctionEndpoint> routes,
            Consumer<String> log) {
        this(stage, throttling, SamTemplate.DEFAULT_ROUTE_SELECTION, Set.of(), routes, log);
    }

    /** The template's API: its stage, throttling, route selection expression and route responses. */
    public LocalGateway(SamTemplate template, Map<String, FunctionEndpoint> routes, Consumer<String> log) {
        this(template.stage(), template.throttling(), template.routeSelectionExpression(), template.routeResponses(),
                routes, log);
    }

    LocalGateway(String stage, SamTemplate.Throttling throttling, String routeSelectionExpression,
            Set<String> routeResponses, Map<String, FunctionEndpoint> routes, Consumer<String> log) {
        this.stage = stage;
        this.connects = new TokenBucket(throttling);
        this.routeSelection = RouteSelection.parse(routeSelectionExpression);
        this.routeResponses = Set.copyOf(routeResponses);
        this.routes = Map.copyOf(routes);
        this.log = log;
        this.connections = new ConnectionsApi(stage, MESSAGE_LIMIT, open::get, log);
    }

    /** Shorter limits than AWS's (bin/local --idle-timeout and --max-duration, tests); set before {@link #start}. */
    public LocalGateway limits(Limits limits) {
        this.limits = limits;
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
        return URI.create("ws://localhost:" + port + "/" + stage);
    }

    /** What the AWS CLI and SDKs take as the @connections API's endpoint (--endpoint-url). */
    public URI connectionsEndpoint() {
        return URI.create("http://localhost:" + port + "/" + stage);
    }

    public int port() {
        return port;
    }

    public String stage() {
        return stage;
    }

    private HttpServer listen(String host, int port) throws Exception {
        // The codec drops the TCP connection without a close frame over its limit: it is set above the
        // frame quota, which Client#frame enforces with API Gateway's 1009.
        HttpServerOptions options = new HttpServerOptions()
                .setMaxWebSocketFrameSize(MESSAGE_LIMIT)
                .setMaxWebSocketMessageSize(MESSAGE_LIMIT);
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
        Client client = new Client(socket, connection);
        // Handlers first: a client may send as soon as it reads the 101.
        socket.frameHandler(client::frame);
        socket.exceptionHandler(client::failed);
        socket.closeHandler(closed -> client.closed());
        Promise<Integer> handshake = Promise.promise();
        socket.setHandshake(handshake.future());

        FunctionEndpoint function = routes.get("$connect");
        if (function == null) {
            client.opened();
            handshake.complete(101);
            return;
        }
        ObjectNode event = ProxyEvents.connect(connection, headers(socket), query(socket.uri()), port, now);
        invoke(function, event).thenAccept(answer -> {
            String origin = socket.headers().get("Origin");
            log.accept(String.format("$connect    %s%s -> %d%s in %d ms", connection.connectionId(),
                    origin == null ? "" : " from " + origin, answer.statusCode(),
                    answer.accepted() ? "" : " (handshake refused)", System.currentTimeMillis() - now));
            // On the socket's event loop, open before the 101 goes out: the client may send at once.
            client.context.runOnContext(v -> {
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
        String routeKey = binary ? null : routeSelection.select(text);
        if (routeKey == null || routeKey.equals("$connect") || routeKey.equals("$disconnect") || !routes.containsKey(routeKey)) {
            routeKey = "$default";
        }
        FunctionEndpoint function = routes.get(routeKey);
        String id = client.connection.connectionId();
        if (function == null) {
            // No route matched and there is no $default route: API Gateway answers this, and no function runs.
            client.send(apiGatewayMessage("Forbidden", id, ProxyEvents.newId()));
            return;
        }
        ObjectNode event = ProxyEvents.message(client.connection, routeKey,
                binary ? Base64.getEncoder().encodeToString(payload.getBytes()) : text, binary, now);
        String requestId = event.get("requestContext").get("requestId").asText();
        String key = routeKey;
        invoke(function, event).thenAccept(answer -> {
            log.accept(String.format("%-11s %s -> %d in %d ms%s", key, id, answer.statusCode(),
                    System.currentTimeMillis() - now, answer.fromFunction() ? "" : " (" + answer.detail() + ")"));
            if (!answer.fromFunction()) {
                client.send(apiGatewayMessage("Internal server error", id, requestId));
            } else if (routeResponses.contains(key) && !answer.detail().isEmpty()) {
                client.send(answer.detail());
            }
        });
    }

    private static String apiGatewayMessage(String message, String connectionId, String requestId) {
        return JsonNodeFactory.instance.objectNode()
                .put("message", message)
                .put("connectionId", connectionId)
                .put("requestId", requestId)
                .toString();
    }

    private CompletableFuture<FunctionEndpoint.Answer> invoke(FunctionEndpoint function, ObjectNode event) {
        CompletableFuture<FunctionEndpoint.Answer> answer = function.invoke(event);
        inFlight.add(answer);
        answer.whenComplete((a, e) -> inFlight.remove(answer));
        return answer;
    }

    /** One WebSocket connection: its socket, what API Gateway knows of it, and why the gateway closed it. */
    final class Client implements ConnectionsApi.OpenConnection {
        final ServerWebSocket socket;
        final ProxyEvents.Connection connection;
        /** The socket's event loop: a message's frames are written there in one go, never interleaved with another's. */
        private final io.vertx.core.Context context = vertx.getOrCreateContext();
        private volatile boolean isOpen;
        /** The TCP connection ended, perhaps while $connect still ran. */
        private boolean ended;
        private volatile long lastActiveAt;
        private volatile ProxyEvents.Close closing;
        private Buffer partial;
        private boolean partialBinary;
        private long maxDurationTimer = -1;
        private long idleTimer = -1;

        Client(ServerWebSocket socket, ProxyEvents.Connection connection) {
            this.socket = socket;
            this.connection = connection;
            this.lastActiveAt = connection.connectedAt();
        }

        @Override
        public ProxyEvents.Connection connection() {
            return connection;
        }

        @Override
        public long lastActiveAt() {
            return lastActiveAt;
        }

        private void opened() {
            isOpen = true;
            if (ended) {
                closed(); // gone while $connect recorded it: $disconnect removes it again
                return;
            }
            open.put(connection.connectionId(), this);
            maxDurationTimer = vertx.setTimer(limits.maxDuration().toMillis(), t -> close(TOO_OLD));
            idleCheck(limits.idleTimeout().toMillis());
        }

        private void idleCheck(long delayMs) {
            idleTimer = vertx.setTimer(Math.max(1, delayMs), t -> {
                long idle = System.currentTimeMillis() - lastActiveAt;
                long timeout = limits.idleTimeout().toMillis();
                if (idle >= timeout) {
                    close(IDLE);
                } else if (isOpen) {
                    idleCheck(timeout - idle);
                }
            });
        }

        /** Data frames, reassembled into messages; a message over the quota closes the connection. */
        private void frame(WebSocketFrame frame) {
            if (!isOpen || closing != null || !(frame.isText() || frame.isBinary() || frame.isContinuation())) {
                return;
            }
            if (!frame.isContinuation()) {
                partial = Buffer.buffer();
                partialBinary = frame.isBinary();
            }
            if (partial == null) {
                return; // a continuation of nothing: the codec refuses those already
            }
            partial.appendBuffer(frame.binaryData());
            if (frame.binaryData().length() > FRAME_LIMIT || partial.length() > MESSAGE_LIMIT) {
                partial = null;
                close(TOO_BIG);
                return;
            }
            if (frame.isFinal()) {
                Buffer message = partial;
                partial = null;
                lastActiveAt = System.currentTimeMillis();
                message(this, message, partialBinary);
            }
        }

        /** The codec drops the connection itself when a frame is over its own limit (it sends no close frame). */
        private void failed(Throwable e) {
            if (e instanceof CorruptedWebSocketFrameException corrupted && corrupted.closeStatus().code() == 1009
                    && closing == null) {
                closing = TOO_BIG;
            }
        }

        /** Sends a text message to the client, in frames of at most 32 KB as API Gateway does. */
        @Override
        public CompletableFuture<Void> send(String text) {
            List<WebSocketFrame> frames = new ArrayList<>();
            int start = 0;
            int bytes = 0;
            for (int i = 0; i < text.length(); ) {
                int codePoint = text.codePointAt(i);
                int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
                if (bytes + size > FRAME_LIMIT) {
                    frames.add(fragment(text.substring(start, i), frames.isEmpty(), false));
                    start = i;
                    bytes = 0;
                }
                bytes += size;
                i += Character.charCount(codePoint);
            }
            frames.add(fragment(text.substring(start), frames.isEmpty(), true));
            return write(frames);
        }

        /** Sends a binary message to the client, in frames of at most 32 KB. */
        @Override
        public CompletableFuture<Void> send(Buffer binary) {
            List<WebSocketFrame> frames = new ArrayList<>();
            for (int at = 0; at == 0 || at < binary.length(); at += FRAME_LIMIT) {
                Buffer part = binary.slice(at, Math.min(binary.length(), at + FRAME_LIMIT));
                boolean last = at + FRAME_LIMIT >= binary.length();
                frames.add(at == 0 ? WebSocketFrame.binaryFrame(part, last) : WebSocketFrame.continuationFrame(part, last));
            }
            return write(frames);
        }

        private static WebSocketFrame fragment(String text, boolean first, boolean last) {
            return first ? WebSocketFrame.textFrame(text, last) : WebSocketFrame.continuationFrame(Buffer.buffer(text), last);
        }

        private CompletableFuture<Void> write(List<WebSocketFrame> frames) {
            lastActiveAt = System.currentTimeMillis();
            CompletableFuture<Void> written = new CompletableFuture<>();
            context.runOnContext(v -> {
                io.vertx.core.Future<Void> last = null;
                for (WebSocketFrame frame : frames) {
                    last = socket.writeFrame(frame);
                }
                last.onComplete(done -> {
                    if (done.succeeded()) {
                        written.complete(null);
                    } else {
                        written.completeExceptionally(done.cause());
                    }
                });
            });
            return written;
        }

        /** Whether the client reads too slowly for more (API Gateway's LimitExceededException). */
        @Override
        public boolean congested() {
            return socket.writeQueueFull();
        }

        @Override
        public void delete() {
            close(DELETED);
        }

        /** Closes the client's socket, telling it (and then $disconnect) why. */
        void close(ProxyEvents.Close why) {
            if (!isOpen || closing != null) {
                return;
            }
            closing = why;
            socket.close((short) why.statusCode(), why.reason());
        }

        private void closed() {
            ended = true;
            if (!isOpen) {
                return; // the handshake was refused, or $connect still runs: the connection does not exist (yet)
            }
            isOpen = false;
            open.remove(connection.connectionId());
            vertx.cancelTimer(maxDurationTimer);
            vertx.cancelTimer(idleTimer);
            FunctionEndpoint function = routes.get("$disconnect");
            if (function == null) {
                return;
            }
            long now = System.currentTimeMillis();
            ProxyEvents.Close close = closing != null ? closing : ProxyEvents.Close.byClient(socket.closeStatusCode());
            invoke(function, ProxyEvents.disconnect(connection, close, now))
                    .thenAccept(answer -> log.accept(String.format("$disconnect %s (%d %s) -> %d in %d ms%s",
                            connection.connectionId(), close.statusCode(), close.reason(), answer.statusCode(),
                            System.currentTimeMillis() - now, answer.fromFunction() ? "" : " (" + answer.detail() + ")")));
        }
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
        List.copyOf(open.values()).forEach(c -> c.close(SHUTDOWN));
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
