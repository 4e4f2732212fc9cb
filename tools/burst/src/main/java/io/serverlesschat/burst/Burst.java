package io.serverlesschat.burst;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A burst as a page reload across many clients brings it (bin/burst): N real WebSocket clients open at
 * once against a WebSocket API, hold, and close at once; then it says how many opened, which were refused
 * with which status, and how long the handshakes took. What the server did with them (each $disconnect,
 * the items left) is for bin/local's console and a scan of the table to say (docs/local.md, "A burst").
 *
 * <p>Plain JDK only, so that bin/burst runs this file as it is ({@code java Burst.java}), with nothing built.
 * BurstTest runs the same burst through the whole local stack.
 */
public final class Burst {

    /** What the clients saw: how many opened, the refused ones by HTTP status (-1: no answer), each handshake's time. */
    public record Result(int clients, int opened, Map<Integer, Integer> refused, long[] handshakeMs) {

        /** The handshake time below which {@code percent} of them took (nearest rank). */
        public long percentile(int percent) {
            long[] sorted = handshakeMs.clone();
            Arrays.sort(sorted);
            return sorted[Math.max(0, (int) Math.ceil(sorted.length * percent / 100.0) - 1)];
        }

        @Override
        public String toString() {
            StringBuilder refusals = new StringBuilder();
            refused.forEach((status, count) -> refusals.append(refusals.isEmpty() ? "" : ", ").append(count)
                    .append(status < 0 ? " without an answer" : " with " + status));
            return String.format("%d client%s at once: opened %d, refused %s; handshake p50 %d ms, p99 %d ms", clients,
                    clients == 1 ? "" : "s", opened, refused.isEmpty() ? "none" : refusals, percentile(50), percentile(99));
        }
    }

    private Burst() {
    }

    /**
     * Opens {@code clients} WebSockets to {@code url} at once, holds the open ones for {@code hold}, closes
     * them at once (1000) and waits until the server acknowledged each close, at most a minute.
     */
    public static Result run(URI url, int clients, Duration hold) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        long[] handshakeMs = new long[clients];
        for (int i = 0; i < clients; i++) {
            int client = i;
            long start = System.nanoTime();
            CompletableFuture<Void> closedByServer = new CompletableFuture<>();
            closed.add(closedByServer);
            opening.add(http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60))
                    .buildAsync(url, new WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                            closedByServer.complete(null);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket socket, Throwable error) {
                            closedByServer.complete(null);
                        }
                    })
                    .whenComplete((socket, e) -> handshakeMs[client] = (System.nanoTime() - start) / 1_000_000));
        }
        List<WebSocket> open = new ArrayList<>();
        List<CompletableFuture<Void>> openClosed = new ArrayList<>();
        Map<Integer, Integer> refused = new TreeMap<>();
        for (int i = 0; i < clients; i++) {
            try {
                open.add(opening.get(i).get(90, TimeUnit.SECONDS));
                openClosed.add(closed.get(i));
            } catch (ExecutionException | TimeoutException e) {
                int status = e.getCause() instanceof WebSocketHandshakeException refusal ? refusal.getResponse().statusCode() : -1;
                refused.merge(status, 1, Integer::sum);
            }
        }
        Thread.sleep(hold.toMillis());
        open.forEach(socket -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
        try {
            CompletableFuture.allOf(openClosed.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // some server never acknowledged its close: the figures stand, the server's console says more
        }
        return new Result(clients, open.size(), refused, handshakeMs);
    }

    static final String USAGE = """
            usage: bin/burst [--clients 200] [--hold 10] [ws://localhost:3001/dev]
              opens that many WebSocket clients at once, holds them that many seconds, closes them at once,
              and says how many opened, which were refused (by HTTP status) and the handshakes' p50 and p99""";

    public static void main(String[] args) throws InterruptedException {
        int clients = 200;
        int holdSeconds = 10;
        URI url = URI.create("ws://localhost:3001/dev");
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--clients" -> clients = Integer.parseInt(args[++i]);
                    case "--hold" -> holdSeconds = Integer.parseInt(args[++i]);
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> url = URI.create(args[i]);
                }
            }
            if (clients < 1 || holdSeconds < 0 || !"ws".equals(url.getScheme()) && !"wss".equals(url.getScheme())) {
                throw new IllegalArgumentException();
            }
        } catch (RuntimeException e) {
            System.err.println(USAGE);
            System.exit(2);
        }
        System.out.printf("bin/burst: opening %d WebSocket%s at once to %s, holding %s %d s ...%n", clients, clients == 1 ? "" : "s",
                url, clients == 1 ? "it" : "them", holdSeconds);
        Result result = run(url, clients, Duration.ofSeconds(holdSeconds));
        if (result.refused().getOrDefault(-1, 0) == clients) {
            System.err.println("bin/burst: nothing answered at " + url + ": start bin/local first, or name its gateway (ws://localhost:PORT/dev)");
            System.exit(1);
        }
        System.out.println("bin/burst: " + result + (result.opened() == 0 ? "" : result.opened() == 1 ? "; closed the open one"
                : "; closed the " + result.opened() + " open ones at once"));
    }
}
