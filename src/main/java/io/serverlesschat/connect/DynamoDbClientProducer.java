package io.serverlesschat.connect;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
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

    /**
     * The role's credentials as Lambda hands them over: environment variables on every on-demand
     * start. The SDK's default chain would first build six providers (system properties, environment,
     * web identity, profile files, container, instance metadata) to reach the same place; it stays the
     * fallback where the environment has none, as under SnapStart (container credentials).
     */
    @Produces
    @Singleton
    @Named("lambda-role")
    AwsCredentialsProvider lambdaRole() {
        return credentialsFrom(System.getenv());
    }

    static AwsCredentialsProvider credentialsFrom(Map<String, String> environment) {
        return environment.containsKey("AWS_ACCESS_KEY_ID")
                ? EnvironmentVariableCredentialsProvider.create()
                : DefaultCredentialsProvider.builder().build();
    }
}
