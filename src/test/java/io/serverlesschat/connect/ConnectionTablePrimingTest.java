package io.serverlesschat.connect;

import static io.serverlesschat.connect.Invocations.invoke;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.serverlesschat.connect.FaultyDynamoDb.Mode;
import io.serverlesschat.localdev.LocalDynamoDb;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The start-up priming: the write's pipeline and connection without a write, and bounded when DynamoDB is sick. */
@QuarkusTest
@TestProfile(ConnectionTablePrimingTest.OwnStart.class)
@WithTestResource(FaultyDynamoDbResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectionTablePrimingTest {

    /** A start of its own, so that the proxy has seen this start-up's requests and nothing else's. */
    public static class OwnStart implements QuarkusTestProfile {
    }

    @FaultyDynamoDbResource.Inject
    FaultyDynamoDb faults;

    @LocalDynamoDbResource.Inject
    LocalDynamoDb dynamo;

    @Inject
    ConnectionTable table;

    @AfterEach
    void forward() {
        faults.mode(Mode.FORWARD);
    }

    @Test
    @Order(1) // before any other request of this start
    void startUpSendsOneGetOnTheConnectionTheFirstWriteUsesAndWritesNothing() {
        FaultyDynamoDb.Request priming = faults.history().get(0);
        assertEquals("GET /", priming.line(), "the process' first request: " + faults.history());
        assertTrue(dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE)
                .key(Map.of(Connection.CONNECTION_ID, AttributeValue.fromS("priming")))).item().isEmpty(),
                "the priming item is never written");

        invoke(Events.json("connect.json", Events.newConnectionId())).body("statusCode", equalTo(200));
        FaultyDynamoDb.Request write = faults.history().get(faults.history().size() - 1);
        assertEquals("POST / PutItem", write.line());
        assertEquals(priming.clientPort(), write.clientPort(), "the write reuses the connection priming opened");

        faults.mode(Mode.FORWARD);
        table.prime();
        assertEquals(1, faults.requests(), "one request, not retried");
    }

    @Test
    void aDynamoDbThatNeverAnswersDelaysInitByThePrimingTimeoutAndOneLogLine() {
        String warning = primeAndReadTheOneWarning(Mode.HANG);
        assertTrue(warning.startsWith("DynamoDB did not answer at start-up"), warning);

        faults.mode(Mode.FORWARD);
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
        assertEquals(id, dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE)
                .key(Map.of(Connection.CONNECTION_ID, AttributeValue.fromS(id)))).item().get(Connection.CONNECTION_ID).s());
    }

    @Test
    void anAnswerThatCannotBeHandledInTimeIsNotBlamedOnDynamoDb() {
        // The answer's body held back past the bound stands in for an init too short of CPU to read it;
        // the read that times out must not stop the start-up either.
        String warning = primeAndReadTheOneWarning(Mode.STALL_BODY);
        assertTrue(warning.startsWith("DynamoDB answered at start-up (at http://127.0.0.1:"), warning);
        assertTrue(warning.contains("did not finish within 1000 ms (DYNAMODB_PRIMING_TIMEOUT: "), warning);
    }

    /** Primes against the fault, within the bound and with one WARN line, whose message it returns. */
    private String primeAndReadTheOneWarning(Mode fault) {
        faults.mode(fault);
        try (CapturedLog log = CapturedLog.start()) {
            long start = System.nanoTime();
            table.prime();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2000, "priming gave up after " + millis + " ms; its timeout is 1 s");
            assertEquals(1, log.lines().size(), () -> "one line: " + log.lines());
            assertEquals("WARN", log.lines().get(0).level());
            return log.lines().get(0).message();
        }
    }
}
