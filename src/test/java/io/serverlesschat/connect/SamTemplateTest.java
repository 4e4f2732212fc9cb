package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.localdev.CloudFormationYaml;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sam.native.yaml wires what the function expects: the wiring cfn-lint cannot know about (names shared
 * with the code, least privilege, the original lab's logical IDs). cfn-lint checks the rest (.ci/run).
 */
class SamTemplateTest {

    /** One WebSocket route and everything the template wires for it, under the original lab's names. */
    record Route(String key, String function, String permission, String integration, String route, String logGroup,
            Class<? extends RouteHandler> handler, String action) {
        @Override
        public String toString() {
            return key;
        }
    }

    static List<Route> routes() {
        return List.of(
                new Route("$connect", "OnConnectFunction", "OnConnectPermission", "IntegrationConnect", "RouteConnect",
                        "OnConnectLogGroup", ConnectHandler.class, "dynamodb:PutItem"),
                new Route("$disconnect", "OnDisconnectFunction", "OnDisconnectPermission", "IntegrationDisconnect",
                        "RouteDisconnect", "OnDisconnectLogGroup", DisconnectHandler.class, "dynamodb:DeleteItem"));
    }

    private static Map<String, Object> template;
    private static Map<String, Object> resources;

    @BeforeAll
    static void load() throws IOException {
        template = CloudFormationYaml.load(Path.of("sam.native.yaml"));
        resources = map(template.get("Resources"));
    }

    @Test
    void keepsTheOriginalLabsLogicalIds() {
        assertEquals("AWS::Serverless-2016-10-31", template.get("Transform"));
        Map<String, String> expected = Map.of(
                "ConnectionsTable", "AWS::DynamoDB::Table",
                "ApiGateway", "AWS::ApiGatewayV2::Api",
                "Deployment", "AWS::ApiGatewayV2::Deployment",
                "Stage", "AWS::ApiGatewayV2::Stage");
        expected.forEach((id, type) -> assertEquals(type, map(resources.get(id)).get("Type"), id));
        for (Route route : routes()) {
            assertEquals("AWS::Serverless::Function", map(resources.get(route.function())).get("Type"), route.function());
            assertEquals("AWS::Lambda::Permission", map(resources.get(route.permission())).get("Type"), route.permission());
            assertEquals("AWS::ApiGatewayV2::Integration", map(resources.get(route.integration())).get("Type"), route.integration());
            assertEquals("AWS::ApiGatewayV2::Route", map(resources.get(route.route())).get("Type"), route.route());
        }
    }

    @Test
    void parameterDefaults() {
        Map<String, Object> parameters = map(template.get("Parameters"));
        assertEquals("serverless-chat", parameter(parameters, "ProjectName").get("Default"));
        assertEquals("dev", parameter(parameters, "Environment").get("Default"));
        assertEquals("", parameter(parameters, "TableName").get("Default"));
        assertEquals("provided.al2", parameter(parameters, "Runtime").get("Default"));
        assertEquals(List.of("provided.al2", "provided.al2023"), parameter(parameters, "Runtime").get("AllowedValues"));
        assertEquals("x86_64", parameter(parameters, "Architecture").get("Default"));
        assertEquals(List.of("x86_64", "arm64"), parameter(parameters, "Architecture").get("AllowedValues"));
        assertEquals("false", parameter(parameters, "PointInTimeRecovery").get("Default"));
    }

    @Test
    void tableIsKeyedAndExpiredByTheAttributesTheHandlerWrites() {
        Map<String, Object> table = properties("ConnectionsTable");
        assertEquals(List.of(Map.of("AttributeName", Connection.CONNECTION_ID, "AttributeType", "S")), table.get("AttributeDefinitions"));
        assertEquals(List.of(Map.of("AttributeName", Connection.CONNECTION_ID, "KeyType", "HASH")), table.get("KeySchema"));
        assertEquals(Map.of("AttributeName", Connection.EXPIRES_AT, "Enabled", true), table.get("TimeToLiveSpecification"));
        assertEquals("PAY_PER_REQUEST", table.get("BillingMode"));
        assertEquals(Map.of("SSEEnabled", true), table.get("SSESpecification"));
        assertEquals(Map.of("PointInTimeRecoveryEnabled", Map.of("Fn::If", List.of("PointInTimeRecoveryOn", true, false))),
                table.get("PointInTimeRecoverySpecification"));
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "PointInTimeRecovery"), "true")),
                map(template.get("Conditions")).get("PointInTimeRecoveryOn"));
    }

    @Test
    void apiIsAWebSocketApiRoutedByAction() {
        Map<String, Object> api = properties("ApiGateway");
        assertEquals("WEBSOCKET", api.get("ProtocolType"));
        assertEquals("$request.body.action", api.get("RouteSelectionExpression"));
    }

    @ParameterizedTest
    @MethodSource("routes")
    void functionRunsTheNativeZipOnTheChosenCustomRuntime(Route route) {
        Map<String, Object> function = properties(route.function());
        assertEquals("target/function.zip", function.get("CodeUri"));
        assertTrue(function.get("Handler") instanceof String, "the custom runtime ignores Handler, but Lambda requires one");
        assertEquals(Map.of("Ref", "Runtime"), function.get("Runtime"));
        assertEquals(List.of(Map.of("Ref", "Architecture")), function.get("Architectures"));
        assertEquals(256, function.get("MemorySize"));
        assertEquals(Map.of("LogGroup", Map.of("Ref", route.logGroup())), function.get("LoggingConfig"));
        assertTrue(properties(route.logGroup()).get("RetentionInDays") instanceof Integer, "log retention");
    }

    @ParameterizedTest
    @MethodSource("routes")
    void functionSelectsTheRoutesHandlerAndFindsItsTableThroughTableName(Route route) throws IOException {
        Map<String, Object> variables = map(map(properties(route.function()).get("Environment")).get("Variables"));
        assertEquals(Map.of("TABLE_NAME", Map.of("Ref", "ConnectionsTable"),
                "QUARKUS_LAMBDA_HANDLER", route.handler().getAnnotation(Named.class).value(),
                "DISABLE_SIGNAL_HANDLERS", "true"), variables);
        assertEquals("${TABLE_NAME}", applicationProperties().getProperty("connections.table-name"));
    }

    @ParameterizedTest
    @MethodSource("routes")
    void functionTimeoutLeavesRoomForTheDynamoDbCallButNotForApiGatewaysTimeout(Route route) throws IOException {
        int timeoutSeconds = (Integer) properties(route.function()).get("Timeout");
        Matcher call = Pattern.compile("\\$\\{DYNAMODB_CALL_TIMEOUT:(\\d+)ms}")
                .matcher(applicationProperties().getProperty("quarkus.dynamodb.api-call-timeout"));
        assertTrue(call.matches(), "quarkus.dynamodb.api-call-timeout is no longer ${DYNAMODB_CALL_TIMEOUT:<n>ms}");
        // The function must outlive its own DynamoDB budget to answer 500 itself, and answer within 29 s.
        assertTrue(timeoutSeconds * 1000L > Long.parseLong(call.group(1)), "Timeout " + timeoutSeconds + " s");
        assertTrue(timeoutSeconds <= 10, "Timeout " + timeoutSeconds + " s is not well under API Gateway's 29 s");
    }

    @ParameterizedTest
    @MethodSource("routes")
    void functionMayOnlyDoItsOneWriteInItsTable(Route route) {
        List<Object> policies = list(properties(route.function()).get("Policies"));
        assertEquals(1, policies.size(), "one inline policy, no SAM policy template (DynamoDBCrudPolicy)");
        Map<String, Object> policy = map(policies.get(0));
        assertEquals("2012-10-17", policy.get("Version"));
        List<Object> statements = list(policy.get("Statement"));
        assertEquals(1, statements.size());
        Map<String, Object> statement = map(statements.get(0));
        assertEquals("Allow", statement.get("Effect"));
        assertEquals(route.action(), statement.get("Action"));
        assertEquals(Map.of("Fn::GetAtt", List.of("ConnectionsTable", "Arn")), statement.get("Resource"));
    }

    @ParameterizedTest
    @MethodSource("routes")
    void routeReachesItsFunctionThroughAProxyIntegration(Route r) {
        Map<String, Object> route = properties(r.route());
        assertEquals(Map.of("Ref", "ApiGateway"), route.get("ApiId"));
        assertEquals(r.key(), route.get("RouteKey"));
        assertEquals("NONE", route.get("AuthorizationType"));
        assertEquals(r.route(), route.get("OperationName"));
        assertEquals(Map.of("Fn::Sub", "integrations/${" + r.integration() + "}"), route.get("Target"));

        Map<String, Object> integration = properties(r.integration());
        assertEquals(Map.of("Ref", "ApiGateway"), integration.get("ApiId"));
        assertEquals("AWS_PROXY", integration.get("IntegrationType"));
        assertEquals(Map.of("Fn::Sub",
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + r.function() + ".Arn}/invocations"),
                integration.get("IntegrationUri"));
    }

    @ParameterizedTest
    @MethodSource("routes")
    void apiGatewayMayInvokeTheFunctionOnlyForThisApisRoute(Route route) {
        Map<String, Object> permission = properties(route.permission());
        assertEquals("lambda:InvokeFunction", permission.get("Action"));
        assertEquals(Map.of("Ref", route.function()), permission.get("FunctionName"));
        assertEquals("apigateway.amazonaws.com", permission.get("Principal"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGateway}/${Stage}/" + route.key()),
                permission.get("SourceArn"));
    }

    @Test
    void deploymentComesAfterEveryRouteAndTheStageIsTheEnvironment() {
        List<String> routes = new ArrayList<>();
        resources.forEach((id, resource) -> {
            if ("AWS::ApiGatewayV2::Route".equals(map(resource).get("Type"))) {
                routes.add(id);
            }
        });
        assertFalse(routes.isEmpty());
        assertTrue(list(map(resources.get("Deployment")).get("DependsOn")).containsAll(routes), "Deployment DependsOn " + routes);
        Map<String, Object> stage = properties("Stage");
        assertEquals(Map.of("Ref", "Environment"), stage.get("StageName"));
        assertEquals(Map.of("Ref", "Deployment"), stage.get("DeploymentId"));
        assertEquals(Map.of("Ref", "ApiGateway"), stage.get("ApiId"));
    }

    @Test
    void outputsTellUsersWhereToConnect() {
        Map<String, Object> outputs = map(template.get("Outputs"));
        assertEquals(Map.of("Fn::Sub", "wss://${ApiGateway}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}"), value(outputs, "WebSocketURL"));
        assertEquals(Map.of("Fn::Sub", "https://${ApiGateway}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/@connections"),
                value(outputs, "CallbackURL"));
        assertEquals(Map.of("Ref", "ConnectionsTable"), value(outputs, "ConnectionsTableName"));
        assertEquals(Map.of("Fn::GetAtt", List.of("ConnectionsTable", "Arn")), value(outputs, "ConnectionsTableArn"));
        for (Route route : routes()) {
            assertEquals(Map.of("Fn::GetAtt", List.of(route.function(), "Arn")), value(outputs, route.function() + "Arn"));
        }
    }

    // ---- helpers

    private static Map<String, Object> properties(String logicalId) {
        Map<String, Object> resource = map(resources.get(logicalId));
        assertTrue(resource != null, "no resource " + logicalId);
        return map(resource.get("Properties"));
    }

    private static Map<String, Object> parameter(Map<String, Object> parameters, String name) {
        return map(parameters.get(name));
    }

    private static Object value(Map<String, Object> outputs, String name) {
        return map(outputs.get(name)).get("Value");
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }
}
