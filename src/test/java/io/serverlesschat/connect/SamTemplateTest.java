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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sam.native.yaml wires what the function expects: the wiring cfn-lint cannot know about (names shared
 * with the code, least privilege, the original lab's logical IDs). cfn-lint checks the rest (.ci/run).
 */
class SamTemplateTest {

    /** One WebSocket route and everything the template wires for it, under the original lab's names. */
    record Route(String key, String function, String permission, String integration, String route, String logGroup,
            Class<? extends RouteHandler> handler, String action, Object authorization, Map<String, Object> ownEnvironment) {
        @Override
        public String toString() {
            return key;
        }
    }

    static List<Route> routes() {
        return List.of(
                new Route("$connect", "OnConnectFunction", "OnConnectPermission", "IntegrationConnect", "RouteConnect",
                        "OnConnectLogGroup", ConnectHandler.class, "dynamodb:PutItem",
                        Map.of("Fn::If", List.of("JwtAuthorization", "CUSTOM", Map.of("Ref", "ConnectAuthorization"))),
                        Map.of("ALLOWED_ORIGINS", Map.of("Ref", "AllowedOrigins"), "REQUIRE_ORIGIN", Map.of("Ref", "RequireOrigin"))),
                new Route("$disconnect", "OnDisconnectFunction", "OnDisconnectPermission", "IntegrationDisconnect",
                        "RouteDisconnect", "OnDisconnectLogGroup", DisconnectHandler.class, "dynamodb:DeleteItem", "NONE", Map.of()));
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
        // Who may connect, and how fast: each hardening is one parameter away, and off (or out of a
        // small chat's reach) by default, so that the lab's behaviour is unchanged.
        assertEquals("", parameter(parameters, "AllowedOrigins").get("Default"));
        assertEquals("false", parameter(parameters, "RequireOrigin").get("Default"));
        assertEquals(List.of("true", "false"), parameter(parameters, "RequireOrigin").get("AllowedValues"));
        assertEquals("false", parameter(parameters, "AccessLogs").get("Default"));
        assertEquals(List.of("true", "false"), parameter(parameters, "AccessLogs").get("AllowedValues"));
        assertEquals("NONE", parameter(parameters, "ConnectAuthorization").get("Default"));
        assertEquals(List.of("NONE", "AWS_IAM", "JWT"), parameter(parameters, "ConnectAuthorization").get("AllowedValues"));
        assertEquals("", parameter(parameters, "JwtIssuer").get("Default"));
        assertEquals("", parameter(parameters, "JwtAudience").get("Default"));
        assertEquals("", parameter(parameters, "JwtKeySetUrl").get("Default"));
        assertEquals("route.request.querystring.token", parameter(parameters, "JwtIdentitySource").get("Default"),
                "browsers cannot set a WebSocket handshake's headers");
        assertEquals("", parameter(parameters, "ConnectConcurrency").get("Default"));
        assertEquals("native", parameter(parameters, "Package").get("Default"));
        assertEquals(List.of("native", "jvm"), parameter(parameters, "Package").get("AllowedValues"));
        assertEquals("INFO", parameter(parameters, "LogLevel").get("Default"));
        assertEquals(List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"), parameter(parameters, "LogLevel").get("AllowedValues"),
                "Lambda's application log levels");
        assertEquals("", parameter(parameters, "AlarmTopicArn").get("Default"), "no alarms unless asked for");
    }

    /** Lambda takes 128 to 10,240 MB in 1-MB steps; the default is the original lab's 256, for both functions. */
    @Test
    void memorySizeIsAParameterOverLambdasRange() {
        Map<String, Object> memory = parameter(map(template.get("Parameters")), "MemorySize");
        assertEquals("Number", memory.get("Type"));
        assertEquals(256, memory.get("Default"));
        assertEquals(128, memory.get("MinValue"));
        assertEquals(10240, memory.get("MaxValue"));
        for (Route route : routes()) {
            assertEquals(Map.of("Ref", "MemorySize"), function(resolved(Map.of()), route.function()).get("MemorySize"));
        }
    }

    @Test
    void alarmTopicPatternTakesAnSnsTopicArnOrNothing() {
        String pattern = (String) parameter(map(template.get("Parameters")), "AlarmTopicArn").get("AllowedPattern");
        for (String ok : List.of("", "arn:aws:sns:eu-west-1:123456789012:ops-alarms", "arn:aws-us-gov:sns:us-gov-west-1:123456789012:a")) {
            assertTrue(Pattern.matches(pattern, ok), ok);
        }
        for (String bad : List.of("ops-alarms", "arn:aws:sqs:eu-west-1:123456789012:q", "arn:aws:sns:eu-west-1:1234:t",
                "arn:aws:sns:eu-west-1:123456789012:")) {
            assertFalse(Pattern.matches(pattern, bad), bad);
        }
    }

    @Test
    void throttlingDefaultsSitUnderTheAccountsLimits() {
        Map<String, Object> parameters = map(template.get("Parameters"));
        Map<String, Object> rate = parameter(parameters, "ThrottlingRateLimit");
        Map<String, Object> burst = parameter(parameters, "ThrottlingBurstLimit");
        assertEquals("Number", rate.get("Type"));
        assertEquals("Number", burst.get("Type"));
        int defaultRate = (Integer) rate.get("Default");
        int defaultBurst = (Integer) burst.get("Default");
        // API Gateway quotas: 500 new WebSocket connections per second per account and region (all its
        // WebSocket APIs together), 10,000 requests per second with a burst of 5,000 (all APIs).
        assertTrue(defaultRate > 0 && defaultRate < 500, "the stage leaves room for the account's other APIs: " + defaultRate);
        assertTrue(defaultBurst >= defaultRate && defaultBurst <= 5000, "burst " + defaultBurst);
        assertEquals(10000, rate.get("MaxValue"));
        assertEquals(5000, burst.get("MaxValue"));
        assertEquals(1, rate.get("MinValue"), "0 would refuse every handshake");
        assertEquals(1, burst.get("MinValue"));
    }

    @Test
    void tableIsKeyedAndExpiredByTheAttributesTheHandlerWrites() {
        Map<String, Object> table = properties("ConnectionsTable");
        assertEquals(List.of(Map.of("AttributeName", Connection.CONNECTION_ID, "AttributeType", "S"),
                Map.of("AttributeName", Connection.USER_ID, "AttributeType", "S"),
                Map.of("AttributeName", Connection.CONNECTED_AT, "AttributeType", "N")), table.get("AttributeDefinitions"));
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
    void nativePackageRunsTheNativeZipOnTheChosenCustomRuntime(Route route) {
        Map<String, Object> function = function(resolved(Map.of("Package", "native")), route.function());
        assertEquals("target/function.zip", function.get("CodeUri"));
        assertEquals(Map.of("Ref", "Runtime"), function.get("Runtime"));
        assertTrue(function.get("Handler") instanceof String, "the custom runtime ignores Handler, but Lambda requires one");
        assertEquals(Map.of("ApplyOn", "None"), function.get("SnapStart"), "SnapStart is for managed runtimes");
        assertEquals(List.of(Map.of("Ref", "Architecture")), function.get("Architectures"));
        assertEquals("live", function.get("AutoPublishAlias"));
    }

    /**
     * The JVM build on Lambda's managed Java runtime, as AWS's runtime loads it: Quarkus' stream handler
     * (on the class path here, from quarkus-amazon-lambda) hands each event to QUARKUS_LAMBDA_HANDLER's
     * handler, as the native build does (tools/lambda's FunctionZipOnLambdaTest runs the JVM zip that way
     * for both routes). SnapStart applies to published versions, which API Gateway invokes through the alias.
     */
    @ParameterizedTest
    @MethodSource("routes")
    void jvmPackageRunsTheJvmZipOnJava21WithSnapStart(Route route) throws Exception {
        Map<String, Object> function = function(resolved(Map.of("Package", "jvm")), route.function());
        assertEquals("target/function.zip", function.get("CodeUri"));
        assertEquals("java21", function.get("Runtime"), "a Java runtime SnapStart supports");
        String[] handler = String.valueOf(function.get("Handler")).split("::");
        Class<?> type = Class.forName(handler[0]);
        assertTrue(com.amazonaws.services.lambda.runtime.RequestStreamHandler.class.isAssignableFrom(type), handler[0]);
        type.getMethod(handler[1], java.io.InputStream.class, java.io.OutputStream.class,
                com.amazonaws.services.lambda.runtime.Context.class);
        assertEquals(Map.of("ApplyOn", "PublishedVersions"), function.get("SnapStart"));
        assertEquals("live", function.get("AutoPublishAlias"));
        assertEquals(route.handler().getAnnotation(Named.class).value(), environment(resolved(Map.of("Package", "jvm")),
                route.function()).get("QUARKUS_LAMBDA_HANDLER"));
    }

    /**
     * JSON logs: Lambda's REPORT records are JSON next to the function's lines, which the query definitions
     * read; Lambda filters the function's lines by LogLevel, and keeps its own REPORT records (INFO).
     */
    @ParameterizedTest
    @MethodSource("routes")
    void functionLogsJsonToItsOwnLogGroupWithARetention(Route route) {
        assertEquals(Map.of("LogGroup", Map.of("Ref", route.logGroup()), "LogFormat", "JSON",
                "ApplicationLogLevel", Map.of("Ref", "LogLevel"), "SystemLogLevel", "INFO"),
                function(resolved(Map.of()), route.function()).get("LoggingConfig"));
        assertTrue(properties(route.logGroup()).get("RetentionInDays") instanceof Integer, "log retention");
    }

    @ParameterizedTest
    @MethodSource("routes")
    void functionSelectsTheRoutesHandlerAndFindsItsTableThroughTableName(Route route) throws IOException {
        Map<String, Object> variables = environment(resolved(Map.of()), route.function());
        Map<String, Object> expected = new java.util.HashMap<>(Map.of("TABLE_NAME", Map.of("Ref", "ConnectionsTable"),
                "QUARKUS_LAMBDA_HANDLER", route.handler().getAnnotation(Named.class).value(),
                "DISABLE_SIGNAL_HANDLERS", "true",
                "METRICS_ENABLED", Map.of("Ref", "Metrics"), "METRICS_NAMESPACE", Map.of("Ref", "MetricsNamespace")));
        expected.putAll(route.ownEnvironment());
        assertEquals(expected, variables);
        assertEquals("${TABLE_NAME}", applicationProperties().getProperty("connections.table-name"));
    }

    /** The metrics parameters reach the function's settings, with the same defaults. */
    @Test
    void theMetricsVariablesReachTheFunctionsSettings() throws IOException {
        Properties properties = applicationProperties();
        assertEquals("false", properties.getProperty("metrics.enabled"), "no metrics outside production");
        assertEquals("${METRICS_ENABLED:true}", properties.getProperty("%prod.metrics.enabled"));
        Map<String, Object> parameters = map(template.get("Parameters"));
        assertEquals("true", parameter(parameters, "Metrics").get("Default"));
        assertEquals("${METRICS_NAMESPACE:" + parameter(parameters, "MetricsNamespace").get("Default") + "}",
                properties.getProperty("metrics.namespace"));
        assertTrue(Pattern.matches((String) parameter(parameters, "MetricsNamespace").get("AllowedPattern"), "ServerlessChat"));
    }

    @Test
    void theOriginVariablesReachTheFunctionsSettings() throws IOException {
        assertEquals("${ALLOWED_ORIGINS:}", applicationProperties().getProperty("connections.allowed-origins"));
        assertEquals("${REQUIRE_ORIGIN:false}", applicationProperties().getProperty("connections.require-origin"));
    }

    /** The deploy-time check of AllowedOrigins must never let through a list the function refuses at start-up. */
    @ParameterizedTest
    @ValueSource(strings = {"", "https://chat.example.com", "https://chat.example.com/", "http://localhost:8081",
        "https://chat.example.com, https://app.example.org", " https://a.example ,http://127.0.0.1:3000",
        "http://[::1]:3000", "capacitor://localhost", "HTTPS://Chat.Example.com:443",
        "chat.example.com", "https://", "null", "*", "https://*.example.com", "https://chat.example.com/app",
        "https://user@chat.example.com", "https://chat.example.com,", ",", " ", "https://chat.example.com,,https://b.example",
        "https://chat.example.com;https://b.example", "https://chat.example.com?x"})
    void allowedOriginsPatternAgreesWithTheFunction(String list) {
        String pattern = (String) parameter(map(template.get("Parameters")), "AllowedOrigins").get("AllowedPattern");
        boolean deployable = Pattern.matches(pattern, list);
        boolean startsUp;
        try {
            OriginPolicy.of(list, false);
            startsUp = true;
        } catch (IllegalArgumentException e) {
            startsUp = false;
        }
        assertTrue(!deployable || startsUp, "CloudFormation would accept " + list + " but the function would not start");
        if (startsUp && !list.isBlank() && !list.contains(",,") && !list.strip().endsWith(",") && !list.strip().startsWith(",")) {
            assertTrue(deployable, "a list the function takes is refused at deploy time: " + list);
        }
    }

    @ParameterizedTest
    @MethodSource("routes")
    void functionTimeoutLeavesRoomForTheDynamoDbCallButNotForApiGatewaysTimeout(Route route) throws IOException {
        int timeoutSeconds = (Integer) function(resolved(Map.of()), route.function()).get("Timeout");
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
        assertEquals(r.authorization(), route.get("AuthorizationType"));
        assertEquals(r.route(), route.get("OperationName"));
        assertEquals(Map.of("Fn::Sub", "integrations/${" + r.integration() + "}"), route.get("Target"));

        Map<String, Object> integration = properties(r.integration());
        assertEquals(Map.of("Ref", "ApiGateway"), integration.get("ApiId"));
        assertEquals("AWS_PROXY", integration.get("IntegrationType"));
        // The alias (AutoPublishAlias): SnapStart serves published versions only, never $LATEST.
        assertEquals(Map.of("Fn::Sub",
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + r.function() + ".Alias}/invocations"),
                integration.get("IntegrationUri"));
    }

    @ParameterizedTest
    @MethodSource("routes")
    void apiGatewayMayInvokeTheFunctionOnlyForThisApisRoute(Route route) {
        Map<String, Object> permission = properties(route.permission());
        assertEquals("lambda:InvokeFunction", permission.get("Action"));
        assertEquals(Map.of("Ref", route.function() + ".Alias"), permission.get("FunctionName"), "the alias API Gateway invokes");
        assertEquals("apigateway.amazonaws.com", permission.get("Principal"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGateway}/${Stage}/" + route.key()),
                permission.get("SourceArn"));
    }

    @Test
    void everyStackUpdateThatChangesARouteReachesTheStage() {
        // No Deployment resource: one pinned by DeploymentId is a snapshot of the routes taken when the
        // stack was created, and a later route change (ConnectAuthorization) would never be served.
        resources.forEach((id, resource) ->
                assertFalse("AWS::ApiGatewayV2::Deployment".equals(map(resource).get("Type")), id + " pins a deployment"));
        Map<String, Object> stage = properties("Stage");
        assertEquals(true, stage.get("AutoDeploy"), "API Gateway deploys every change of the API to the stage");
        assertFalse(stage.containsKey("DeploymentId"));
        assertEquals(Map.of("Ref", "Environment"), stage.get("StageName"));
        assertEquals(Map.of("Ref", "ApiGateway"), stage.get("ApiId"));

        // The stage is created after every route that always exists, so that its first automatic deployment
        // has them all. A route of a condition cannot be depended on (it may not exist): AutoDeploy deploys it.
        List<String> routes = new ArrayList<>();
        resources.forEach((id, resource) -> {
            if ("AWS::ApiGatewayV2::Route".equals(map(resource).get("Type")) && !map(resource).containsKey("Condition")) {
                routes.add(id);
            }
        });
        assertFalse(routes.isEmpty());
        assertEquals(Set.copyOf(routes), Set.copyOf(list(map(resources.get("Stage")).get("DependsOn"))), "Stage DependsOn " + routes);

        // Switching ConnectAuthorization changes the route and nothing that pins what the stage serves.
        Map<String, Object> open = resolved(Map.of("ConnectAuthorization", "NONE"));
        Map<String, Object> iam = resolved(Map.of("ConnectAuthorization", "AWS_IAM"));
        assertEquals("NONE", resolvedProperties(open, "RouteConnect").get("AuthorizationType"));
        assertEquals("AWS_IAM", resolvedProperties(iam, "RouteConnect").get("AuthorizationType"));
        assertEquals("NONE", resolvedProperties(iam, "RouteDisconnect").get("AuthorizationType"), "authorization is on $connect only");
        assertEquals(resolvedProperties(open, "Stage"), resolvedProperties(iam, "Stage"));
        assertEquals(true, resolvedProperties(iam, "Stage").get("AutoDeploy"));
        Map<String, Object> jwt = resolved(Map.of("ConnectAuthorization", "JWT"));
        assertEquals("CUSTOM", resolvedProperties(jwt, "RouteConnect").get("AuthorizationType"));
        assertEquals(resolvedProperties(open, "Stage"), resolvedProperties(jwt, "Stage"));
    }

    // ---- The sendmessage route (SendMessageRoute=true)

    private static final Map<String, String> SEND_MESSAGE = Map.of("SendMessageRoute", "true");
    private static final List<String> SEND_MESSAGE_RESOURCES = List.of("SendMessageLogGroup", "SendMessageFunction",
            "SendMessagePermission", "IntegrationSendMessage", "RouteSendMessage");

    @Test
    void theSendMessageRouteIsOffByDefault() {
        assertEquals("false", map(map(template.get("Parameters")).get("SendMessageRoute")).get("Default"));
        Map<String, Object> stack = resolved(Map.of());
        for (String id : SEND_MESSAGE_RESOURCES) {
            assertFalse(map(stack.get("Resources")).containsKey(id), id);
        }
        assertFalse(map(stack.get("Outputs")).containsKey("SendMessageFunctionArn"));
    }

    @Test
    void sendMessageIsARouteOfItsOwnFunctionFromTheSameZip() throws IOException {
        Map<String, Object> stack = resolved(SEND_MESSAGE);
        for (String id : SEND_MESSAGE_RESOURCES) {
            assertTrue(map(stack.get("Resources")).containsKey(id), id);
        }
        Map<String, Object> route = resolvedProperties(stack, "RouteSendMessage");
        assertEquals(SendMessageHandler.NAME, route.get("RouteKey"), "the action of {\"action\":\"sendmessage\"}");
        assertEquals("NONE", route.get("AuthorizationType"));
        assertEquals(Map.of("Fn::Sub", "integrations/${IntegrationSendMessage}"), route.get("Target"));
        assertEquals("AWS_PROXY", resolvedProperties(stack, "IntegrationSendMessage").get("IntegrationType"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                + "${SendMessageFunction.Alias}/invocations"), resolvedProperties(stack, "IntegrationSendMessage").get("IntegrationUri"));

        Map<String, Object> function = function(stack, "SendMessageFunction");
        assertEquals("target/function.zip", function.get("CodeUri"));
        assertEquals(SendMessageHandler.class.getAnnotation(Named.class).value(),
                environment(stack, "SendMessageFunction").get("QUARKUS_LAMBDA_HANDLER"));
        assertFalse(environment(stack, "SendMessageFunction").containsKey("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"),
                "on AWS each message's own API is called");
        assertEquals(Map.of("LogGroup", Map.of("Ref", "SendMessageLogGroup"), "LogFormat", "JSON",
                "ApplicationLogLevel", Map.of("Ref", "LogLevel"), "SystemLogLevel", "INFO"), function.get("LoggingConfig"));

        // The broadcast gives up (and answers 500) before Lambda stops the function, which is well under 29 s.
        int timeoutSeconds = (Integer) function.get("Timeout");
        Matcher broadcast = Pattern.compile("\\$\\{SENDMESSAGE_TIMEOUT:(\\d+)s}").matcher(applicationProperties().getProperty("sendmessage.timeout"));
        assertTrue(broadcast.matches());
        assertTrue(timeoutSeconds > Integer.parseInt(broadcast.group(1)) && timeoutSeconds <= 10, "Timeout " + timeoutSeconds);
        assertEquals("${AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI:}", applicationProperties().getProperty("sendmessage.connections-endpoint"),
                "the AWS SDKs' standard variable for the API Gateway Management API");
    }

    /** Scan and DeleteItem on the table, and posting to this API's stage's connections: nothing more. */
    @Test
    void sendMessageMayReadAndForgetConnectionsAndPostToThisStagesConnectionsOnly() {
        Map<String, Object> stack = resolved(SEND_MESSAGE);
        List<Object> policies = list(resolvedProperties(stack, "SendMessageFunction").get("Policies"));
        assertEquals(1, policies.size(), "one inline policy, no SAM policy template (DynamoDBCrudPolicy)");
        List<Object> statements = list(map(policies.get(0)).get("Statement"));
        assertEquals(2, statements.size());
        Map<String, Object> table = map(statements.get(0));
        assertEquals("Allow", table.get("Effect"));
        assertEquals(List.of("dynamodb:Scan", "dynamodb:DeleteItem"), table.get("Action"));
        assertEquals(Map.of("Fn::GetAtt", List.of("ConnectionsTable", "Arn")), table.get("Resource"));
        Map<String, Object> connections = map(statements.get(1));
        assertEquals("Allow", connections.get("Effect"));
        assertEquals("execute-api:ManageConnections", connections.get("Action"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGateway}/${Environment}/POST/@connections/*"),
                connections.get("Resource"), "the stage (Environment) of this API, POST only");

        Map<String, Object> permission = resolvedProperties(stack, "SendMessagePermission");
        assertEquals(Map.of("Ref", "SendMessageFunction.Alias"), permission.get("FunctionName"));
        assertEquals("apigateway.amazonaws.com", permission.get("Principal"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGateway}/${Stage}/sendmessage"),
                permission.get("SourceArn"));
    }

    // ---- The $connect authorizer (ConnectAuthorization=JWT)

    private static final String COGNITO = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123";
    private static final Map<String, String> JWT = Map.of("ConnectAuthorization", "JWT", "JwtIssuer", COGNITO,
            "JwtAudience", "4k2b8f1hq7d5mg0p3nexampleid");
    private static final List<String> AUTHORIZER_RESOURCES = List.of("AuthorizerLogGroup", "AuthorizerFunction",
            "AuthorizerPermission", "Authorizer", "AuthorizerRefusalsQuery");

    @Test
    void withoutJwtNothingOfTheAuthorizerExists() {
        for (String authorization : List.of("NONE", "AWS_IAM")) {
            Map<String, Object> stack = resolved(Map.of("ConnectAuthorization", authorization, "AlarmTopicArn", TOPIC));
            for (String id : AUTHORIZER_RESOURCES) {
                assertFalse(map(stack.get("Resources")).containsKey(id), authorization + ": " + id);
            }
            assertFalse(resolvedProperties(stack, "RouteConnect").containsKey("AuthorizerId"));
            assertFalse(map(stack.get("Outputs")).containsKey("AuthorizerFunctionArn"));
        }
    }

    @Test
    void jwtPutsARequestAuthorizerFromTheSameZipOnConnect() {
        Map<String, Object> stack = resolved(JWT);
        for (String id : AUTHORIZER_RESOURCES) {
            assertTrue(map(stack.get("Resources")).containsKey(id), id);
        }
        Map<String, Object> route = resolvedProperties(stack, "RouteConnect");
        assertEquals("CUSTOM", route.get("AuthorizationType"), "a Lambda authorizer is CUSTOM to API Gateway");
        assertEquals(Map.of("Ref", "Authorizer"), route.get("AuthorizerId"));

        Map<String, Object> authorizer = resolvedProperties(stack, "Authorizer");
        assertEquals(Map.of("Ref", "ApiGateway"), authorizer.get("ApiId"));
        assertEquals("REQUEST", authorizer.get("AuthorizerType"));
        assertEquals(List.of(Map.of("Ref", "JwtIdentitySource")), authorizer.get("IdentitySource"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                + "${AuthorizerFunction.Alias}/invocations"), authorizer.get("AuthorizerUri"), "the alias, as the routes' integrations");
        assertFalse(authorizer.containsKey("AuthorizerResultTtlInSeconds"), "WebSocket APIs cache no authorizer result");

        Map<String, Object> function = function(stack, "AuthorizerFunction");
        assertEquals("target/function.zip", function.get("CodeUri"), "the same zip (Globals)");
        assertEquals("live", function.get("AutoPublishAlias"));
        Map<String, Object> expected = new java.util.HashMap<>(Map.of("TABLE_NAME", Map.of("Ref", "ConnectionsTable"),
                "QUARKUS_LAMBDA_HANDLER", TokenAuthorizer.class.getAnnotation(Named.class).value(),
                "DISABLE_SIGNAL_HANDLERS", "true",
                "METRICS_ENABLED", Map.of("Ref", "Metrics"), "METRICS_NAMESPACE", Map.of("Ref", "MetricsNamespace")));
        expected.putAll(Map.of("JWT_ISSUER", Map.of("Ref", "JwtIssuer"), "JWT_AUDIENCE", Map.of("Ref", "JwtAudience"),
                "JWT_IDENTITY_SOURCE", Map.of("Ref", "JwtIdentitySource"), "JWT_JWKS_URL", Map.of("Ref", "JwtKeySetUrl")));
        assertEquals(expected, environment(stack, "AuthorizerFunction"));
        assertEquals(Map.of("LogGroup", Map.of("Ref", "AuthorizerLogGroup"), "LogFormat", "JSON",
                "ApplicationLogLevel", Map.of("Ref", "LogLevel"), "SystemLogLevel", "INFO"), function.get("LoggingConfig"));
        assertTrue(resolvedProperties(stack, "AuthorizerLogGroup").get("RetentionInDays") instanceof Integer, "log retention");
        assertEquals(Map.of("Fn::GetAtt", List.of("AuthorizerFunction", "Arn")), value(map(stack.get("Outputs")), "AuthorizerFunctionArn"));
    }

    /** It reads no table and writes none: no policy of its own, so SAM's role lets it write its logs and nothing else. */
    @Test
    void theAuthorizerHasNoTableAccessAndMayBeInvokedOnlyAsThisApisAuthorizer() {
        Map<String, Object> stack = resolved(JWT);
        assertFalse(resolvedProperties(stack, "AuthorizerFunction").containsKey("Policies"));
        assertFalse(resolvedProperties(stack, "AuthorizerFunction").containsKey("Role"));
        Map<String, Object> permission = resolvedProperties(stack, "AuthorizerPermission");
        assertEquals("lambda:InvokeFunction", permission.get("Action"));
        assertEquals(Map.of("Ref", "AuthorizerFunction.Alias"), permission.get("FunctionName"));
        assertEquals("apigateway.amazonaws.com", permission.get("Principal"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGateway}/authorizers/${Authorizer}"),
                permission.get("SourceArn"));
    }

    /** The key set fetch (both of its bounds) must end before the function's own timeout, itself well under API Gateway's. */
    @Test
    void theAuthorizersTimeoutLeavesRoomForTheKeySetFetch() throws IOException {
        int timeoutSeconds = (Integer) function(resolved(JWT), "AuthorizerFunction").get("Timeout");
        Matcher fetch = Pattern.compile("\\$\\{JWT_JWKS_TIMEOUT:(\\d+)s}").matcher(applicationProperties().getProperty("authorizer.key-set-timeout"));
        assertTrue(fetch.matches());
        assertTrue(timeoutSeconds > 2 * Integer.parseInt(fetch.group(1)) && timeoutSeconds <= 10, "Timeout " + timeoutSeconds);
    }

    @Test
    void theAuthorizersVariablesReachItsSettings() throws IOException {
        Properties properties = applicationProperties();
        assertEquals("${JWT_ISSUER:}", properties.getProperty("authorizer.issuer"));
        assertEquals("${JWT_AUDIENCE:}", properties.getProperty("authorizer.audience"));
        assertEquals("${JWT_JWKS_URL:}", properties.getProperty("authorizer.key-set-url"));
        assertEquals("${JWT_IDENTITY_SOURCE:" + parameter(map(template.get("Parameters")), "JwtIdentitySource").get("Default") + "}",
                properties.getProperty("authorizer.identity-source"), "the same default as the template's");
        assertEquals(Set.of(Unauthorized.class.getName(), AuthorizerFailure.class.getName()),
                Set.of(properties.getProperty("quarkus.lambda.expected-exceptions").split(",")),
                "its deliberate failures are not logged again by Quarkus");
    }

    /** A JWT stack without an issuer or an audience would fail every handshake: CloudFormation refuses it. */
    @Test
    void aJwtDeployWithoutIssuerOrAudienceIsRefused() {
        Map<String, Object> rule = map(map(template.get("Rules")).get("JwtAuthorizationNeedsIssuerAndAudience"));
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "ConnectAuthorization"), "JWT")), rule.get("RuleCondition"));
        List<Object> asserted = list(rule.get("Assertions")).stream().map(a -> map(a).get("Assert")).toList();
        assertEquals(List.of(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "JwtIssuer"), "")))),
                Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "JwtAudience"), ""))))), asserted);
    }

    /** What the deploy takes, the function starts with: the issuer (and key set) patterns never let through a URL it refuses. */
    @ParameterizedTest
    @ValueSource(strings = {COGNITO, "https://example.eu.auth0.com/", "https://login.example.com/realms/chat",
        "https://example.okta.com/oauth2/default", "https://issuer.example.com:8443/x", "http://issuer.example.com",
        "https://", "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", "https://a b", "https://issuer.example.com?x=1"})
    void jwtIssuerPatternAgreesWithTheFunction(String url) {
        for (String name : List.of("JwtIssuer", "JwtKeySetUrl")) {
            String pattern = (String) parameter(map(template.get("Parameters")), name).get("AllowedPattern");
            boolean deployable = Pattern.matches(pattern, url);
            boolean startsUp;
            try {
                KeySet.requireSecure(java.net.URI.create(url), "JWT_ISSUER");
                startsUp = true;
            } catch (IllegalArgumentException e) {
                startsUp = false;
            }
            assertTrue(!deployable || startsUp, name + ": CloudFormation would accept " + url + " but the function would not start");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"route.request.querystring.token", "route.request.header.Authorization", "route.request.header.Sec-WebSocket-Protocol",
        "route.request.querystring.", "route.request.body.token", "stageVariables.token", "context.token", "route.request.header.a b"})
    void identitySourcePatternAgreesWithTheFunction(String expression) {
        String pattern = (String) parameter(map(template.get("Parameters")), "JwtIdentitySource").get("AllowedPattern");
        boolean startsUp;
        try {
            IdentitySource.parse(expression);
            startsUp = true;
        } catch (IllegalArgumentException e) {
            startsUp = false;
        }
        assertEquals(startsUp, Pattern.matches(pattern, expression), expression);
    }

    /** The index of a user's connections is the one the tests create (LocalDynamoDbResource), over the attributes $connect writes. */
    @Test
    void theTableIndexesConnectionsByUser() {
        List<Object> indexes = list(properties("ConnectionsTable").get("GlobalSecondaryIndexes"));
        assertEquals(1, indexes.size());
        var byUser = LocalDynamoDbResource.BY_USER;
        assertEquals(Map.of("IndexName", byUser.name(),
                "KeySchema", List.of(Map.of("AttributeName", byUser.hashKey(), "KeyType", "HASH"),
                        Map.of("AttributeName", byUser.rangeKey(), "KeyType", "RANGE")),
                "Projection", Map.of("ProjectionType", "INCLUDE", "NonKeyAttributes", byUser.projected())), indexes.get(0));
        assertEquals(Connection.USER_ID, byUser.hashKey());
        assertEquals(Connection.CONNECTED_AT, byUser.rangeKey());
        assertEquals(List.of(Connection.DOMAIN_NAME, Connection.STAGE, Connection.EXPIRES_AT), byUser.projected());
    }

    @Test
    void theStageThrottlesEveryRouteByParameter() {
        assertEquals(Map.of("ThrottlingRateLimit", Map.of("Ref", "ThrottlingRateLimit"),
                "ThrottlingBurstLimit", Map.of("Ref", "ThrottlingBurstLimit")), properties("Stage").get("DefaultRouteSettings"));
    }

    @Test
    void accessLogsAreOffByDefault() {
        Map<String, Object> stack = resolved(Map.of());
        assertFalse(map(stack.get("Resources")).containsKey("AccessLogGroup"));
        assertFalse(resolvedProperties(stack, "Stage").containsKey("AccessLogSettings"));
        assertFalse(map(stack.get("Outputs")).containsKey("AccessLogGroupName"));
    }

    @Test
    void accessLogsGoAsJsonToALogGroupOfTheStackWithARetention() throws IOException {
        Map<String, Object> stack = resolved(Map.of("AccessLogs", "true"));
        Map<String, Object> group = map(map(stack.get("Resources")).get("AccessLogGroup"));
        assertEquals("AWS::Logs::LogGroup", group.get("Type"));
        assertEquals("Delete", group.get("DeletionPolicy"));
        assertTrue(map(group.get("Properties")).get("RetentionInDays") instanceof Integer, "a retention");

        Map<String, Object> settings = map(resolvedProperties(stack, "Stage").get("AccessLogSettings"));
        assertEquals(Map.of("Fn::GetAtt", List.of("AccessLogGroup", "Arn")), settings.get("DestinationArn"));
        String format = (String) settings.get("Format");
        assertTrue(format.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 3 * 1024, "API Gateway's access log format limit is 3 KB");
        Map<String, Object> line = new com.fasterxml.jackson.databind.ObjectMapper().readValue(format,
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertEquals(Map.of(
                "requestId", "$context.requestId",
                "connectionId", "$context.connectionId",
                "eventType", "$context.eventType",
                "routeKey", "$context.routeKey",
                "status", "$context.status",
                "error", "$context.error.message",
                "integrationLatency", "$context.integrationLatency",
                "sourceIp", "$context.identity.sourceIp",
                "userAgent", "$context.identity.userAgent",
                "requestTime", "$context.requestTime"), line);
        assertEquals(Map.of("Ref", "AccessLogGroup"), value(map(stack.get("Outputs")), "AccessLogGroupName"));
    }

    @Test
    void reservedConcurrencyOnlyWhenGiven() {
        assertFalse(resolvedProperties(resolved(Map.of()), "OnConnectFunction").containsKey("ReservedConcurrentExecutions"));
        assertEquals("25", resolvedProperties(resolved(Map.of("ConnectConcurrency", "25")), "OnConnectFunction")
                .get("ReservedConcurrentExecutions"));
        assertFalse(resolvedProperties(resolved(Map.of("ConnectConcurrency", "25")), "OnDisconnectFunction")
                .containsKey("ReservedConcurrentExecutions"), "$disconnect keeps the shared pool");
    }

    /** Every combination of the parameters that add or remove resources keeps the stack whole. */
    @ParameterizedTest
    @MethodSource("combinations")
    void everyCombinationResolvesToAWholeStack(Map<String, String> parameters) {
        Map<String, Object> stack = resolved(parameters);
        Map<String, Object> resolvedResources = map(stack.get("Resources"));
        Set<String> referenced = new java.util.TreeSet<>();
        collectReferences(resolvedResources, referenced);
        collectReferences(stack.get("Outputs"), referenced);
        Set<String> parameterNames = map(template.get("Parameters")).keySet();
        for (String id : referenced) {
            assertTrue(resolvedResources.containsKey(id) || parameterNames.contains(id) || id.startsWith("AWS::"),
                    parameters + ": " + id + " is referenced but not created");
        }
        assertEquals(true, resolvedProperties(stack, "Stage").get("AutoDeploy"));
    }

    static List<Map<String, String>> combinations() {
        List<Map<String, String>> all = new ArrayList<>();
        for (String logs : List.of("false", "true")) {
            for (String concurrency : List.of("", "10")) {
                for (String authorization : List.of("NONE", "AWS_IAM", "JWT")) {
                    for (String pack : List.of("native", "jvm")) {
                        for (String topic : List.of("", TOPIC)) {
                            for (String sendMessage : List.of("false", "true")) {
                                all.add(Map.of("AccessLogs", logs, "ConnectConcurrency", concurrency, "ConnectAuthorization", authorization,
                                        "Package", pack, "AlarmTopicArn", topic, "SendMessageRoute", sendMessage));
                            }
                        }
                    }
                }
            }
        }
        return all;
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
        // What an IAM policy for ConnectAuthorization=AWS_IAM names (docs/security.md).
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGateway}/${Stage}/$connect"),
                value(outputs, "ConnectResourceArn"));
    }

    // ---- In production: the saved queries read fields the function and Lambda really write

    /** A platform.report record as Lambda writes it in JSON format, for a cold start. */
    static final String PLATFORM_REPORT = """
            {"time":"2026-12-03T07:00:00.123Z","type":"platform.report","record":{"requestId":"6f7f0961-0000-4000-8000-000000000001",\
            "metrics":{"durationMs":41.12,"billedDurationMs":209,"memorySizeMB":256,"maxMemoryUsedMB":47,"initDurationMs":167.4},\
            "status":"success"}}""";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Our line for a cold $connect refused with 403, as the function writes it in production. */
    private static com.fasterxml.jackson.databind.JsonNode invocationLine() throws IOException {
        return JSON.readTree(InvocationLog.json(new InvocationLog.Invocation("$connect", "L0SM9cOFvHcCIhw=", "$connect", 403,
                "forbidden", "origin refused", "origin refused", null, 9, true, "req", "fn", 256), "ServerlessChat", 0));
    }

    @Test
    void theColdStartQueryReadsLambdasReportRecordsByMemorySettingAndDay() throws IOException {
        Map<String, Object> query = properties("ColdStartsQuery");
        assertEquals(Map.of("Fn::Sub", "${ProjectName}-${Environment}/cold-starts"), query.get("Name"));
        assertEquals(List.of(Map.of("Ref", "OnConnectLogGroup"), Map.of("Ref", "OnDisconnectLogGroup")),
                resolvedProperties(resolved(Map.of()), "ColdStartsQuery").get("LogGroupNames"));
        assertEquals(List.of(Map.of("Ref", "OnConnectLogGroup"), Map.of("Ref", "OnDisconnectLogGroup"), Map.of("Ref", "AuthorizerLogGroup")),
                resolvedProperties(resolved(Map.of("ConnectAuthorization", "JWT")), "ColdStartsQuery").get("LogGroupNames"),
                "the authorizer's cold starts too");
        String text = (String) query.get("QueryString");
        var report = JSON.readTree(PLATFORM_REPORT);
        for (String field : List.of("type", "record.metrics.initDurationMs", "record.metrics.durationMs", "record.metrics.memorySizeMB")) {
            assertTrue(text.contains(field), field);
            assertTrue(has(report, field), field + " is in Lambda's platform.report");
        }
        assertTrue(text.contains("filter type = \"platform.report\""));
        assertTrue(text.contains("record.metrics.restoreDurationMs"), "a SnapStart restore is the JVM package's cold start");
        for (String p : List.of("50", "90", "99")) {
            assertTrue(text.contains("pct(initMs, " + p + ")") && text.contains("pct(firstInvocationMs, " + p + ")"), "p" + p);
        }
        assertTrue(text.contains("by @log, memoryMb, bin(1d)"), "by memory setting and by day");
    }

    @Test
    void theRefusedConnectsQueryCountsByTheFieldsOfOurLineAndLambdasFailedReports() throws IOException {
        Map<String, Object> query = properties("RefusedConnectsQuery");
        assertEquals(List.of(Map.of("Ref", "OnConnectLogGroup")), query.get("LogGroupNames"));
        String text = (String) query.get("QueryString");
        var line = invocationLine();
        for (String field : List.of("route", "status", "outcome", "reason")) {
            assertTrue(text.contains(field), field);
            assertTrue(has(line, field), field + " is in the function's line");
        }
        assertTrue(text.contains("route = \"" + line.get("route").asText() + "\""));
        assertTrue(text.contains("record.status") && has(JSON.readTree(PLATFORM_REPORT), "record.status"));
        assertTrue(text.contains("stats count(*) as connects by what, why"));
    }

    @Test
    void theSlowestInvocationsQueryShowsFieldsOfOurLine() throws IOException {
        Map<String, Object> query = properties("SlowestInvocationsQuery");
        String text = (String) query.get("QueryString");
        Matcher fields = Pattern.compile("\\| fields (.*)").matcher(text);
        assertTrue(fields.find(), text);
        var line = invocationLine();
        for (String field : fields.group(1).split(", *")) {
            assertTrue(field.equals("@timestamp") || has(line, field), field + " is in the function's line: " + line);
        }
        assertTrue(text.contains("connectionId") && text.contains("sort latencyMs desc"));
    }

    private static boolean has(com.fasterxml.jackson.databind.JsonNode node, String dotted) {
        for (String part : dotted.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node != null && !node.isNull();
    }

    @Test
    void noAlarmsWithoutATopic() {
        map(resolved(Map.of()).get("Resources")).forEach((id, resource) ->
                assertFalse("AWS::CloudWatch::Alarm".equals(map(resource).get("Type")), id + " exists without AlarmTopicArn"));
    }

    /** Every alarm of the stack, with a topic: the metrics it watches are this stack's, and it tells the topic both ways. */
    @Test
    void withATopicEachAlarmWatchesThisStacksResourcesAndNotifiesTheTopic() {
        Map<String, Object> stack = resolved(Map.of("AlarmTopicArn", TOPIC, "ConnectAuthorization", "JWT"));
        Map<String, Map<String, Object>> alarms = new java.util.TreeMap<>();
        map(stack.get("Resources")).forEach((id, resource) -> {
            if ("AWS::CloudWatch::Alarm".equals(map(resource).get("Type"))) {
                alarms.put(id, map(map(resource).get("Properties")));
            }
        });
        assertEquals(Set.of("ConnectErrorsAlarm", "OnConnectErrorsAlarm", "OnDisconnectErrorsAlarm", "OnConnectThrottlesAlarm",
                "TableErrorsAlarm", "AuthorizerErrorsAlarm"), alarms.keySet());
        // The function's own metrics (InvocationLog's EMF members) in the stack's namespace.
        Map<Object, Set<String>> known = Map.of(
                "AWS/ApiGateway", Set.of("ConnectCount", "IntegrationError", "ExecutionError"),
                "AWS/Lambda", Set.of("Errors", "Throttles"),
                "AWS/DynamoDB", Set.of("WriteThrottleEvents", "SystemErrors"),
                Map.of("Ref", "MetricsNamespace"), Set.of("Unauthorized"));
        Map<String, Object> dimensionValues = Map.of("ApiId", Map.of("Ref", "ApiGateway"), "Stage", Map.of("Ref", "Stage"),
                "TableName", Map.of("Ref", "ConnectionsTable"), "route", TokenAuthorizer.ROUTE,
                "functionName", Map.of("Ref", "AuthorizerFunction"));
        alarms.forEach((id, alarm) -> {
            assertEquals(List.of(TOPIC), alarm.get("AlarmActions"), id);
            assertEquals(List.of(TOPIC), alarm.get("OKActions"), id + " says when it clears");
            assertEquals("notBreaching", alarm.get("TreatMissingData"), id + ": no traffic is no alarm");
            assertTrue(alarm.get("AlarmDescription") instanceof String, id);
            List<Map<String, Object>> watched = new ArrayList<>();
            if (alarm.containsKey("Metrics")) {
                List<String> ids = new ArrayList<>();
                String expression = null;
                for (Object m : list(alarm.get("Metrics"))) {
                    Map<String, Object> query = map(m);
                    if (query.containsKey("Expression")) {
                        expression = (String) query.get("Expression");
                        assertEquals(true, query.get("ReturnData"), id);
                    } else {
                        ids.add((String) query.get("Id"));
                        assertEquals(false, query.get("ReturnData"), id);
                        assertEquals(300, map(query.get("MetricStat")).get("Period"), id);
                        watched.add(map(map(query.get("MetricStat")).get("Metric")));
                    }
                }
                for (String metricId : ids) {
                    assertTrue(expression != null && expression.contains(metricId), id + ": " + metricId + " is used");
                }
            } else {
                assertEquals(300, alarm.get("Period"), id);
                watched.add(alarm);
            }
            for (Map<String, Object> metric : watched) {
                assertTrue(known.getOrDefault(metric.get("Namespace"), Set.of()).contains(metric.get("MetricName")), id + ": " + metric);
                for (Object d : list(metric.get("Dimensions"))) {
                    Map<String, Object> dimension = map(d);
                    Object value = dimension.get("Value");
                    if (dimension.get("Name").equals("FunctionName")) {
                        assertTrue(Set.of("OnConnectFunction", "OnDisconnectFunction", "AuthorizerFunction").contains(map(value).get("Ref")), id);
                    } else if (dimension.get("Name").equals("Operation")) {
                        assertTrue(Set.of("PutItem", "DeleteItem").contains(value), id + ": the functions' writes");
                    } else {
                        assertEquals(dimensionValues.get(dimension.get("Name")), value, id + ": " + dimension);
                    }
                }
            }
        });
        assertEquals("IF(connects >= 10, 100 * (integration + execution) / connects, 0)",
                map(list(alarms.get("ConnectErrorsAlarm").get("Metrics")).get(3)).get("Expression"));
        assertEquals(50, alarms.get("ConnectErrorsAlarm").get("Threshold"));
        assertEquals(2, alarms.get("ConnectErrorsAlarm").get("EvaluationPeriods"));
        assertEquals(1, alarms.get("OnConnectErrorsAlarm").get("Threshold"));
        assertEquals(5, alarms.get("OnConnectThrottlesAlarm").get("Threshold"));
        assertEquals(10, alarms.get("TableErrorsAlarm").get("Threshold"));
        assertEquals("FILL(errors, 0) - FILL(unauthorized, 0)", map(list(alarms.get("AuthorizerErrorsAlarm").get("Metrics")).get(2)).get("Expression"),
                "every handshake without a token is a Lambda error on purpose: those are not the alarm's");
        assertEquals(1, alarms.get("AuthorizerErrorsAlarm").get("Threshold"));
    }

    /** The authorizer's alarm needs its function and the metric it subtracts; otherwise it is not there. */
    @Test
    void theAuthorizersAlarmExistsOnlyWithTheAuthorizerAndItsMetrics() {
        assertFalse(map(resolved(Map.of("AlarmTopicArn", TOPIC)).get("Resources")).containsKey("AuthorizerErrorsAlarm"));
        assertFalse(map(resolved(Map.of("AlarmTopicArn", TOPIC, "ConnectAuthorization", "JWT", "Metrics", "false")).get("Resources"))
                .containsKey("AuthorizerErrorsAlarm"));
        assertFalse(map(resolved(Map.of("ConnectAuthorization", "JWT")).get("Resources")).containsKey("AuthorizerErrorsAlarm"));
    }

    /**
     * cfn-lint takes no parameter values, and checks both sides of every condition together. So for each
     * Package, with and without AlarmTopicArn, with and without the JWT authorizer (and with it the sendmessage
     * route), this writes the template
     * with those choices made: the JvmPackage, AlarmsOn, JwtAuthorization and SendMessageRouteOn conditions gone, their Fn::If
     * resolved, their resources kept or dropped, the parameters defaulting to the choice, and everything
     * else as written. .ci/run lints every file written here as it lints the template.
     */
    @Test
    void writesTheTemplateOfEachPackageAlarmAndAuthorizationChoiceForCfnLint() throws IOException {
        Path dir = Path.of("target/cfn-lint");
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        org.yaml.snakeyaml.DumperOptions options = new org.yaml.snakeyaml.DumperOptions();
        options.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        options.setWidth(200);
        for (String pack : List.of("native", "jvm")) {
            for (String topic : List.of("", TOPIC)) {
                for (String authorization : List.of("NONE", "JWT")) {
                    // The sendmessage route with the authorizer, so that each side of both is linted with each
                    // package and alarm choice (they share no resource) in 8 forms rather than 16.
                    boolean sendMessage = authorization.equals("JWT");
                    Map<String, Boolean> choice = new java.util.HashMap<>(Map.of("JvmPackage", pack.equals("jvm"),
                            "AlarmsOn", !topic.isEmpty(), "JwtAuthorization", authorization.equals("JWT"),
                            "SendMessageRouteOn", sendMessage));
                    if (topic.isEmpty() || !authorization.equals("JWT")) {
                        choice.put("AuthorizerAlarmsOn", false); // otherwise it still depends on Metrics
                    }
                    Map<String, Object> variant = map(choose(template, choice));
                    map(variant.get("Conditions")).keySet().removeAll(choice.keySet());
                    Map<String, Object> parameters = map(variant.get("Parameters"));
                    parameters.put("Package", merged(map(parameters.get("Package")), Map.of("Default", pack)));
                    parameters.put("AlarmTopicArn", merged(map(parameters.get("AlarmTopicArn")), Map.of("Default", topic)));
                    parameters.put("ConnectAuthorization", merged(map(parameters.get("ConnectAuthorization")), Map.of("Default", authorization)));
                    parameters.put("SendMessageRoute", merged(map(parameters.get("SendMessageRoute")), Map.of("Default", String.valueOf(sendMessage))));
                    Path file = dir.resolve("package-" + pack + (topic.isEmpty() ? "-no-alarms" : "-alarms")
                            + (authorization.equals("JWT") ? "-jwt-sendmessage" : "") + ".yaml");
                    Files.writeString(file, new org.yaml.snakeyaml.Yaml(options).dump(variant));

                    Map<String, Object> written = CloudFormationYaml.load(file);
                    String text = Files.readString(file);
                    assertFalse(Pattern.compile("\\b(JvmPackage|AlarmsOn|JwtAuthorization|SendMessageRouteOn)\\b").matcher(text).find(), file.toString());
                    assertEquals(sendMessage, map(written.get("Resources")).containsKey("RouteSendMessage"), file.toString());
                    assertEquals(!topic.isEmpty(), map(written.get("Resources")).containsKey("TableErrorsAlarm"), file.toString());
                    assertEquals(authorization.equals("JWT"), map(written.get("Resources")).containsKey("Authorizer"), file.toString());
                    assertEquals(pack.equals("jvm") ? "java21" : Map.of("Ref", "Runtime"),
                            map(map(written.get("Globals")).get("Function")).get("Runtime"), file.toString());
                }
            }
        }
        try (var written = Files.list(dir)) {
            assertEquals(8, written.count(), ".ci/run expects this many");
        }
    }

    /** {@code node} with the conditions of {@code fixed} decided: their Fn::If resolved, their resources kept or dropped. */
    private static Object choose(Object node, Map<String, Boolean> fixed) {
        if (node instanceof Map<?, ?> m && m.size() == 1 && m.get("Fn::If") instanceof List<?> branches
                && fixed.containsKey(String.valueOf(branches.get(0)))) {
            return choose(branches.get(fixed.get(String.valueOf(branches.get(0))) ? 1 : 2), fixed);
        }
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> {
                Object condition = v instanceof Map<?, ?> entry ? entry.get("Condition") : null;
                if (condition instanceof String name && fixed.containsKey(name)) {
                    if (fixed.get(name)) {
                        Map<String, Object> kept = map(choose(v, fixed));
                        kept.remove("Condition");
                        out.put(String.valueOf(k), kept);
                    }
                } else {
                    out.put(String.valueOf(k), choose(v, fixed));
                }
            });
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(v -> choose(v, fixed)).toList();
        }
        return node;
    }

    // ---- helpers

    /**
     * The template as CloudFormation would see it with these parameter values (others at their
     * defaults): conditions evaluated, resources and outputs of false conditions dropped, Fn::If
     * resolved (in Globals too), AWS::NoValue removed and Refs to parameters replaced, except the
     * Refs of {@link #KEPT_REFS}. Everything else stays as written.
     */
    private static Map<String, Object> resolved(Map<String, String> given) {
        Map<String, String> parameters = new java.util.HashMap<>();
        map(template.get("Parameters")).forEach((name, p) -> parameters.put(name, String.valueOf(map(p).get("Default"))));
        parameters.putAll(given);
        Map<String, Boolean> conditions = new java.util.HashMap<>();
        map(template.get("Conditions")).forEach((name, c) -> conditions.put(name, (Boolean) evaluate(c, parameters, Map.of())));
        Map<String, Object> out = new java.util.LinkedHashMap<>(template);
        out.put("Globals", evaluate(template.get("Globals"), parameters, conditions));
        for (String section : List.of("Resources", "Outputs")) {
            Map<String, Object> kept = new java.util.LinkedHashMap<>();
            map(template.get(section)).forEach((id, entry) -> {
                Object condition = map(entry).get("Condition");
                if (condition == null || conditions.get(condition)) {
                    kept.put(id, evaluate(entry, parameters, conditions));
                }
            });
            out.put(section, kept);
        }
        return out;
    }

    private static final Object NO_VALUE = new Object();
    /** Parameters whose Refs the tests compare as written (what the function gets), not as a value. */
    private static final Set<String> KEPT_REFS = Set.of("Runtime", "Architecture", "MemorySize", "LogLevel", "Metrics",
            "MetricsNamespace", "AllowedOrigins", "RequireOrigin", "JwtIssuer", "JwtAudience", "JwtIdentitySource", "JwtKeySetUrl");
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:chat-alarms";

    private static Object evaluate(Object node, Map<String, String> parameters, Map<String, Boolean> conditions) {
        if (node instanceof Map<?, ?> m && m.size() == 1) {
            Object key = m.keySet().iterator().next();
            Object arg = m.get(key);
            switch (String.valueOf(key)) {
                case "Ref":
                    return "AWS::NoValue".equals(arg) ? NO_VALUE
                            : parameters.containsKey(arg) && !KEPT_REFS.contains(arg) ? parameters.get(arg) : node;
                case "Fn::Equals": // on parameters' values, kept Refs or not
                    return String.valueOf(valueOf(list(arg).get(0), parameters, conditions))
                            .equals(String.valueOf(valueOf(list(arg).get(1), parameters, conditions)));
                case "Fn::Not":
                    return !(Boolean) evaluate(list(arg).get(0), parameters, conditions);
                case "Fn::And":
                    return list(arg).stream().allMatch(c -> (Boolean) evaluate(c, parameters, conditions));
                case "Fn::If":
                    Boolean condition = conditions.get(String.valueOf(list(arg).get(0)));
                    assertTrue(condition != null, "unknown condition " + list(arg).get(0));
                    return evaluate(list(arg).get(condition ? 1 : 2), parameters, conditions);
                default:
                    break;
            }
        }
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> {
                Object value = evaluate(v, parameters, conditions);
                if (value != NO_VALUE) {
                    out.put(String.valueOf(k), value);
                }
            });
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object v : l) {
                Object value = evaluate(v, parameters, conditions);
                if (value != NO_VALUE) {
                    out.add(value);
                }
            }
            return out;
        }
        return node;
    }

    private static Object valueOf(Object node, Map<String, String> parameters, Map<String, Boolean> conditions) {
        return node instanceof Map<?, ?> m && m.get("Ref") instanceof String ref && parameters.containsKey(ref)
                ? parameters.get(ref) : evaluate(node, parameters, conditions);
    }

    /** A function's properties as SAM deploys it: Globals.Function's, with the function's own merged over them. */
    private static Map<String, Object> function(Map<String, Object> resolvedTemplate, String logicalId) {
        Map<String, Object> globals = map(map(resolvedTemplate.getOrDefault("Globals", Map.of())).getOrDefault("Function", Map.of()));
        return merged(globals, resolvedProperties(resolvedTemplate, logicalId));
    }

    private static Map<String, Object> environment(Map<String, Object> resolvedTemplate, String logicalId) {
        return map(map(function(resolvedTemplate, logicalId).get("Environment")).get("Variables"));
    }

    private static Map<String, Object> merged(Map<String, Object> under, Map<String, Object> over) {
        Map<String, Object> out = new java.util.LinkedHashMap<>(under);
        over.forEach((key, value) -> out.merge(key, value, (a, b) -> a instanceof Map<?, ?> && b instanceof Map<?, ?>
                ? merged(map(a), map(b)) : b));
        return out;
    }

    private static Map<String, Object> resolvedProperties(Map<String, Object> resolvedTemplate, String logicalId) {
        Map<String, Object> resource = map(map(resolvedTemplate.get("Resources")).get(logicalId));
        assertTrue(resource != null, "no resource " + logicalId);
        return map(resource.getOrDefault("Properties", Map.of()));
    }

    /** Logical IDs and parameter names named by Ref, Fn::GetAtt and ${...} in Fn::Sub. */
    private static void collectReferences(Object node, Set<String> ids) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if ("Ref".equals(k) && v instanceof String ref) {
                    ids.add(ref.split("\\.")[0]); // SAM's Function.Alias is the alias of Function's AutoPublishAlias
                } else if ("Fn::GetAtt".equals(k) && v instanceof List<?> parts) {
                    ids.add(String.valueOf(parts.get(0)));
                } else if ("Fn::Sub".equals(k) && v instanceof String text) {
                    Matcher sub = Pattern.compile("\\$\\{([A-Za-z0-9:]+)(\\.[A-Za-z.]+)?}").matcher(text);
                    while (sub.find()) {
                        ids.add(sub.group(1));
                    }
                } else if (!"DependsOn".equals(k) && !"Condition".equals(k)) {
                    collectReferences(v, ids);
                }
            });
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectReferences(v, ids));
        }
    }

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
