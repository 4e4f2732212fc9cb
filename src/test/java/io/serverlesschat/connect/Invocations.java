package io.serverlesschat.connect;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.ValidatableResponse;
import java.util.regex.Pattern;

/** Invokes the function through Quarkus' mock event server, as the Lambda Runtime API would. */
final class Invocations {

    /** API Gateway and the client wait on $connect; a fault must be answered well within this. */
    static final long BOUND_MILLIS = 3000;

    private Invocations() {
    }

    /** The function's answer (the Runtime API call itself must succeed). */
    static ValidatableResponse invoke(ObjectNode event) {
        return given().contentType("application/json").body(event.toString()).post().then().statusCode(200);
    }

    /**
     * The test client's first request of a Quarkus start loads rest-assured, which takes seconds on a busy
     * machine: make it before the clock starts, so that the bound measures the function. (A 404 from the
     * event server, which invokes nothing.)
     */
    private static void warmUpTestClient() {
        given().basePath("/").get("/warm-up");
    }

    /** Posts a $connect that DynamoDB cannot take: see {@link #assertFailsFast(ObjectNode, String, String)}. */
    static void assertFailsFast(String connectionId, String causeInLog) {
        assertFailsFast(Events.json("connect.json", connectionId), "Failed to connect.", causeInLog);
    }

    /** Posts an event DynamoDB cannot serve: 500, no exception text, within the bound, logged with its cause (a regex). */
    static void assertFailsFast(ObjectNode event, String failedBody, String causeInLog) {
        String connectionId = event.get("requestContext").get("connectionId").asText();
        warmUpTestClient();
        try (CapturedLog log = CapturedLog.start()) {
            long start = System.nanoTime();
            invoke(event)
                    .body("statusCode", equalTo(500))
                    .body("body", equalTo(failedBody));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < BOUND_MILLIS, "answered in " + millis + " ms; the bound is " + BOUND_MILLIS + " ms");

            assertEquals(1, log.lines().size(), () -> "one line per invocation: " + log.lines());
            CapturedLog.Line line = log.lines().get(0);
            assertEquals("ERROR", line.level());
            assertEquals(connectionId, line.fields().get("connectionId"));
            assertNotNull(line.fields().get("AWSRequestId"), "the log names the AWS request id");
            assertTrue(Pattern.compile(causeInLog).matcher(line.message()).find(), () -> "the log says why: " + line.message());
            assertTrue(Long.parseLong(line.fields().get("latencyMs")) <= millis, "the logged latency is the handler's own");
            // Counted by reason in CloudWatch Logs Insights: an error code or an exception's name, not a message.
            assertTrue(line.fields().get("reason").matches("[A-Za-z]+"), () -> "reason " + line.fields().get("reason"));
        }
    }
}
