package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The SDK calls against an in-process stand-in for the Lambda API (its REST paths and headers), since
 * AWS itself cannot be reached from here: what is sent, and how the answer is read.
 */
class SdkLambdaControlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile String lastUpdateBody;
    private volatile Map<String, String> lastInvokeHeaders;
    private SdkLambdaControl lambda;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/2015-03-31/functions/", this::handle);
        server.start();
        lambda = SdkLambdaControl.create(Region.EU_WEST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        lambda.close();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        requests.add(method + " " + path);
        byte[] body = exchange.getRequestBody().readAllBytes();
        String response;
        if (path.endsWith("/configuration") && method.equals("GET")) {
            response = """
                    {"FunctionName":"chat-connect","Environment":{"Variables":{"TABLE_NAME":"connections"}},
                     "State":"Active","LastUpdateStatus":"InProgress"}""";
        } else if (path.endsWith("/configuration") && method.equals("PUT")) {
            lastUpdateBody = new String(body, StandardCharsets.UTF_8);
            response = "{\"FunctionName\":\"chat-connect\",\"LastUpdateStatus\":\"InProgress\"}";
        } else if (path.endsWith("/invocations") && method.equals("POST")) {
            lastInvokeHeaders = Map.of(
                    "X-Amz-Log-Type", String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Log-Type")),
                    "X-Amz-Invocation-Type", String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type")),
                    "payload", new String(body, StandardCharsets.UTF_8));
            String log = "START RequestId: r1 Version: $LATEST\nREPORT RequestId: r1\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
                    + "Memory Size: 1024 MB\tMax Memory Used: 60 MB\tInit Duration: 240.10 ms\t\n";
            exchange.getResponseHeaders().add("X-Amz-Log-Result", Base64.getEncoder().encodeToString(log.getBytes(StandardCharsets.UTF_8)));
            exchange.getResponseHeaders().add("X-Amz-Executed-Version", "$LATEST");
            response = "{\"statusCode\":200,\"body\":\"Connected.\"}";
        } else {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void readsTheConfiguration() {
        LambdaControl.Configuration c = lambda.configuration("chat-connect");
        assertEquals(Map.of("TABLE_NAME", "connections"), c.environment());
        assertEquals("Active", c.state());
        assertEquals("InProgress", c.lastUpdateStatus());
        assertEquals(List.of("GET /2015-03-31/functions/chat-connect/configuration"), requests);
    }

    @Test
    void updatesTheWholeEnvironment() throws Exception {
        lambda.updateEnvironment("chat-connect", Map.of("TABLE_NAME", "connections", ColdStartForcer.VARIABLE, "n1"));
        assertEquals(List.of("PUT /2015-03-31/functions/chat-connect/configuration"), requests);
        JsonNode sent = JSON.readTree(lastUpdateBody).path("Environment").path("Variables");
        assertEquals("connections", sent.path("TABLE_NAME").asText());
        assertEquals("n1", sent.path(ColdStartForcer.VARIABLE).asText());
        assertEquals(2, sent.size());
    }

    @Test
    void invokesWithLogTypeTailAndDecodesTheLog() {
        LambdaControl.InvokeResult r = lambda.invoke("chat-connect", "{\"requestContext\":{}}");
        assertEquals("Tail", lastInvokeHeaders.get("X-Amz-Log-Type"));
        assertEquals("RequestResponse", lastInvokeHeaders.get("X-Amz-Invocation-Type"));
        assertEquals("{\"requestContext\":{}}", lastInvokeHeaders.get("payload"));
        assertEquals(200, r.statusCode());
        assertEquals(null, r.functionError());
        assertEquals("{\"statusCode\":200,\"body\":\"Connected.\"}", r.payload());
        ReportLine report = ReportLine.find(r.logTail()).orElseThrow();
        assertEquals(240.10, report.initDurationMs().getAsDouble());
        assertTrue(report.cold());
    }
}
