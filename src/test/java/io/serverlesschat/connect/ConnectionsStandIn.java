package io.serverlesschat.connect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * API Gateway's @connections API for the function's tests, on {@code http://127.0.0.1:PORT/dev}: takes
 * {@code POST /dev/@connections/ID} as API Gateway does and records what each connection got. A connection it
 * was told is gone answers 410 (GoneException), one it refuses 403 (ForbiddenException), one that hangs never
 * answers within a post's timeout. Any other is open.
 */
final class ConnectionsStandIn implements AutoCloseable {

    static final String STAGE = "dev";

    /** One post: to whom, what. */
    record Post(String connectionId, String data) {
    }

    private final HttpServer server;
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Set<String> hanging = ConcurrentHashMap.newKeySet();

    ConnectionsStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/" + STAGE + "/@connections/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    /** The endpoint a client of the API Gateway Management API takes. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + STAGE);
    }

    List<Post> posts() {
        return List.copyOf(posts);
    }

    /** The data each connection got, in order. */
    List<String> received(String connectionId) {
        return posts.stream().filter(p -> p.connectionId().equals(connectionId)).map(Post::data).toList();
    }

    void gone(String connectionId) {
        gone.add(connectionId);
    }

    void refuse(String connectionId) {
        refused.add(connectionId);
    }

    void hang(String connectionId) {
        hanging.add(connectionId);
    }

    void reset() {
        posts.clear();
        gone.clear();
        refused.clear();
        hanging.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String id = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, null);
                return;
            }
            if (exchange.getRequestHeaders().getFirst("Authorization") == null) {
                answer(exchange, 403, "ForbiddenException"); // API Gateway takes signed calls only
                return;
            }
            String data = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (hanging.contains(id)) {
                Thread.sleep(10_000);
            }
            if (gone.contains(id)) {
                answer(exchange, 410, "GoneException");
            } else if (refused.contains(id)) {
                answer(exchange, 403, "ForbiddenException");
            } else {
                posts.add(new Post(id, data));
                answer(exchange, 200, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answer(HttpExchange exchange, int status, String errorType) throws IOException {
        byte[] body = errorType == null ? new byte[0] : ("{\"message\":null}").getBytes(StandardCharsets.UTF_8);
        if (errorType != null) {
            exchange.getResponseHeaders().add("x-amzn-ErrorType", errorType);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        }
        exchange.getResponseHeaders().add("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    /** Starts the stand-in before Quarkus, points the function at it, and hands it to fields annotated {@link Inject}. */
    public static class Resource implements io.quarkus.test.common.QuarkusTestResourceLifecycleManager {

        /** Marks a test field that receives the running stand-in. */
        @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
        @java.lang.annotation.Target(java.lang.annotation.ElementType.FIELD)
        public @interface Inject {
        }

        private ConnectionsStandIn standIn;

        @Override
        public Map<String, String> start() {
            try {
                standIn = new ConnectionsStandIn();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Map.of("sendmessage.connections-endpoint", standIn.endpoint().toString());
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(standIn, new TestInjector.AnnotatedAndMatchesType(Inject.class, ConnectionsStandIn.class));
        }

        @Override
        public void stop() {
            if (standIn != null) {
                standIn.close();
            }
        }
    }
}
