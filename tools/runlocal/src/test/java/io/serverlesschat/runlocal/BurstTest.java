package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.GatewaySettings;
import io.serverlesschat.apigateway.LocalGateway;
import io.serverlesschat.burst.Burst;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        Outcome burst = burst(Map.of("ThrottlingBurstLimit", "5000", "ThrottlingRateLimit", "10000"));
        assertEquals(Map.of(), burst.refused(), "handshakes refused, by status");
        assertEquals(CLIENTS, burst.opened());
        assertEquals(Map.of(200, CLIENTS), burst.disconnects(), "$disconnect answers, by status");
        assertEquals(0, burst.itemsLeft(), "items left");
    }

    @Test
    void withTheTemplatesThrottlingRefusalsAre429OnlyAndNoItemIsLeft() throws Exception {
        Outcome burst = burst(Map.of());
        assertTrue(burst.refused().keySet().stream().allMatch(status -> status == 429), "refused, by status: " + burst.refused());
        assertTrue(burst.opened() >= 100, "the stage's burst of 100 opens at least: " + burst.opened());
        assertEquals(Map.of(200, burst.opened()), burst.disconnects(), "$disconnect answers, by status");
        assertEquals(0, burst.itemsLeft(), "items left");
    }

    /** bin/burst, as a user runs it against bin/local: from its source, with nothing built, saying what the clients saw. */
    @Test
    void binBurstRunsFromItsSourceAndSaysWhatTheClientsSaw() throws Exception {
        URI url;
        try (LocalGateway gateway = new LocalGateway(GatewaySettings.of("dev"), Map.of(), line -> { }).start(0)) {
            url = gateway.url();
            String output = binBurst(0, "--clients", "3", "--hold", "0", url.toString());
            assertTrue(output.contains("bin/burst: 3 clients at once: opened 3, refused none; handshake p50 "), output);
        }
        assertEquals("bin/burst: opening 2 WebSockets at once to " + url + ", holding them 0 s ...\nbin/burst: nothing answered at "
                + url + ": start bin/local first, or name its gateway (ws://localhost:PORT/dev)\n",
                binBurst(1, "--clients", "2", "--hold", "0", url.toString()), "with the gateway stopped");
    }

    private static String binBurst(int status, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(PROJECT.resolve("bin/burst").toString()));
        command.addAll(List.of(args));
        Process burst = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(burst.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(burst.waitFor(60, TimeUnit.SECONDS), "bin/burst ended");
        assertEquals(status, burst.exitValue(), output);
        return output;
    }

    record Outcome(int opened, Map<Integer, Integer> refused, Map<Integer, Integer> disconnects, long itemsLeft) {
    }

    /** Runs bin/local --function zip with {@code parameters}, the burst through it (bin/burst's), and prints its figures. */
    private static Outcome burst(Map<String, String> parameters) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (RunLocal local = RunLocal.start(new LocalOptions(PROJECT, LocalOptions.Mode.ZIP, 0, 0, parameters), lines::add)) {
            Burst.Result burst = Burst.run(local.url(), CLIENTS, Duration.ofSeconds(2));
            await(() -> disconnects(lines).values().stream().mapToInt(Integer::intValue).sum() == burst.opened(),
                    "a $disconnect answer per open socket");
            long itemsLeft = local.dynamo().client().scan(s -> s.tableName(RunLocal.TABLE).consistentRead(true)).count();

            System.out.printf("burst %s: %s, $disconnect %s, items left %d, execution environments used %s; load average %.1f%n",
                    parameters.isEmpty() ? "(template's throttling)" : parameters, burst, disconnects(lines), itemsLeft,
                    local.environments().values().stream().map(e -> e.name() + " " + e.peak() + " of " + e.limit())
                            .collect(Collectors.joining(", ")),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            lines.stream().filter(l -> l.contains("execution environment")).forEach(l -> System.out.println("  " + l));
            java.nio.file.Files.write(PROJECT.resolve("target/local/logs/burst-" + (parameters.isEmpty() ? "throttled" : "open") + ".log"), lines);
            return new Outcome(burst.opened(), burst.refused(), disconnects(lines), itemsLeft);
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
