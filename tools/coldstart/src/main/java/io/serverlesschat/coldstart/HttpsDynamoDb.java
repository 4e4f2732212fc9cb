package io.serverlesschat.coldstart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The local DynamoDB as the function meets DynamoDB on AWS: an HTTPS endpoint that keeps each connection open
 * between requests (HTTP/1.1 keep-alive), presenting a chain shaped like AWS's ({@link TlsChain}), and relaying
 * every request to moto over plain HTTP. moto itself cannot stand in for this: its server answers every request
 * with {@code Connection: close}, so against it no connection is ever reused. The endpoint counts the TLS
 * connections it accepts and when, so that a run can tell how many its function opened, and in which phase.
 */
final class HttpsDynamoDb implements AutoCloseable {

    /** Hop-by-hop headers, and those the JDK's client sets itself. */
    private static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "transfer-encoding", "content-length",
            "host", "expect", "upgrade", "date", "server");

    private final HttpsServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final URI moto;
    private final boolean keepAlive;
    private final ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();

    private HttpsDynamoDb(HttpsServer server, ExecutorService executor, URI moto, boolean keepAlive) {
        this.server = server;
        this.executor = executor;
        this.moto = moto;
        this.keepAlive = keepAlive;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** An endpoint on a free port of the loopback that keeps connections open and relays to {@code moto}. */
    static HttpsDynamoDb start(URI moto, SSLContext context) {
        return start(moto, context, true);
    }

    /**
     * As {@link #start(URI, SSLContext)}; with {@code keepAlive} false, every answer closes its connection, as
     * moto does (for the tests that show what that costs).
     */
    static HttpsDynamoDb start(URI moto, SSLContext context, boolean keepAlive) {
        HttpsServer server;
        try {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the local DynamoDB's HTTPS port", e);
        }
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "https-dynamodb");
            t.setDaemon(true);
            return t;
        });
        HttpsDynamoDb endpoint = new HttpsDynamoDb(server, executor, moto, keepAlive);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            // Called for each connection being established (HttpsConfigurator's contract): one accepted TLS connection.
            @Override
            public void configure(HttpsParameters params) {
                endpoint.accepted.add(System.nanoTime());
                params.setSSLParameters(getSSLContext().getDefaultSSLParameters());
            }
        });
        server.createContext("/", endpoint::relay);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    /** https://localhost:PORT: the name the server certificate is for, as the function's endpoint. */
    URI endpoint() {
        return URI.create("https://" + TlsChain.HOST + ":" + server.getAddress().getPort());
    }

    /** How many connections were accepted at {@link System#nanoTime()} in [from, to). */
    int acceptedBetween(long fromNanos, long toNanos) {
        return (int) accepted.stream().filter(t -> t - fromNanos >= 0 && t - toNanos < 0).count();
    }

    /** All connections accepted so far. */
    int accepted() {
        return accepted.size();
    }

    private void relay(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(moto.resolve(exchange.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(30))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            answer.headers().map().forEach((name, values) -> {
                if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT))) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            if (!keepAlive) {
                exchange.getResponseHeaders().set("Connection", "close");
            }
            byte[] out = answer.body();
            exchange.sendResponseHeaders(answer.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream response = exchange.getResponseBody()) {
                    response.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
