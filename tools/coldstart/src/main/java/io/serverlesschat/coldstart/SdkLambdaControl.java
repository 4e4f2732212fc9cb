package io.serverlesschat.coldstart;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;

/** {@link LambdaControl} over the AWS SDK for Java v2. */
public final class SdkLambdaControl implements LambdaControl, AutoCloseable {

    private final LambdaClient client;

    public SdkLambdaControl(LambdaClient client) {
        this.client = client;
    }

    /** A client for {@code region} with {@code credentials}; {@code endpoint} only to point it at a stand-in. */
    public static SdkLambdaControl create(Region region, AwsCredentialsProvider credentials, URI endpoint) {
        LambdaClientBuilder builder = LambdaClient.builder().region(region).credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return new SdkLambdaControl(builder.build());
    }

    @Override
    public Configuration configuration(String function) {
        GetFunctionConfigurationResponse c = client.getFunctionConfiguration(r -> r.functionName(function));
        Map<String, String> env = c.environment() == null || c.environment().variables() == null
                ? Map.of() : c.environment().variables();
        return new Configuration(env, c.stateAsString(), c.lastUpdateStatusAsString(), c.lastUpdateStatusReason());
    }

    @Override
    public void updateEnvironment(String function, Map<String, String> environment) {
        client.updateFunctionConfiguration(r -> r.functionName(function).environment(e -> e.variables(environment)));
    }

    @Override
    public InvokeResult invoke(String function, String payload) {
        InvokeResponse r = client.invoke(i -> i.functionName(function)
                .invocationType(InvocationType.REQUEST_RESPONSE)
                .logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String(payload)));
        String log = r.logResult() == null ? "" : new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        return new InvokeResult(r.statusCode(), r.functionError(), r.payload() == null ? "" : r.payload().asUtf8String(), log);
    }

    @Override
    public void close() {
        client.close();
    }
}
