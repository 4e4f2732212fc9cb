package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.apigateway.WebSocketClient;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Soak and faults through bin/local's own stack (sam.native.yaml, every function from the JVM
 * function.zip, a real moto): 1,050 clients connect at a steady pace over a minute; each sends a message
 * (API Gateway's Forbidden answer tells it its connectionId) and is sent two messages through @connections
 * while others connect; a third of them then vanish without a close frame, the rest close at the end.
 * It asserts correctness only: every item gone, every posted message delivered once to the client it was
 * for and to no other. Its figures (handshake latency, duration) go to target/soak/results.txt for
 * BENCHMARKS.md (what bin/local said to target/soak/bin-local.log); they are not asserted. Loopback only; every wait is bounded.
 */
class GatewaySoakTest {

    static final int CONNECTIONS = Integer.getInteger("soak.connections", 1_050);
    static final Duration OPENING = Duration.ofSeconds(Long.getLong("soak.seconds", 60));
    static final int POSTS_EACH = 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    /** One client: its socket, the id the gateway gave it, what was posted to it, what it received. */
    private static final class Soaked {
        final int n;
        WebSocketClient client;
        String id;
        long handshakeNanos;
        final List<String> posted = new ArrayList<>();
        final List<String> received = new ArrayList<>();
        boolean vanished;

        Soaked(int n) {
            this.n = n;
        }
    }

    @Test
    void athousandConnectionsOverAMinuteWithMessagesPostsAndVanishingClientsLeaveNothingBehind() throws Exception {
        long maxFiles = ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        // Both ends of every socket live in this JVM, beside the HTTP clients to the functions.
        assertTrue(maxFiles >= 3L * CONNECTIONS + 500, "this test holds " + 2 * CONNECTIONS
                + " sockets and this JVM may open only " + maxFiles + " files: raise ulimit -n");
        List<String> lines = new CopyOnWriteArrayList<>();
        Instant started = Instant.now();
        try (RunLocal local = RunLocal.start(new LocalOptions(Path.of("../..").toAbsolutePath().normalize(),
                LocalOptions.Mode.ZIP, 0, 0), lines::add)) {
            List<Soaked> clients = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(new Soaked(i));
            }
            long opening = System.nanoTime();
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            ExecutorService scripts = Executors.newFixedThreadPool(32);
            List<Future<?>> running = new ArrayList<>();
            long step = OPENING.toNanos() / CONNECTIONS;
            for (Soaked c : clients) {
                running.add(pace.schedule(() -> scripts.submit(() -> script(c, local)), c.n * step, TimeUnit.NANOSECONDS));
            }
            for (Future<?> scheduled : running) {
                ((Future<?>) scheduled.get(OPENING.toSeconds() + 60, TimeUnit.SECONDS)).get(120, TimeUnit.SECONDS);
            }
            Duration openedIn = Duration.ofNanos(System.nanoTime() - opening);
            pace.shutdown();
            scripts.shutdown();
            assertEquals(List.of(), problems.subList(0, Math.min(20, problems.size())), problems.size() + " problems");

            // Every client that stayed has its item; every one that vanished lost it through its $disconnect.
            long stayed = clients.stream().filter(c -> !c.vanished).count();
            await(() -> items(local) == stayed, () -> "items of the open connections only: " + items(local) + ", not " + stayed);
            for (Soaked c : clients) {
                if (c.vanished) {
                    assertEquals(410, get(local, c.id), "a vanished client's connection is gone");
                }
            }
            for (Soaked c : clients) {
                if (!c.vanished) {
                    c.client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
                }
            }
            await(() -> items(local) == 0, () -> items(local) + " items left");

            for (Soaked c : clients) {
                assertEquals(c.posted, c.received, "client " + c.n + " (" + c.id + ") got exactly what was posted to it");
                assertEquals(List.of(), List.copyOf(c.client.messages), "client " + c.n + " got nothing else");
            }
            write(clients, openedIn, Duration.between(started, Instant.now()), items(local));
        } finally {
            Files.createDirectories(Path.of("target/soak"));
            Files.write(Path.of("target/soak/bin-local.log"), lines);
        }
    }

    /** One client's life: connect, learn its id, get its posts (while others connect), and for every third, vanish. */
    private void script(Soaked c, RunLocal local) {
        try {
            long start = System.nanoTime();
            c.client = WebSocketClient.connect(http, local.url()).get(60, TimeUnit.SECONDS);
            c.handshakeNanos = System.nanoTime() - start;
            c.client.socket.sendText("{\"action\":\"whoami\",\"n\":" + c.n + "}", true);
            JsonNode forbidden = JSON.readTree(c.client.nextText());
            c.id = forbidden.get("connectionId").asText();
            for (int k = 0; k < POSTS_EACH; k++) {
                String message = "for " + c.id + " #" + k;
                int status = post(local, c.id, message);
                if (status != 200) {
                    problems.add("post to " + c.id + " answered " + status);
                    return;
                }
                c.posted.add(message);
            }
            for (int k = 0; k < POSTS_EACH; k++) {
                c.received.add(c.client.nextText());
            }
            if (c.n % 3 == 0) {
                c.vanished = true;
                c.client.socket.abort(); // no close frame: a killed process, a dropped network
            }
        } catch (Exception | AssertionError e) {
            problems.add("client " + c.n + ": " + e);
        }
    }

    private int post(RunLocal local, String id, String message) throws Exception {
        return http.send(HttpRequest.newBuilder(connection(local, id)).POST(HttpRequest.BodyPublishers.ofString(message)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int get(RunLocal local, String id) throws Exception {
        return http.send(HttpRequest.newBuilder(connection(local, id)).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static URI connection(RunLocal local, String id) {
        return URI.create(local.url().toString().replace("ws://", "http://") + "/@connections/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8));
    }

    private static long items(RunLocal local) {
        return local.dynamo().client().scan(s -> s.tableName(RunLocal.TABLE).select("COUNT").consistentRead(true)).count();
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what.get() + " (after 120 s)");
            Thread.sleep(250);
        }
    }

    /** The run's figures, for BENCHMARKS.md (not asserted: a loaded machine moves them). */
    private static void write(List<Soaked> clients, Duration openedIn, Duration total, long itemsLeft) throws Exception {
        List<Long> handshakes = new ArrayList<>();
        clients.forEach(c -> handshakes.add(c.handshakeNanos));
        Collections.sort(handshakes);
        long vanished = clients.stream().filter(c -> c.vanished).count();
        int posts = clients.stream().mapToInt(c -> c.posted.size()).sum();
        String results = String.format("connections %d (vanished without a close frame: %d), opened in %.1f s, whole run %.1f s,"
                + " handshake p50 %.1f ms p99 %.1f ms max %.1f ms, messages %d, @connections posts %d (all delivered to their client),"
                + " items left %d%n", clients.size(), vanished, openedIn.toMillis() / 1000.0, total.toMillis() / 1000.0,
                percentile(handshakes, 50), percentile(handshakes, 99), handshakes.get(handshakes.size() - 1) / 1e6,
                clients.size(), posts, itemsLeft);
        Path out = Path.of("target/soak/results.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, results);
        System.out.print("soak: " + results);
    }

    private static double percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)) / 1e6;
    }
}
