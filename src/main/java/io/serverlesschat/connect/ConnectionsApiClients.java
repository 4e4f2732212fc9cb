package io.serverlesschat.connect;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;

/**
 * Clients of API Gateway's @connections API (the API Gateway Management API), one per API endpoint, built on
 * first use and kept for the container: only the sendmessage route's function makes any. They sign with the
 * table client's credentials and region (the function's role), over url-connection-client as the table's does.
 */
final class ConnectionsApiClients implements AutoCloseable {

    private final URI configured;
    private final Duration postTimeout;
    private final DynamoDbServiceClientConfiguration table;
    private final SdkHttpClient http;
    private final Map<URI, ApiGatewayManagementApiClient> clients = new ConcurrentHashMap<>();

    /**
     * @param configured the endpoint AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI names, or null: each event's API
     * @param table      the table client's configuration, whose credentials and region these clients use
     */
    ConnectionsApiClients(String configured, Duration postTimeout, DynamoDbServiceClientConfiguration table) {
        this.configured = configured == null || configured.isBlank() ? null : URI.create(configured.strip().replaceAll("/+$", ""));
        this.postTimeout = postTimeout;
        this.table = table;
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(postTimeout.compareTo(Duration.ofSeconds(1)) < 0 ? postTimeout : Duration.ofSeconds(1))
                .socketTimeout(postTimeout)
                .build();
    }

    /**
     * Where the connections of the event's API are reached: the configured endpoint, or on AWS
     * {@code https://API_ID.execute-api.REGION.amazonaws.com/STAGE} from the event's requestContext and the
     * function's region. Not the event's domainName: behind a custom domain, the @connections API sits under the
     * API mapping's base path, which need not be the stage; the API's own hostname works whatever the domain.
     *
     * @throws RejectedEvent when neither is there
     */
    URI endpointFor(GatewayEvent event) {
        return endpointFor(configured, table.region(), event);
    }

    static URI endpointFor(URI configured, Region region, GatewayEvent event) {
        if (configured != null) {
            return configured;
        }
        var context = event.getRequestContext();
        String apiId = context == null ? null : context.getApiId();
        String stage = context == null ? null : context.getStage();
        if (apiId == null || apiId.isBlank() || stage == null || stage.isBlank()) {
            throw new RejectedEvent("event has no requestContext.apiId and stage to reach the connections at");
        }
        return URI.create("https://" + apiId + ".execute-api." + region.id() + ".amazonaws.com/" + stage);
    }

    /** Posts {@code data} to one connection, within the post timeout. */
    void post(URI endpoint, String connectionId, SdkBytes data) {
        clients.computeIfAbsent(endpoint, this::client).postToConnection(p -> p.connectionId(connectionId).data(data));
    }

    private ApiGatewayManagementApiClient client(URI endpoint) {
        return ApiGatewayManagementApiClient.builder()
                .httpClient(http)
                .endpointOverride(endpoint)
                .region(table.region())
                .credentialsProvider(table.credentialsProvider())
                .overrideConfiguration(o -> o.apiCallTimeout(postTimeout)
                        // One retry rides out a throttle (429); a gone connection (410) is not retried.
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2).build()))
                .build();
    }

    @Override
    public void close() {
        clients.values().forEach(ApiGatewayManagementApiClient::close);
        http.close();
    }
}
