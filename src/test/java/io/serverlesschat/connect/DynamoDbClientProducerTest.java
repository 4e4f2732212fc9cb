package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;

class DynamoDbClientProducerTest {

    @Test
    void takesTheRolesCredentialsFromTheEnvironmentWhereLambdaPutsThem() {
        assertInstanceOf(EnvironmentVariableCredentialsProvider.class, DynamoDbClientProducer.credentialsFrom(
                Map.of("AWS_ACCESS_KEY_ID", "ASIA", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token")));
    }

    @Test
    void fallsBackToTheDefaultChainWithoutThem() {
        // SnapStart restores give the role through the container credentials endpoint, not the environment.
        assertInstanceOf(DefaultCredentialsProvider.class, DynamoDbClientProducer.credentialsFrom(
                Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9001/2021-04-23/credentials")));
    }
}
