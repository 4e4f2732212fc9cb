package io.serverlesschat.connect;

import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The only class that talks to DynamoDB. The client is the extension's singleton, built once per
 * container with the timeouts of application.properties, so a dead table fails fast instead of
 * holding the handshake until the Lambda timeout.
 */
@Singleton
@Startup
public class ConnectionTable {

    private final DynamoDbClient dynamo;
    private final String tableName;
    private final String endpoint;

    ConnectionTable(DynamoDbClient dynamo, ConnectionSettings settings) {
        this.dynamo = dynamo;
        this.tableName = settings.tableName();
        // Nothing is sent at start-up (it would lengthen every cold start): a DynamoDB that does not
        // answer shows on the first call, as a 500 whose log line names where the call went.
        var configuration = dynamo.serviceClientConfiguration();
        this.endpoint = configuration.endpointOverride()
                .map(uri -> "DynamoDB at " + uri + " (DYNAMODB_ENDPOINT)")
                .orElse("DynamoDB in " + configuration.region());
    }

    /** Records the connection; a reconnect with the same id overwrites the earlier item. */
    public void put(Connection connection) {
        try {
            dynamo.putItem(put -> put.tableName(tableName).item(connection.toItem()));
        } catch (SdkException e) {
            throw new TableFailure("PutItem", e, endpoint);
        }
    }

    /** Forgets the connection; deleting an item that is not there is not an error. */
    public void delete(String connectionId) {
        try {
            dynamo.deleteItem(delete -> delete.tableName(tableName)
                    .key(Map.of(Connection.CONNECTION_ID, AttributeValue.fromS(connectionId))));
        } catch (SdkException e) {
            throw new TableFailure("DeleteItem", e, endpoint);
        }
    }
}
