package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.localdev.LocalDynamoDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * `bin/local --parameter ConnectAuthorization=JWT` end to end: sam.native.yaml's authorizer and routes from the
 * JVM function.zip, the local issuer's key set, a real moto and a real WebSocket client. Tokens come from the
 * local issuer as bin/token makes them, and from another key.
 */
class RunLocalJwtTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> LINES = new CopyOnWriteArrayList<>();
    private static RunLocal local;
    private static LocalIssuer issuer;

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
                Map.of("ConnectAuthorization", "JWT")).withIssuerPort(0), LINES::add);
        issuer = local.authorizer().issuer();
    }

    @AfterAll
    static void stop() {
        local.close();
        assertTrue(LINES.stream().noneMatch(line -> line.contains("eyJ")), "a token in bin/local's output");
    }

    @Test
    void withoutATokenTheHandshakeGets401() {
        assertEquals(401, refusal(local.url()));
        assertTrue(LINES.stream().anyMatch(l -> l.contains("refused with 401 by the authorizer AuthorizerFunction: no route.request.querystring.token")));
    }

    @Test
    void forgedAlteredExpiredAndWrongAudienceTokensAreRefusedWith403(@TempDir Path elsewhere) throws Exception {
        String user = "mallory-" + UUID.randomUUID();
        LocalIssuer forger = LocalIssuer.start(elsewhere, 0, LocalIssuer.AUDIENCE);
        String forged;
        try (forger) {
            // The local issuer's claims, signed with a key it does not publish.
            forged = forger.token(user, user, null, LocalIssuer.AUDIENCE, Duration.ofHours(1));
        }
        assertEquals(403, refusal(withToken(forged)), "another key");
        String good = issuer.token("alice", "alice", null, LocalIssuer.AUDIENCE, Duration.ofHours(1));
        String[] parts = good.split("\\.");
        String otherClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"" + issuer.issuer() + "\",\"sub\":\"" + user + "\",\"aud\":\"local\",\"exp\":9999999999}").getBytes());
        assertEquals(403, refusal(withToken(parts[0] + "." + otherClaims + "." + parts[2])), "altered claims");
        assertEquals(403, refusal(withToken(issuer.token(user, user, null, LocalIssuer.AUDIENCE, Duration.ofMinutes(-10)))),
                "expired 10 minutes ago");
        assertEquals(403, refusal(withToken(issuer.token(user, user, null, "another-app", Duration.ofHours(1)))), "another audience");
        assertTrue(itemsOf(user).isEmpty(), "an item for a refused handshake");
    }

    @Test
    void aGoodTokenConnectsAndTheItemCarriesItsUser() throws Exception {
        String user = "alice-" + UUID.randomUUID();
        WebSocket socket = open(issuer.token(user, "Alice", "alice@example.com", LocalIssuer.AUDIENCE, Duration.ofHours(1)));
        List<Map<String, AttributeValue>> items = itemsOf(user);
        assertEquals(1, items.size());
        assertEquals("Alice", items.get(0).get("userName").s());
        assertTrue(!items.get(0).containsKey("email"), "the e-mail is not stored");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        await(() -> itemsOf(user).isEmpty(), "$disconnect deleted the item");
    }

    @Test
    void twoConnectionsOfOneUserComeBackFromTheByUserIndex() throws Exception {
        String user = "bob-" + UUID.randomUUID();
        String other = "carol-" + UUID.randomUUID();
        List<WebSocket> sockets = new ArrayList<>();
        sockets.add(open(issuer.token(user, "Bob", null, LocalIssuer.AUDIENCE, Duration.ofHours(1))));
        sockets.add(open(issuer.token(other, "Carol", null, LocalIssuer.AUDIENCE, Duration.ofHours(1))));
        sockets.add(open(issuer.token(user, "Bob", null, LocalIssuer.AUDIENCE, Duration.ofMinutes(5))));

        Set<String> fromTable = itemsOf(user).stream().map(i -> i.get("connectionId").s()).collect(Collectors.toSet());
        assertEquals(2, fromTable.size());
        List<Map<String, AttributeValue>> fromIndex = byUser(user);
        assertEquals(fromTable, fromIndex.stream().map(i -> i.get("connectionId").s()).collect(Collectors.toSet()));
        assertTrue(Long.parseLong(fromIndex.get(0).get("connectedAt").n()) <= Long.parseLong(fromIndex.get(1).get("connectedAt").n()),
                "oldest first");
        for (Map<String, AttributeValue> item : fromIndex) {
            assertEquals("dev", item.get("stage").s(), "what a route needs for @connections is projected: " + item);
            assertTrue(item.get("domainName").s().startsWith("localhost:"), item.toString());
            assertTrue(item.containsKey("expiresAt"));
        }
        assertNotEquals(0, byUser(other).size());
        for (WebSocket socket : sockets) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
        await(() -> byUser(user).isEmpty(), "both items left the index on $disconnect");
    }

    @Test
    void theIssuerServesItsKeySetAndBinTokensSettings() throws Exception {
        var response = HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create(issuer.issuer() + LocalIssuer.KEY_SET_PATH)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"alg\":\"RS256\"") && !response.body().contains("\"d\""), "public key only: " + response.body());
        Path folder = LocalIssuer.folder(Path.of("../..").toAbsolutePath().normalize());
        // What bin/token does: sign with what the running bin/local wrote.
        LocalIssuer asBinTokenReadsIt = LocalIssuer.lastServed(Path.of("../..").toAbsolutePath().normalize());
        assertEquals(issuer.issuer(), asBinTokenReadsIt.issuer());
        open(asBinTokenReadsIt.token("dave-" + UUID.randomUUID(), "dave", null, asBinTokenReadsIt.audience(), Duration.ofMinutes(1)))
                .sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(folder.resolve(IssuerKey.FILE))));
    }

    private static WebSocket open(String token) throws Exception {
        return HTTP.newWebSocketBuilder().buildAsync(withToken(token), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);
    }

    private static URI withToken(String token) {
        return URI.create(local.url() + "?token=" + token);
    }

    private static int refusal(URI url) {
        CompletionException refused = assertThrows(CompletionException.class,
                () -> HTTP.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).join());
        return assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode();
    }

    private static List<Map<String, AttributeValue>> itemsOf(String user) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        local.dynamo().client().scanPaginator(s -> s.tableName(RunLocal.TABLE).consistentRead(true)).items().forEach(item -> {
            if (item.containsKey("userId") && item.get("userId").s().equals(user)) {
                items.add(item);
            }
        });
        return items;
    }

    private static List<Map<String, AttributeValue>> byUser(String user) {
        return local.dynamo().client().query(q -> q.tableName(RunLocal.TABLE).indexName(LocalDynamoDb.BY_USER.name())
                .keyConditionExpression("userId = :u")
                .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(user)))).items();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 30 s)");
            Thread.sleep(50);
        }
    }
}
