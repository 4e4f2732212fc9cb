package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.AwsCli;
import io.serverlesschat.apigateway.WebSocketClient;
import io.serverlesschat.lambda.EnvironmentPool;
import io.serverlesschat.lambda.ExecutionEnvironment;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The whole local stack as bin/local starts it (the functions from the JVM function.zip on AWS's
 * runtime interface client, a real moto), driven by a real WebSocket client; and how it recovers in
 * place when moto or a function's process dies. It runs with an origin allow-list, as
 * `bin/local --parameter AllowedOrigins=https://chat.example.com` does.
 */
class RunLocalTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> LINES = new CopyOnWriteArrayList<>();
    private static final String CHAT = "https://chat.example.com";
    private static RunLocal local;

    /** What bin/local said, shown only when a test fails. */
    @RegisterExtension
    static final TestWatcher SHOW_LINES_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.out.println("bin/local said, up to " + context.getDisplayName() + " failing:");
            LINES.forEach(line -> System.out.println("  " + line));
        }
    };

    @BeforeAll
    static void start() throws Exception {
        local = RunLocal.start(new LocalOptions(Path.of("../..").toAbsolutePath().normalize(), LocalOptions.Mode.ZIP, 0, 0,
                Map.of("AllowedOrigins", CHAT)), LINES::add);
    }

    @AfterAll
    static void stop() {
        local.close();
    }

    @Test
    void aConnectionIsRecordedOnOpenAndRemovedOnClose() throws Exception {
        Set<String> before = connectionIds();
        WebSocket socket = HTTP.newWebSocketBuilder().header("User-Agent", "run-local-test")
                .buildAsync(local.url(), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);

        Set<String> opened = new HashSet<>(connectionIds());
        opened.removeAll(before);
        assertEquals(1, opened.size(), "one new item once the handshake completed");
        String id = opened.iterator().next();
        Map<String, AttributeValue> item = item(id);
        assertEquals("run-local-test", item.get("userAgent").s());
        assertEquals("dev", item.get("stage").s());
        assertEquals("127.0.0.1", item.get("sourceIp").s());

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        await(() -> item(id).isEmpty(), "the item is deleted once the socket closed");
    }

    /** The Ready banner's @connections line, run as a user copies it (with a real connection id), reaches that client. */
    @Test
    void theReadyBannersSendLineReachesTheClient() throws Exception {
        Set<String> before = connectionIds();
        WebSocketClient client = WebSocketClient.open(HTTP, local.url());
        Set<String> opened = new HashSet<>(connectionIds());
        opened.removeAll(before);
        assertEquals(1, opened.size(), "one new item once the handshake completed");
        String send = ReadyBanner.of(local).lines().filter(line -> line.startsWith("Send:")).findFirst().orElseThrow()
                .substring("Send:".length()).trim();
        assertTrue(send.contains(" --connection-id ID "), send);

        Path aws = Path.of(AwsCli.path());
        ProcessBuilder shell = new ProcessBuilder("sh", "-c", send.replace(" --connection-id ID ", " --connection-id " + opened.iterator().next() + " "))
                .redirectErrorStream(true);
        shell.environment().put("PATH", aws.getParent() + ":" + shell.environment().get("PATH"));
        shell.environment().putAll(Map.of("AWS_CONFIG_FILE", "/dev/null", "AWS_SHARED_CREDENTIALS_FILE", "/dev/null"));
        Process process = shell.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the AWS CLI did not finish");
        assertEquals(0, process.exitValue(), send + "\n" + output);
        assertEquals("{\"message\":\"hello\"}", client.nextText());
        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void theHandshakeIsRefusedWithTheFunctionsStatusWhenItCannotRecord() throws Exception {
        local.dynamo().deleteTable(RunLocal.TABLE);
        try {
            CompletionException refused = assertThrows(CompletionException.class,
                    () -> HTTP.newWebSocketBuilder().buildAsync(local.url(), new WebSocket.Listener() { }).join());
            WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
            assertEquals(500, handshake.getResponse().statusCode());
        } finally {
            local.dynamo().createTable(RunLocal.TABLE, RunLocal.KEY_ATTRIBUTE, RunLocal.TTL_ATTRIBUTE);
        }
    }

    @Test
    void fiftyConcurrentConnectsAreAllRecordedWithDistinctIds() throws Exception {
        Set<String> before = connectionIds();
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            opening.add(HTTP.newWebSocketBuilder().buildAsync(local.url(), new WebSocket.Listener() { }));
        }
        CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        Set<String> opened = new HashSet<>(connectionIds());
        opened.removeAll(before);
        assertEquals(50, opened.size(), "50 handshakes, 50 items with distinct connectionIds");

        for (CompletableFuture<WebSocket> socket : opening) {
            socket.join().sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        await(() -> opened.stream().allMatch(id -> item(id).isEmpty()), "every item deleted after its close");
    }

    @Test
    void aPageOnTheAllowedOriginConnectsAndAClientWithoutOriginToo() throws Exception {
        for (WebSocket.Builder client : List.of(HTTP.newWebSocketBuilder().header("Origin", CHAT), HTTP.newWebSocketBuilder())) {
            Set<String> before = connectionIds();
            WebSocket socket = client.buildAsync(local.url(), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);
            Set<String> opened = new HashSet<>(connectionIds());
            opened.removeAll(before);
            assertEquals(1, opened.size(), "recorded once the handshake completed");
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPageOnAnotherOriginOrALookAlikeIsRefusedWith403AndNothingIsWritten() {
        for (String origin : List.of("https://evil.example", CHAT + ".evil.net", "http://chat.example.com", CHAT + ":444", "null")) {
            Set<String> before = connectionIds();
            CompletionException refused = assertThrows(CompletionException.class, () -> HTTP.newWebSocketBuilder()
                    .header("Origin", origin).buildAsync(local.url(), new WebSocket.Listener() { }).join(), origin);
            WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
            assertEquals(403, handshake.getResponse().statusCode(), origin);
            Set<String> written = new HashSet<>(connectionIds());
            written.removeAll(before); // (earlier tests' $disconnects may still be removing items)
            assertEquals(Set.of(), written, "nothing written for " + origin);
        }
    }

    @Test
    void aDynamoDbThatDiesIsReportedAndRestartedWithItsTableAndTheNextHandshakeWorks() throws Exception {
        Assumptions.assumeTrue(local.dynamo().ownsServer(), "DYNAMODB_ENDPOINT names a server bin/local does not run");
        long pid = local.dynamo().motoProcess().pid();
        awaitUptime(pid);
        local.dynamo().motoProcess().destroyForcibly();

        String exited = awaitLine("bin/local: moto_server (the local DynamoDB on " + local.dynamo().endpoint() + ") (pid " + pid
                + ") exited with status ");
        assertTrue(exited.endsWith("; starting it again"), exited);
        awaitLine("bin/local: moto_server (the local DynamoDB on " + local.dynamo().endpoint() + ") is back (pid ");
        assertEquals("expiresAt", local.dynamo().client().describeTimeToLive(d -> d.tableName(RunLocal.TABLE))
                .timeToLiveDescription().attributeName(), "the table is back with its TTL");
        assertAHandshakeIsRecorded();
    }

    @Test
    void aFunctionProcessThatDiesIsReplacedAsLambdaStartsANewEnvironment() throws Exception {
        assertAHandshakeIsRecorded();
        EnvironmentPool connect = local.environments().get("OnConnectFunction");
        for (ExecutionEnvironment environment : connect.running()) {
            ProcessHandle.of(environment.pid()).orElseThrow().destroyForcibly();
            awaitLine("bin/local: OnConnectFunction execution environment ");
        }
        await(() -> connect.running().isEmpty(), "no environment left");
        int started = connect.started();
        assertAHandshakeIsRecorded();
        assertEquals(started + 1, connect.started(), "the next event started a new environment");
    }

    private static void assertAHandshakeIsRecorded() throws Exception {
        Set<String> before = connectionIds();
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(local.url(), new WebSocket.Listener() { }).get(60, TimeUnit.SECONDS);
        Set<String> opened = new HashSet<>(connectionIds());
        opened.removeAll(before);
        assertEquals(1, opened.size(), "one new item once the handshake completed");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        String id = opened.iterator().next();
        await(() -> item(id).isEmpty(), "the item is deleted once the socket closed");
    }

    /** Parts that end within {@link Supervised#SHORTEST_LIFE} of their start are left down (a crash loop). */
    private static void awaitUptime(long pid) throws InterruptedException {
        Instant started = ProcessHandle.of(pid).orElseThrow().info().startInstant().orElseThrow();
        while (Duration.between(started, Instant.now()).compareTo(Supervised.SHORTEST_LIFE.plusSeconds(1)) < 0) {
            Thread.sleep(100);
        }
    }

    private static String awaitLine(String start) throws InterruptedException {
        await(() -> LINES.stream().anyMatch(l -> l.startsWith(start)), "a line starting \"" + start + "\" in " + LINES);
        return LINES.stream().filter(l -> l.startsWith(start)).findFirst().orElseThrow();
    }

    private static Set<String> connectionIds() {
        Set<String> ids = new HashSet<>();
        local.dynamo().client().scanPaginator(s -> s.tableName(RunLocal.TABLE).consistentRead(true))
                .items().forEach(item -> ids.add(item.get(RunLocal.KEY_ATTRIBUTE).s()));
        return ids;
    }

    private static Map<String, AttributeValue> item(String id) {
        return local.dynamo().client().getItem(g -> g.tableName(RunLocal.TABLE).consistentRead(true)
                .key(Map.of(RunLocal.KEY_ATTRIBUTE, AttributeValue.fromS(id)))).item();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 60 s)");
            Thread.sleep(50);
        }
    }
}
