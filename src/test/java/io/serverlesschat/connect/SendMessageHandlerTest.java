package io.serverlesschat.connect;

import static io.serverlesschat.connect.Invocations.invoke;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The sendmessage route, from the same artifact, selected as its function would select it: the connections
 * the table records in a real moto, their posts to a stand-in of API Gateway's @connections API.
 */
@QuarkusTest
@TestProfile(SendMessageHandlerTest.SendMessageRoute.class)
@WithTestResource(LocalDynamoDbResource.class)
@WithTestResource(ConnectionsStandIn.Resource.class)
class SendMessageHandlerTest {

    /** As the template configures SendMessageFunction, with short bounds for the fault tests. */
    public static class SendMessageRoute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "sendmessage",
                    "sendmessage.post-timeout", "500ms",
                    "sendmessage.timeout", "2s",
                    "sendmessage.concurrency", "4");
        }
    }

    @LocalDynamoDbResource.Inject
    LocalDynamoDb dynamo;

    @ConnectionsStandIn.Resource.Inject
    ConnectionsStandIn connections;

    @BeforeEach
    void emptyTableAndStandIn() {
        var client = dynamo.client();
        client.scanPaginator(s -> s.tableName(LocalDynamoDbResource.TABLE)).items().forEach(item -> client.deleteItem(d -> d
                .tableName(LocalDynamoDbResource.TABLE).key(Map.of(Connection.CONNECTION_ID, item.get(Connection.CONNECTION_ID)))));
        connections.reset();
    }

    @Test
    void postsTheDataToEveryRecordedConnectionTheSendersToo() {
        List<String> ids = connected(3);
        invoke(message(ids.get(0), "{\"action\":\"sendmessage\",\"data\":\"hi\"}"))
                .body("statusCode", equalTo(200)).body("body", equalTo("Data sent."));
        for (String id : ids) {
            assertEquals(List.of("hi"), connections.received(id), id);
        }
        assertEquals(3, connections.posts().size());
    }

    /** More connections than a Scan page holds (1 MB, or Limit): every page is read. */
    @Test
    void readsEveryPageOfTheTable() {
        List<String> ids = connected(40);
        // Items big enough that moto's 1 MB Scan page cannot hold them all: 40 x 40 KB.
        String padding = "x".repeat(40_000);
        for (String id : ids) {
            dynamo.client().updateItem(u -> u.tableName(LocalDynamoDbResource.TABLE)
                    .key(Map.of(Connection.CONNECTION_ID, AttributeValue.fromS(id)))
                    .updateExpression("SET padding = :p").expressionAttributeValues(Map.of(":p", AttributeValue.fromS(padding))));
        }
        assertTrue(dynamo.client().scan(s -> s.tableName(LocalDynamoDbResource.TABLE)).hasLastEvaluatedKey(),
                "the table takes more than one page");
        invoke(message(ids.get(0), "{\"action\":\"sendmessage\",\"data\":\"all of you\"}")).body("statusCode", equalTo(200));
        assertEquals(Set.copyOf(ids), connections.posts().stream().map(ConnectionsStandIn.Post::connectionId).collect(Collectors.toSet()));
    }

    @Test
    void deletesTheItemOfAGoneConnectionAndStillAnswers200() {
        List<String> ids = connected(3);
        connections.gone(ids.get(1));
        invoke(message(ids.get(0), "{\"action\":\"sendmessage\",\"data\":\"hi\"}")).body("statusCode", equalTo(200));
        assertFalse(exists(ids.get(1)), "410: the item is deleted");
        assertTrue(exists(ids.get(0)) && exists(ids.get(2)));
        assertEquals(List.of("hi"), connections.received(ids.get(2)));
    }

    @Test
    void aRefusedPostIs500WithoutExceptionTextAndTheOthersStillGetTheMessage() {
        List<String> ids = connected(3);
        connections.refuse(ids.get(2));
        try (CapturedLog log = CapturedLog.start()) {
            invoke(message(ids.get(0), "{\"action\":\"sendmessage\",\"data\":\"hi\"}"))
                    .body("statusCode", equalTo(500)).body("body", equalTo("Failed to send."));
            assertEquals(1, log.lines().size(), () -> "one line: " + log.lines());
            assertEquals("ERROR", log.lines().get(0).level());
            assertEquals("ForbiddenException", log.lines().get(0).fields().get("reason"));
            assertTrue(log.lines().get(0).message().contains("sent to 2 of 3 connection(s), 0 gone, 1 failed"), log.lines()::toString);
        }
        assertEquals(List.of("hi"), connections.received(ids.get(1)));
        assertTrue(exists(ids.get(2)), "a refused post is no proof the connection is gone");
    }

    @Test
    void aPostThatHangsIsCutAtItsTimeoutAnd500() {
        List<String> ids = connected(2);
        connections.hang(ids.get(1));
        long start = System.nanoTime();
        try (CapturedLog log = CapturedLog.start()) {
            invoke(message(ids.get(0), "{\"action\":\"sendmessage\",\"data\":\"hi\"}")).body("statusCode", equalTo(500));
            assertTrue(log.lines().get(0).fields().get("reason").matches("[A-Za-z]+"), log.lines()::toString);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2500, "bounded by the post timeout (500 ms, one retry) and the broadcast's (2 s): " + millis + " ms");
        assertEquals(List.of("hi"), connections.received(ids.get(0)));
        // The function keeps serving.
        connections.reset();
        invoke(message(ids.get(0), "{\"action\":\"sendmessage\",\"data\":\"again\"}")).body("statusCode", equalTo(200));
    }

    @Test
    void answers500WhenTheTableIsMissingAndPostsNothing() {
        String sender = connected(1).get(0);
        dynamo.deleteTable(LocalDynamoDbResource.TABLE);
        try {
            Invocations.assertFailsFast(message(sender, "{\"action\":\"sendmessage\",\"data\":\"hi\"}"), "Failed to send.",
                    "Scan failed: ResourceNotFoundException");
        } finally {
            LocalDynamoDbResource.createTable(dynamo);
        }
        assertTrue(connections.posts().isEmpty());
    }

    @Test
    void rejectsAMessageWithoutDataAndPostsNothing() {
        String sender = connected(1).get(0);
        for (String body : new String[] {"{\"action\":\"sendmessage\"}", "{\"action\":\"sendmessage\",\"data\":{\"a\":1}}",
                "not json", null}) {
            ObjectNode event = message(sender, body);
            invoke(event).body("statusCode", equalTo(400)).body("body", equalTo("Bad request."));
        }
        assertTrue(connections.posts().isEmpty());
    }

    @Test
    void rejectsAnotherRoute() {
        String sender = connected(1).get(0);
        ObjectNode event = message(sender, "{\"action\":\"sendmessage\",\"data\":\"hi\"}");
        ((ObjectNode) event.get("requestContext")).put("routeKey", "$default");
        invoke(event).body("statusCode", equalTo(400));
        assertTrue(connections.posts().isEmpty());
    }

    /**
     * On AWS (no endpoint variable): the API the message came through, by its id, region and stage. A custom
     * domain's name must not matter: its API mapping's base path need not be the stage.
     */
    @Test
    void withoutTheEndpointVariableTheEventsOwnApiIsCalled() {
        GatewayEvent event = new GatewayEvent();
        var context = new GatewayEvent.RequestContext();
        context.setApiId("a1b2c3d4e5");
        context.setDomainName("chat.example.com");
        context.setStage("dev");
        event.setRequestContext(context);
        assertEquals(URI.create("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/dev"),
                ConnectionsApiClients.endpointFor(null, Region.EU_WEST_1, event));
        assertEquals(URI.create("http://localhost:3001/dev"),
                ConnectionsApiClients.endpointFor(URI.create("http://localhost:3001/dev"), Region.EU_WEST_1, event));

        context.setApiId(null);
        assertThrows(RejectedEvent.class, () -> ConnectionsApiClients.endpointFor(null, Region.EU_WEST_1, event));
        context.setApiId("a1b2c3d4e5");
        context.setStage(" ");
        assertThrows(RejectedEvent.class, () -> ConnectionsApiClients.endpointFor(null, Region.EU_WEST_1, event));
    }

    private List<String> connected(int count) {
        return IntStream.range(0, count).mapToObj(i -> {
            String id = Events.newConnectionId();
            dynamo.client().putItem(p -> p.tableName(LocalDynamoDbResource.TABLE)
                    .item(Connection.fromConnectEvent(Events.connect(id), 0, 10_800).toItem()));
            return id;
        }).toList();
    }

    private static ObjectNode message(String sender, String body) {
        ObjectNode event = Events.json("sendmessage.json", sender);
        if (body == null) {
            event.remove("body");
        } else {
            event.put("body", body);
        }
        return event;
    }

    private boolean exists(String id) {
        return !dynamo.client().getItem(g -> g.tableName(LocalDynamoDbResource.TABLE).consistentRead(true)
                .key(Map.of(Connection.CONNECTION_ID, AttributeValue.fromS(id)))).item().isEmpty();
    }
}
