package io.serverlesschat.connect;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The only class that talks to DynamoDB. The client is the extension's singleton, built once per
 * container with the timeouts of application.properties, so a dead table fails fast instead of
 * holding the handshake until the Lambda timeout. Built on first use (a normal scope: the routes hold a
 * proxy), so that the authorizer's function, which never uses the table, builds no client and opens no
 * connection.
 */
@ApplicationScoped
public class ConnectionTable {

    private static final Logger LOG = Logger.getLogger(ConnectionTable.class);
    private static final Connection PRIMING_ITEM = new Connection("priming", 0, 0, "priming", "priming", null, null, null, null);

    private final DynamoDbClient dynamo;
    private final String tableName;
    private final ConnectionSettings settings;
    private final String endpoint;

    ConnectionTable(DynamoDbClient dynamo, ConnectionSettings settings) {
        this.dynamo = dynamo;
        this.tableName = settings.tableName();
        this.settings = settings;
        // Named in the log lines of calls that got no answer: where the client sends them.
        var configuration = dynamo.serviceClientConfiguration();
        this.endpoint = configuration.endpointOverride()
                .map(uri -> uri + " (DYNAMODB_ENDPOINT)")
                .orElse("the endpoint of " + configuration.region());
    }

    /**
     * Runs the first write's whole request pipeline and opens its connection during init, where Lambda
     * gives a cold start more CPU than the invocation gets, so the first $connect only marshals, signs
     * and sends. Nothing reaches DynamoDB's API ({@link PrimingInterceptor}). The pipeline is CPU work
     * and runs unbounded; only the connection waits on DynamoDB, for at most the priming timeout: one
     * that does not answer costs that and one log line, and the first write then connects by itself. The
     * bound counts the answer's handling too, CPU work that a throttled init (no burst, a small memory
     * setting) may not finish in time: then the line says DynamoDB answered instead of blaming it.
     * Called at start-up by the route that uses the table ({@link RouteHandler#start()}).
     */
    void prime() {
        if (!settings.priming().enabled()) {
            return;
        }
        try {
            dynamo.putItem(primingRequest(PrimingInterceptor.Step.PIPELINE, null, new AtomicBoolean()));
        } catch (PrimingInterceptor.PipelineRun expected) {
            // the pipeline ran, and stopped before sending
        }
        AtomicBoolean answered = new AtomicBoolean();
        Duration timeout = settings.priming().timeout();
        try {
            dynamo.putItem(primingRequest(PrimingInterceptor.Step.CONNECTION, timeout, answered));
        } catch (SdkException e) {
            if (answered.get()) {
                LOG.warnf("DynamoDB answered at start-up (at %s), but priming did not finish within %d ms"
                        + " (DYNAMODB_PRIMING_TIMEOUT: %s); the first write finishes the work", endpoint, timeout.toMillis(), e.getMessage());
            } else {
                LOG.warnf("DynamoDB did not answer at start-up (at %s: %s); the first write connects by itself",
                        endpoint, e.getMessage());
            }
        }
    }

    private PutItemRequest primingRequest(PrimingInterceptor.Step step, Duration timeout, AtomicBoolean answered) {
        return PutItemRequest.builder().tableName(tableName).item(PRIMING_ITEM.toItem())
                .overrideConfiguration(o -> o.apiCallTimeout(timeout).putExecutionAttribute(PrimingInterceptor.PRIMING, step)
                        .putExecutionAttribute(PrimingInterceptor.ANSWERED, answered))
                .build();
    }

    /** Records the connection; a reconnect with the same id overwrites the earlier item. */
    public void put(Connection connection) {
        try {
            dynamo.putItem(put -> put.tableName(tableName).item(connection.toItem()));
        } catch (SdkException e) {
            throw new TableFailure("PutItem", e, endpoint);
        }
    }

    /** The table client's region and credentials (the function's role), for the other AWS clients of a route. */
    public software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration clientConfiguration() {
        return dynamo.serviceClientConfiguration();
    }

    /**
     * Hands every recorded connection's id to {@code action}, page by page (Scan, reading the key only), as
     * each page arrives.
     */
    public void forEachConnectionId(java.util.function.Consumer<String> action) {
        try {
            dynamo.scanPaginator(scan -> scan.tableName(tableName).projectionExpression(Connection.CONNECTION_ID))
                    .items().forEach(item -> action.accept(item.get(Connection.CONNECTION_ID).s()));
        } catch (SdkException e) {
            throw new TableFailure("Scan", e, endpoint);
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
