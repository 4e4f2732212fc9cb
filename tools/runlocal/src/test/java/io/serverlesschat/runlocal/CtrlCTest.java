package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.localdev.LocalDynamoDb;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C in a terminal, as a terminal sends it: SIGINT to bin/local's whole process group, with sockets
 * open. Before, the functions (and moto) died with bin/local at that moment, and every open socket's
 * $disconnect got 502 after 5 s: its item stayed. Now every $disconnect is answered 200 (its item
 * deleted), bin/local exits, and no process it started is left.
 */
class CtrlCTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();
    private static final Pattern READY = Pattern.compile("Ready\\. WebSocket API: (ws://\\S+)");
    private static final int SOCKETS = 5;

    /** Against a DynamoDB that outlives bin/local (DYNAMODB_ENDPOINT), so the table can be read after it stopped. */
    @Test
    void everyOpenSocketsItemIsRemovedAndNoProcessIsLeft() throws Exception {
        try (LocalDynamoDb dynamo = LocalDynamoDb.startMoto(0)) {
            Stopped stopped = ctrlC(Map.of("DYNAMODB_ENDPOINT", dynamo.endpoint().toString()));
            assertEquals(SOCKETS, stopped.disconnects(200), "a $disconnect answered 200 per open socket:\n" + stopped.output());
            long items = dynamo.client().scan(s -> s.tableName(RunLocal.TABLE).consistentRead(true)).count();
            assertEquals(0, items, "items left in the table");
        }
    }

    /** With bin/local's own moto, which installs a SIGINT handler of its own: it must still be there for the $disconnects. */
    @Test
    void itsOwnMotoOutlivesTheCtrlCUntilTheLastDisconnect() throws Exception {
        Stopped stopped = ctrlC(Map.of());
        assertEquals(SOCKETS, stopped.disconnects(200), "a $disconnect answered 200 per open socket:\n" + stopped.output());
    }

    record Stopped(List<String> output) {
        long disconnects(int status) {
            return output.stream().filter(l -> l.startsWith("$disconnect") && l.contains(" -> " + status + " in ")).count();
        }
    }

    /** Starts bin/local as a terminal does (leader of its process group), opens sockets, sends SIGINT to the group. */
    private static Stopped ctrlC(Map<String, String> env) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "setsid (util-linux) starts a process group");
        // A terminal's shell starts a command with SIGINT at its default, whatever this test inherited (a
        // job started in the background of a script has it ignored, and would ignore Ctrl-C too).
        List<String> command = new ArrayList<>(List.of("/usr/bin/setsid", "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dproject.dir=" + PROJECT, LocalCommand.class.getName(),
                "--function", "zip", "--port", "0", "--dynamodb-port", "0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("DYNAMODB_ENDPOINT");
        builder.environment().putAll(env);
        Process local = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(local.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(URI.create(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // ended
            }
            ready.completeExceptionally(new AssertionError("bin/local ended before Ready.:\n" + String.join("\n", output)));
        });
        reader.setDaemon(true);
        reader.start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            URI url = ready.get(300, TimeUnit.SECONDS);
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < SOCKETS; i++) {
                http.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).get(60, TimeUnit.SECONDS);
            }
            await(() -> output.stream().filter(l -> l.startsWith("$connect") && l.contains(" -> 200 in ")).count() == SOCKETS,
                    "every handshake recorded");
            started.addAll(local.descendants().toList());
            assertTrue(started.size() >= 2, "bin/local runs its functions: " + started);

            // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group. (Not "kill -INT
            // -PGID": procps-ng's kill 4.0.2 read that as a signal for every process of the machine.)
            Process kill = new ProcessBuilder("kill", "-s", "INT", "--", "-" + local.pid()).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -s INT -- -" + local.pid());
            assertTrue(local.waitFor(60, TimeUnit.SECONDS), "bin/local stopped within 60 s of Ctrl-C:\n" + String.join("\n", output));
            reader.join(5000);
            await(() -> started.stream().noneMatch(ProcessHandle::isAlive), "no process bin/local started is left: " + started);
            return new Stopped(List.copyOf(output));
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
            local.descendants().forEach(ProcessHandle::destroyForcibly);
            local.destroyForcibly();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 30 s)");
            Thread.sleep(100);
        }
    }
}
