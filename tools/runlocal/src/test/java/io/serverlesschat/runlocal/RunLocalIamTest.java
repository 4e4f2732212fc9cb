package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.AwsCli;
import io.serverlesschat.apigateway.SigV4Handshake;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `bin/local --parameter ConnectAuthorization=AWS_IAM`, the whole stack (the JVM function.zip, moto) and a real
 * WebSocket client: a handshake presigned as bin/presign does it, or by botocore (the AWS CLI's Python), connects
 * and is recorded; an unsigned or wrongly signed one gets 403 and writes nothing.
 */
class RunLocalIamTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> LINES = new CopyOnWriteArrayList<>();
    private static RunLocal local;

    @BeforeAll
    static void start() throws Exception {
        local = RunLocal.start(new LocalOptions(Path.of("../..").toAbsolutePath().normalize(), LocalOptions.Mode.ZIP, 0, 0,
                Map.of("ConnectAuthorization", "AWS_IAM")), LINES::add);
    }

    @AfterAll
    static void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void theBannerSaysHowToConnectSigned() {
        String ready = ReadyBanner.of(local);
        assertTrue(ready.contains("npx wscat -c \"$(bin/presign " + local.url() + ")\""), ready);
        assertTrue(ready.contains("ConnectAuthorization=AWS_IAM: only SigV4-signed handshakes connect"), ready);
    }

    @Test
    void aHandshakePresignedAsBinPresignDoesConnectsAndIsRecorded() throws Exception {
        URI url = Presigner.presign(PresignOptions.parse(local.url() + "?room=general"), SigV4Handshake.LOCAL,
                LocalDynamoDb.REGION, Clock.systemUTC());
        assertConnectsAndIsRecorded(url);
    }

    @Test
    void aHandshakePresignedByBotocoreConnects() throws Exception {
        String http = "http" + local.url().toString().substring("ws".length()) + "?room=general";
        assertConnectsAndIsRecorded(URI.create("ws" + botocorePresign(http).substring("http".length())));
    }

    @Test
    void anUnsignedHandshakeGets403AndWritesNothing() throws Exception {
        assertRefused(local.url());
    }

    @Test
    void anotherSecretGets403() throws Exception {
        assertRefused(Presigner.presign(PresignOptions.parse(local.url().toString()),
                new SigV4Handshake.Credentials("local", "guessed"), LocalDynamoDb.REGION, Clock.systemUTC()));
    }

    private static void assertConnectsAndIsRecorded(URI url) throws Exception {
        Set<String> before = connectionIds();
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);
        Set<String> opened = new HashSet<>(connectionIds());
        opened.removeAll(before);
        assertEquals(1, opened.size(), "one new item once the signed handshake completed: " + LINES);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    private static void assertRefused(URI url) {
        Set<String> before = connectionIds();
        CompletionException refused = assertThrows(CompletionException.class,
                () -> HTTP.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).join());
        assertEquals(403, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode());
        Set<String> added = new HashSet<>(connectionIds());
        added.removeAll(before);
        assertEquals(Set.of(), added, "a refused handshake writes no item");
    }

    /** botocore's SigV4QueryAuth, run by the AWS CLI's own Python: how a Python client presigns. */
    private static String botocorePresign(String url) throws Exception {
        String script = """
                import sys
                from botocore.auth import SigV4QueryAuth
                from botocore.awsrequest import AWSRequest
                from botocore.credentials import Credentials
                request = AWSRequest(method="GET", url=sys.argv[1])
                SigV4QueryAuth(Credentials("local", "local"), "execute-api", sys.argv[2], expires=300).add_auth(request)
                print(request.url)
                """;
        Process process = new ProcessBuilder(awsCliPython(), "-c", script, url, LocalDynamoDb.REGION).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, output);
        return output;
    }

    /** The Python the AWS CLI runs on (its script's #! line), or, behind a pyenv shim, that of pyenv's version that has it. */
    private static String awsCliPython() throws Exception {
        Path aws = Path.of(AwsCli.path());
        String[] shebang = Files.readAllLines(aws).get(0).substring(2).trim().split("\\s+");
        String interpreter = shebang[0].endsWith("/env") && shebang.length > 1 ? shebang[1] : shebang[0];
        if (interpreter.contains("python")) {
            return interpreter;
        }
        Path versions = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
        try (var pythons = Files.list(versions)) {
            return pythons.sorted().filter(v -> Files.isExecutable(v.resolve("bin/aws")))
                    .map(v -> v.resolve("bin/python").toString()).findFirst()
                    .orElseThrow(() -> new AssertionError("cannot tell which Python runs " + aws + " (botocore's)"));
        }
    }

    private static Set<String> connectionIds() {
        Set<String> ids = new HashSet<>();
        local.dynamo().client().scanPaginator(s -> s.tableName(RunLocal.TABLE).consistentRead(true))
                .items().forEach(item -> ids.add(item.get(RunLocal.KEY_ATTRIBUTE).s()));
        return ids;
    }
}
