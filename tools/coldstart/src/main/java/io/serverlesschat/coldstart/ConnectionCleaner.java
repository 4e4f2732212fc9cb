package io.serverlesschat.coldstart;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Deletes the connection items a benchmark wrote, by the ids it sent, and nothing else. */
public final class ConnectionCleaner {

    private final DynamoDbClient dynamo;

    public ConnectionCleaner(DynamoDbClient dynamo) {
        this.dynamo = dynamo;
    }

    /** @return how many ids were deleted (DynamoDB's DeleteItem succeeds whether or not the item existed) */
    public int delete(String table, List<String> connectionIds) {
        int deleted = 0;
        for (String id : connectionIds) {
            dynamo.deleteItem(d -> d.tableName(table).key(Map.of("connectionId", AttributeValue.fromS(id))));
            deleted++;
        }
        return deleted;
    }
}
