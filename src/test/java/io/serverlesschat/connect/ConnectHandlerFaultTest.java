package io.serverlesschat.connect;

import static io.serverlesschat.connect.Invocations.invoke;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.serverlesschat.connect.FaultyDynamoDb.Mode;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** DynamoDB faults that moto cannot produce: throttling, access denied, a server that never answers. */
@QuarkusTest
@WithTestResource(FaultyDynamoDbResource.class)
class ConnectHandlerFaultTest {

    @FaultyDynamoDbResource.Inject
    FaultyDynamoDb faults;

    @LocalDynamoDbResource.Inject
    LocalDynamoDb dynamo;

    @BeforeEach
    @AfterEach
    void eventsSucceedWhileDynamoDbAnswers() {
        // Before: also warms the path, so the bound measures the function rather than a cold test client.
        faults.mode(Mode.FORWARD);
        String id = Events.newConnectionId();
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(200));
        assertEquals(id, dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE)
                .key(Map.of("connectionId", AttributeValue.fromS(id)))).item().get("connectionId").s());
    }

    @Test
    void throttledWritesAreRetriedAFewTimesThenAnswered500() {
        faults.mode(Mode.THROTTLE);
        // The SDK backs off a throttle with jitter: either the three attempts end first or the call timeout does.
        Invocations.assertFailsFast(Events.newConnectionId(), "ProvisionedThroughputExceededException|ApiCallTimeoutException");
        int attempts = faults.requests();
        assertTrue(attempts >= 2 && attempts <= 3, "retried, at most connections.max-attempts (3) times: " + attempts);
    }

    @Test
    void accessDeniedIsNotRetried() {
        faults.mode(Mode.DENY);
        Invocations.assertFailsFast(Events.newConnectionId(), "AccessDeniedException");
        assertEquals(1, faults.requests(), "a denied write cannot succeed on retry");
    }

    @Test
    void aDynamoDbThatNeverAnswersIsCutOffWithinTheBound() {
        faults.mode(Mode.HANG);
        Invocations.assertFailsFast(Events.newConnectionId(), "ApiCallTimeoutException");
        assertTrue(faults.requests() >= 1);
    }
}
