package io.serverlesschat.apigateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GetConnectionResponse;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PayloadTooLargeException;

/**
 * The @connections API with the clients users point at it: the AWS SDK for Java v2 and the AWS CLI, with
 * dummy credentials (their signatures are not checked), against real WebSocket clients.
 */
class ConnectionsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
    private final HttpClient http = HttpClient.newHttpClient();
    private ScriptedFunction connect;
    private ScriptedFunction disconnect;
    private LocalGateway gateway;
    private ApiGatewayManagementApiClient sdk;

    @BeforeEach
    void start() throws Exception {
        connect = new ScriptedFunction();
        disconnect = new ScriptedFunction();
        gateway = new LocalGateway(GatewaySettings.of("dev"), Map.of("$connect", connect, "$disconnect", disconnect),
                line -> { }).start(0);
        sdk = ApiGatewayManagementApiClient.builder()
                .endpointOverride(gateway.connectionsEndpoint())
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        sdk.close();
        gateway.close();
    }

    @Test
    void theSdkPostsGetsAndDeletesARealConnection() throws Exception {
        WebSocketClient client = WebSocketClient.open(http, gateway.url());
        JsonNode context = connect.nextEvent().get("requestContext");
        String id = context.get("connectionId").asText();

        sdk.postToConnection(r -> r.connectionId(id).data(SdkBytes.fromUtf8String("{\"text\":\"héllo\"}")));
        assertEquals("{\"text\":\"héllo\"}", client.nextText());

        GetConnectionResponse described = sdk.getConnection(r -> r.connectionId(id));
        assertEquals(Instant.ofEpochMilli(context.get("connectedAt").asLong()), described.connectedAt());
        assertEquals("127.0.0.1", described.identity().sourceIp());
        assertTrue(described.identity().userAgent().startsWith("Java-http-client"), described.identity().userAgent());
        assertTrue(!described.lastActiveAt().isBefore(described.connectedAt()), "last active at the post, after the connect");

        sdk.deleteConnection(r -> r.connectionId(id));
        assertEquals(new WebSocketClient.Closed(1000, "Connection Closed Normally"), client.awaitClose());
        JsonNode disconnected = disconnect.nextEvent().get("requestContext");
        assertEquals(id, disconnected.get("connectionId").asText());
        assertEquals(1000, disconnected.get("disconnectStatusCode").asInt());
        assertEquals("Connection Closed Normally", disconnected.get("disconnectReason").asText());

        GoneException gone = assertThrows(GoneException.class,
                () -> sdk.postToConnection(r -> r.connectionId(id).data(SdkBytes.fromUtf8String("too late"))));
        assertEquals(410, gone.statusCode());
        assertThrows(GoneException.class, () -> sdk.getConnection(r -> r.connectionId(id)));
        assertThrows(GoneException.class, () -> sdk.deleteConnection(r -> r.connectionId(id)));
    }

    @Test
    void aConnectionThatNeverExistedIsGone() {
        GoneException gone = assertThrows(GoneException.class,
                () -> sdk.postToConnection(r -> r.connectionId("Zm9vYmFyYmF6cXV4=").data(SdkBytes.fromUtf8String("x"))));
        assertEquals(410, gone.statusCode());
        assertTrue(REQUEST_ID.matcher(String.valueOf(gone.requestId())).matches(), "the SDK's request id: " + gone.requestId());
    }

    /** Successes and errors alike: the SDKs log the id, and an exception without one says "Request ID: null". */
    @Test
    void everyAnswerCarriesARequestId() throws Exception {
        WebSocketClient.open(http, gateway.url());
        String id = connect.nextEvent().get("requestContext").get("connectionId").asText();
        List<String> ids = new ArrayList<>();
        for (HttpRequest request : List.of(
                HttpRequest.newBuilder(URI.create(gateway.connectionsEndpoint() + "/@connections/" + id)).GET().build(),
                HttpRequest.newBuilder(URI.create(gateway.connectionsEndpoint() + "/@connections/" + id))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpRequest.newBuilder(URI.create(gateway.connectionsEndpoint() + "/@connections/Zm9vYmFyYmF6cXV4=")).GET().build(),
                HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + "/prod/@connections/" + id)).GET().build())) {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            String requestId = answer.headers().firstValue("x-amzn-RequestId").orElse("");
            assertTrue(REQUEST_ID.matcher(requestId).matches(), request + " -> " + answer.statusCode() + ": " + answer.headers().map());
            ids.add(requestId);
        }
        assertEquals(ids.size(), ids.stream().distinct().count(), "one id per request: " + ids);
    }

    @Test
    void aPostOf128KilobytesArrivesInFramesOfAtMost32AndOneByteMoreIs413() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(gateway.port(), "/dev")) {
            String id = connect.nextEvent().get("requestContext").get("connectionId").asText();
            String text = "é".repeat(Limits.MESSAGE_BYTES / 2); // two bytes each: frames must not split a character
            sdk.postToConnection(r -> r.connectionId(id).data(SdkBytes.fromUtf8String(text)));
            List<Integer> frames = raw.nextMessageFrames();
            assertEquals(Limits.MESSAGE_BYTES, frames.stream().mapToInt(Integer::intValue).sum());
            assertTrue(frames.stream().allMatch(size -> size <= Limits.FRAME_BYTES), "frames of at most 32 KB: " + frames);

            PayloadTooLargeException tooLarge = assertThrows(PayloadTooLargeException.class, () -> sdk.postToConnection(
                    r -> r.connectionId(id).data(SdkBytes.fromByteArray(new byte[Limits.MESSAGE_BYTES + 1]))));
            assertEquals(413, tooLarge.statusCode());
        }
    }

    @Test
    void aPostThatIsNotUtf8ArrivesAsABinaryMessage() throws Exception {
        WebSocketClient client = WebSocketClient.open(http, gateway.url());
        String id = connect.nextEvent().get("requestContext").get("connectionId").asText();
        byte[] bytes = {(byte) 0xff, 0, 1, (byte) 0xc3};
        sdk.postToConnection(r -> r.connectionId(id).data(SdkBytes.fromByteArray(bytes)));
        WebSocketClient.Message message = client.next();
        assertArrayEquals(bytes, message.binary());
    }

    @Test
    void idsArriveUrlEncodedAndOtherStagesOrMethodsAreForbidden() throws Exception {
        WebSocketClient client = WebSocketClient.open(http, gateway.url());
        String id = connect.nextEvent().get("requestContext").get("connectionId").asText();
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(gateway.connectionsEndpoint() + "/@connections/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.ofString("encoded")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, posted.statusCode());
        assertEquals("encoded", client.nextText());

        HttpResponse<String> otherStage = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port()
                + "/prod/@connections/" + id)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, otherStage.statusCode());
        assertEquals("ForbiddenException", otherStage.headers().firstValue("x-amzn-ErrorType").orElse(""));
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(gateway.connectionsEndpoint() + "/@connections/" + id))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, put.statusCode());
    }

    /** The AWS CLI as a user runs it against bin/local (CI has it beside cfn-lint and moto_server). */
    @Test
    void theAwsCliPostsGetsAndDeletes() throws Exception {
        WebSocketClient client = WebSocketClient.open(http, gateway.url());
        String id = connect.nextEvent().get("requestContext").get("connectionId").asText();

        Result posted = aws("post-to-connection", "--connection-id", id, "--data", "hello from the CLI");
        assertEquals(0, posted.exit(), posted.output());
        assertEquals("hello from the CLI", client.nextText());

        Result got = aws("get-connection", "--connection-id", id);
        assertEquals(0, got.exit(), got.output());
        JsonNode described = JSON.readTree(got.output());
        assertEquals("127.0.0.1", described.get("Identity").get("SourceIp").asText());
        assertTrue(described.has("ConnectedAt") && described.has("LastActiveAt"), got.output());

        Result deleted = aws("delete-connection", "--connection-id", id);
        assertEquals(0, deleted.exit(), deleted.output());
        assertEquals(1000, client.awaitClose().statusCode());

        Result gone = aws("post-to-connection", "--connection-id", id, "--data", "too late");
        assertNotEquals(0, gone.exit());
        assertTrue(gone.output().contains("GoneException"), gone.output());
    }

    private record Result(int exit, String output) {
    }

    private Result aws(String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(AwsCli.path(), "apigatewaymanagementapi"));
        line.addAll(List.of(command));
        line.addAll(List.of("--endpoint-url", gateway.connectionsEndpoint().toString(), "--region", "eu-west-1", "--output", "json"));
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        builder.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_CONFIG_FILE", "/dev/null", "AWS_SHARED_CREDENTIALS_FILE", "/dev/null"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the AWS CLI did not finish");
        return new Result(process.exitValue(), output);
    }
}
