package io.serverlesschat.apigateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * ConnectAuthorization=AWS_IAM at the gateway, with real WebSocket handshakes (the JDK's client) signed by the
 * AWS SDK for Java's own SigV4 signer, in the Authorization header or as a presigned URL: an implementation
 * other than the one that checks them.
 */
class SigV4HandshakeTest {

    private static final String REGION = "eu-west-1";
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private ScriptedFunction connect;
    private LocalGateway gateway;

    @BeforeEach
    void start() throws Exception {
        connect = new ScriptedFunction();
        gateway = new LocalGateway(GatewaySettings.of("dev"), Map.of("$connect", connect), log::add)
                .requireSigV4(new SigV4Handshake(REGION, List.of(SigV4Handshake.LOCAL)))
                .start(0);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    @Test
    void aPresignedUrlConnectsAndItsCallerReachesConnect() throws Exception {
        URI url = presigned(SigV4Handshake.LOCAL, "?room=general%20chat&token=a%2Bb", Clock.systemUTC(), Duration.ofMinutes(5));
        WebSocket socket = http.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);

        JsonNode event = connect.nextEvent();
        JsonNode identity = event.get("requestContext").get("identity");
        assertEquals("local", identity.get("accessKey").asText());
        assertEquals("arn:aws:iam::000000000000:user/local", identity.get("userArn").asText());
        assertEquals("000000000000", identity.get("accountId").asText());
        assertEquals("general chat", event.get("queryStringParameters").get("room").asText());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void aSignedAuthorizationHeaderConnects() throws Exception {
        SdkHttpRequest signed = sign(SigV4Handshake.LOCAL, "?room=general", Clock.systemUTC(), null);
        WebSocket.Builder builder = http.newWebSocketBuilder();
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        assertTrue(signed.headers().containsKey("Authorization"), "signed in the header: " + signed.headers().keySet());
        WebSocket socket = builder.buildAsync(ws(signed.getUri()), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
        assertEquals("local", connect.nextEvent().get("requestContext").get("identity").get("accessKey").asText());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void anUnsignedHandshakeIsForbidden() throws Exception {
        assertRefused(gateway.url(), "not signed");
    }

    @Test
    void anotherSecretIsForbidden() throws Exception {
        URI url = presigned(new SigV4Handshake.Credentials("local", "not-the-secret"), "", Clock.systemUTC(), Duration.ofMinutes(5));
        assertRefused(url, "the signature does not match");
        assertTrue(log.stream().noneMatch(line -> line.contains("not-the-secret")), "no secret in the log: " + log);
    }

    @Test
    void anUnknownAccessKeyIsForbidden() throws Exception {
        URI url = presigned(new SigV4Handshake.Credentials("AKIDSOMEONEELSE", "local"), "", Clock.systemUTC(), Duration.ofMinutes(5));
        assertRefused(url, "an access key this gateway does not know");
    }

    @Test
    void anExpiredPresignedUrlIsForbidden() throws Exception {
        Clock tenMinutesAgo = Clock.fixed(Instant.now().minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
        assertRefused(presigned(SigV4Handshake.LOCAL, "", tenMinutesAgo, Duration.ofMinutes(5)), "expired");
        // Within its own X-Amz-Expires, an older signature still connects.
        URI longLived = presigned(SigV4Handshake.LOCAL, "", tenMinutesAgo, Duration.ofMinutes(15));
        http.newWebSocketBuilder().buildAsync(longLived, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS)
                .sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        connect.nextEvent();
    }

    @Test
    void aSignedHeaderOlderThanFiveMinutesIsForbidden() throws Exception {
        Clock sixMinutesAgo = Clock.fixed(Instant.now().minus(Duration.ofMinutes(6)), ZoneOffset.UTC);
        SdkHttpRequest signed = sign(SigV4Handshake.LOCAL, "", sixMinutesAgo, null);
        WebSocket.Builder builder = http.newWebSocketBuilder();
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        CompletionException refused = assertThrows(CompletionException.class,
                () -> builder.buildAsync(ws(signed.getUri()), new WebSocket.Listener() { }).join());
        assertEquals(403, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode());
        assertTrue(log.stream().anyMatch(line -> line.contains("more than 5 minutes old")), String.valueOf(log));
    }

    @Test
    void aQueryStringChangedAfterSigningIsForbidden() throws Exception {
        URI url = presigned(SigV4Handshake.LOCAL, "?room=general", Clock.systemUTC(), Duration.ofMinutes(5));
        assertRefused(URI.create(url.toString().replace("room=general", "room=admins")), "the signature does not match");
    }

    @Test
    void aSignatureForAnotherRegionIsForbidden() throws Exception {
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("local", "local"))
                .request(request(""))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SigV4Handshake.SERVICE)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(5))).request();
        assertRefused(ws(signed.getUri()), "region us-east-1");
    }

    @Test
    void withoutTheOptionAnUnsignedHandshakeConnectsAsBefore() throws Exception {
        try (LocalGateway open = new LocalGateway(GatewaySettings.of("dev"), Map.of("$connect", connect), line -> { }).start(0)) {
            http.newWebSocketBuilder().buildAsync(open.url(), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS)
                    .sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            assertFalse(connect.nextEvent().get("requestContext").get("identity").has("accessKey"));
        }
    }

    private void assertRefused(URI url, String reason) throws InterruptedException {
        CompletionException refused = assertThrows(CompletionException.class,
                () -> http.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).join());
        assertEquals(403, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode());
        assertTrue(connect.receivedNothingMore(), "the $connect function never sees a refused handshake");
        assertTrue(log.stream().anyMatch(line -> line.contains("403") && line.contains(reason)), reason + " in " + log);
    }

    private URI presigned(SigV4Handshake.Credentials credentials, String query, Clock clock, Duration expires) {
        return ws(sign(credentials, query, clock, expires).getUri());
    }

    /** Signed by the SDK: in the query string when {@code expires} is given, else in the Authorization header. */
    private SdkHttpRequest sign(SigV4Handshake.Credentials credentials, String query, Clock clock, Duration expires) {
        return AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey()))
                    .request(request(query))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SigV4Handshake.SERVICE)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
                    .putProperty(HttpSigner.SIGNING_CLOCK, clock);
            if (expires != null) {
                r.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expires);
            }
        }).request();
    }

    private SdkHttpRequest request(String query) {
        return SdkHttpRequest.builder().method(SdkHttpMethod.GET)
                .uri(URI.create("http://localhost:" + gateway.port() + "/dev" + query)).build();
    }

    private static URI ws(URI http) {
        return URI.create("ws" + http.toString().substring("http".length()));
    }
}
