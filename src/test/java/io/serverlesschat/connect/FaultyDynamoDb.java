package io.serverlesschat.connect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pass-through HTTP proxy in front of a real local DynamoDB that can be told to answer as DynamoDB
 * does when it throttles or denies, or to hang: faults moto cannot produce on its own.
 */
final class FaultyDynamoDb implements AutoCloseable {

    enum Mode {
        FORWARD,
        THROTTLE,
        DENY,
        HANG,
        /** The answer's headers at once, its body only when the mode changes (stands in for a slow reader). */
        STALL_BODY
    }

    private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length", "expect", "upgrade");

    private final URI target;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Request> history = new CopyOnWriteArrayList<>();

    /** A request as the proxy saw it: "METHOD path operation" (e.g. "POST / PutItem"), from the client's port. */
    record Request(String line, int clientPort) {
    }
    private volatile Mode mode = Mode.FORWARD;
    private volatile CountDownLatch hang = new CountDownLatch(1);

    FaultyDynamoDb(URI target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Switches the mode and resets the request count; leaving HANG or STALL_BODY releases the held requests. */
    void mode(Mode next) {
        if (mode == Mode.HANG || mode == Mode.STALL_BODY) {
            hang.countDown();
        }
        hang = new CountDownLatch(1);
        requests.set(0);
        mode = next;
    }

    /** Requests received since the last mode switch: the SDK's attempts. */
    int requests() {
        return requests.get();
    }

    /** Every request since the proxy started. */
    List<Request> history() {
        return List.copyOf(history);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        history.add(new Request(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                + (target == null ? "" : " " + target.substring(target.indexOf('.') + 1)),
                exchange.getRemoteAddress().getPort()));
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            switch (mode) {
                case THROTTLE -> error(exchange, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                        "The level of configured provisioned throughput for the table was exceeded.");
                case DENY -> error(exchange, "com.amazon.coral.service#AccessDeniedException",
                        "User: arn:aws:sts::123456789012:assumed-role/chat/fn is not authorized to perform: dynamodb:PutItem");
                case HANG -> hang.await(10, TimeUnit.SECONDS);
                case STALL_BODY -> {
                    exchange.sendResponseHeaders(200, 0);
                    exchange.getResponseBody().flush();
                    hang.await(10, TimeUnit.SECONDS);
                    exchange.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
                }
                case FORWARD -> forward(exchange, body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().getPath()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] answer = response.body().readAllBytes();
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        byte[] body = ("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
        exchange.getResponseHeaders().add("x-amzn-RequestId", "FAULT" + System.nanoTime());
        exchange.sendResponseHeaders(400, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        mode(Mode.FORWARD);
        server.stop(0);
    }
}
