package io.serverlesschat.connect;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
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
     * {@code https://DOMAIN/STAGE} of the event's requestContext (the API's own domain, or a custom domain's).
     *
     * @throws RejectedEvent when neither is there
     */
    URI endpointFor(GatewayEvent event) {
        return endpointFor(configured, event);
    }

    static URI endpointFor(URI configured, GatewayEvent event) {
        if (configured != null) {
            return configured;
        }
        var context = event.getRequestContext();
        String domain = context.getDomainName();
        String stage = context.getStage();
        if (domain == null || domain.isBlank() || stage == null || stage.isBlank()) {
            throw new RejectedEvent("event has no requestContext.domainName and stage to reach the connections at");
        }
        return URI.create("https://" + domain + "/" + stage);
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
