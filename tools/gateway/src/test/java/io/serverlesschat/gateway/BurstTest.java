package io.serverlesschat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.local.ExecutionEnvironments;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A burst as a page reload across many clients brings it, through the whole local stack (the zip's
 * functions in their execution environments, a real moto): 200 WebSocket clients open at once, hold,
 * and close at once. With the stage's throttling raised out of the way, every handshake is accepted,
 * every $disconnect answered 200, and no item is left (before: 42 handshakes refused 502 and 51 items
 * left). With the template's own throttling (burst 100, 50 a second), refusals are 429 only, and no item
 * is left either. Each run prints its figures (BENCHMARKS.md, "bin/local under a burst").
 */
class BurstTest {

    static final int CLIENTS = Integer.getInteger("burst.clients", 200);
    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();
    /** The gateway's line for a $disconnect: "$disconnect ID (1000 reason) -> 200 in 12 ms". */
    private static final java.util.regex.Pattern DISCONNECT = java.util.regex.Pattern.compile("^\\$disconnect .* -> (\\d+) in ");

    @Test
    void everyHandshakeIsAcceptedEveryDisconnectAnsweredAndNoItemLeft() throws Exception {
        Burst burst = burst(Map.of("ThrottlingBurstLimit", "5000", "ThrottlingRateLimit", "10000"));
        assertEquals(Map.of(), burst.refused(), "handshakes refused, by status");
        assertEquals(CLIENTS, burst.opened());
        assertEquals(Map.of(200, CLIENTS), burst.disconnects(), "$disconnect answers, by status");
        assertEquals(0, burst.itemsLeft(), "items left");
    }

    @Test
    void withTheTemplatesThrottlingRefusalsAre429OnlyAndNoItemIsLeft() throws Exception {
        Burst burst = burst(Map.of());
        assertTrue(burst.refused().keySet().stream().allMatch(status -> status == 429), "refused, by status: " + burst.refused());
        assertTrue(burst.opened() >= 100, "the stage's burst of 100 opens at least: " + burst.opened());
        assertEquals(Map.of(200, burst.opened()), burst.disconnects(), "$disconnect answers, by status");
        assertEquals(0, burst.itemsLeft(), "items left");
    }

    record Burst(int opened, Map<Integer, Integer> refused, Map<Integer, Integer> disconnects, long itemsLeft) {
    }

    /** Runs bin/local --function zip with {@code parameters}, the burst through it, and prints its figures. */
    private static Burst burst(Map<String, String> parameters) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (RunLocal local = RunLocal.start(new LocalOptions(PROJECT, LocalOptions.Mode.ZIP, 0, 0, parameters), lines::add)) {
            HttpClient http = HttpClient.newHttpClient();
            List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
            long[] handshakeMs = new long[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                long start = System.nanoTime();
                opening.add(http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60))
                        .buildAsync(local.url(), new WebSocket.Listener() { })
                        .whenComplete((socket, e) -> handshakeMs[client] = (System.nanoTime() - start) / 1_000_000));
            }
            List<WebSocket> open = new ArrayList<>();
            Map<Integer, Integer> refused = new TreeMap<>();
            for (CompletableFuture<WebSocket> socket : opening) {
                try {
                    open.add(socket.get(60, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    int status = e.getCause() instanceof WebSocketHandshakeException h ? h.getResponse().statusCode() : -1;
                    refused.merge(status, 1, Integer::sum);
                }
            }
            Thread.sleep(2000);
            open.forEach(socket -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
            await(() -> disconnects(lines).values().stream().mapToInt(Integer::intValue).sum() == open.size(),
                    "a $disconnect answer per open socket");
            long itemsLeft = local.dynamo().client().scan(s -> s.tableName(RunLocal.TABLE).consistentRead(true)).count();

            long[] sorted = handshakeMs.clone();
            java.util.Arrays.sort(sorted);
            System.out.printf("burst %s: %d clients, opened %d, refused %s, $disconnect %s, items left %d,"
                    + " handshake p50 %d ms, p99 %d ms, execution environments used %s; load average %.1f%n",
                    parameters.isEmpty() ? "(template's throttling)" : parameters, CLIENTS, open.size(), refused,
                    disconnects(lines), itemsLeft, sorted[CLIENTS / 2], sorted[(int) Math.ceil(CLIENTS * 0.99) - 1],
                    local.environments().values().stream().map(e -> e.name() + " " + e.peak() + " of " + e.limit())
                            .collect(Collectors.joining(", ")),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            lines.stream().filter(l -> l.contains("execution environment")).forEach(l -> System.out.println("  " + l));
            java.nio.file.Files.write(PROJECT.resolve("target/local/logs/burst-" + (parameters.isEmpty() ? "throttled" : "open") + ".log"), lines);
            return new Burst(open.size(), refused, disconnects(lines), itemsLeft);
        }
    }

    /** The gateway's $disconnect lines, by the function's status. */
    private static Map<Integer, Integer> disconnects(List<String> lines) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (String line : lines) {
            java.util.regex.Matcher answer = DISCONNECT.matcher(line);
            if (answer.find()) {
                statuses.merge(Integer.parseInt(answer.group(1)), 1, Integer::sum);
            }
        }
        return statuses;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 120 s)");
            Thread.sleep(100);
        }
    }
}
