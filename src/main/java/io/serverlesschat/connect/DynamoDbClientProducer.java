package io.serverlesschat.connect;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * The one DynamoDB client of the container: the extension's builder (endpoint, credentials and the
 * timeouts of application.properties) plus a retry budget the extension has no property for.
 * The SDK's DynamoDB default is 9 attempts, which against a dead endpoint only ends at the call
 * timeout; a few attempts still ride out a brief throttle inside the handshake's time. The priming
 * interceptor only acts on ConnectionTable's start-up request.
 */
class DynamoDbClientProducer {

    @Produces
    @Singleton
    DynamoDbClient dynamoDbClient(DynamoDbClientBuilder builder, ConnectionSettings settings) {
        // Amend the extension's override configuration: replacing it would drop the call timeouts.
        return builder
                .overrideConfiguration(builder.overrideConfiguration().toBuilder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.maxAttempts())
                                .build())
                        .addExecutionInterceptor(new PrimingInterceptor())
                        .build())
                .build();
    }
}
