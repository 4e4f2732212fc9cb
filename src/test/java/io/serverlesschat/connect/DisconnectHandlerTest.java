package io.serverlesschat.connect;

import static io.serverlesschat.connect.Invocations.invoke;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The $disconnect route, from the same artifact, selected as the deployed function selects it. */
@QuarkusTest
@TestProfile(DisconnectHandlerTest.DisconnectRoute.class)
@WithTestResource(LocalDynamoDbResource.class)
class DisconnectHandlerTest {

    /** As sam.native.yaml configures OnDisconnectFunction: QUARKUS_LAMBDA_HANDLER=disconnect. */
    public static class DisconnectRoute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "disconnect");
        }
    }

    @LocalDynamoDbResource.Inject
    LocalDynamoDb dynamo;

    @Test
    void deletesTheConnectionsItem() {
        String id = Events.newConnectionId();
        putItem(id);
        invoke(Events.json("disconnect.json", id)).body("statusCode", equalTo(200)).body("body", equalTo("Disconnected."));
        assertFalse(exists(id));
    }

    @Test
    void leavesOtherConnectionsAlone() {
        String gone = Events.newConnectionId();
        String staying = Events.newConnectionId();
        putItem(gone);
        putItem(staying);
        invoke(Events.json("disconnect.json", gone)).body("statusCode", equalTo(200));
        assertFalse(exists(gone));
        assertTrue(exists(staying));
    }

    @Test
    void isIdempotentWhenTheItemIsAlreadyGone() {
        String id = Events.newConnectionId();
        invoke(Events.json("disconnect.json", id)).body("statusCode", equalTo(200));
        invoke(Events.json("disconnect.json", id)).body("statusCode", equalTo(200));
    }

    @Test
    void rejectsAConnectEventAndDeletesNothing() {
        String id = Events.newConnectionId();
        putItem(id);
        invoke(Events.json("connect.json", id)).body("statusCode", equalTo(400));
        assertTrue(exists(id));
    }

    @Test
    void rejectsAnEventWithoutConnectionId() {
        invoke(Events.json("disconnect.json", null)).body("statusCode", equalTo(400)).body("body", equalTo("Bad request."));
    }

    @Test
    void answers500FastWhenTheTableIsMissing() {
        // Warm the path first, so that the bound measures the function rather than a cold first call.
        invoke(Events.json("disconnect.json", Events.newConnectionId())).body("statusCode", equalTo(200));
        dynamo.deleteTable(LocalDynamoDbResource.TABLE);
        try {
            ObjectNode event = Events.json("disconnect.json", Events.newConnectionId());
            Invocations.assertFailsFast(event, "Failed to disconnect.", "DeleteItem failed: ResourceNotFoundException");
        } finally {
            LocalDynamoDbResource.createTable(dynamo);
        }
        String id = Events.newConnectionId();
        putItem(id);
        invoke(Events.json("disconnect.json", id)).body("statusCode", equalTo(200));
        assertFalse(exists(id));
    }

    private void putItem(String id) {
        dynamo.client().putItem(p -> p.tableName(LocalDynamoDbResource.TABLE)
                .item(Map.of("connectionId", AttributeValue.fromS(id), "expiresAt", AttributeValue.fromN("1795695242"))));
        assertTrue(exists(id));
    }

    private boolean exists(String id) {
        return !dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE).consistentRead(true)
                .key(Map.of("connectionId", AttributeValue.fromS(id)))).item().isEmpty();
    }
}
