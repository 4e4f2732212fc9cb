package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.GatewaySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamTemplateTest {

    @Test
    void followsEachRouteThroughItsIntegrationToItsFunction() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        assertEquals("dev", template.gatewaySettings().stage());
        assertEquals("OnConnectFunction", template.route("$connect").functionId());
        assertEquals("OnDisconnectFunction", template.route("$disconnect").functionId());
        assertEquals(2, template.routes().size());
    }

    @Test
    void resolvesLiteralsAndParameterDefaultsOverGlobals() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        Map<String, String> connect = template.route("$connect").environment();
        assertEquals("connect", connect.get("QUARKUS_LAMBDA_HANDLER"));
        assertEquals("chat-connections", connect.get("TABLE_NAME"));
        assertEquals("true", connect.get("DISABLE_SIGNAL_HANDLERS"));
        assertFalse(connect.containsKey("REGION_COPY"), "what only AWS can resolve is left out");
        assertEquals("disconnect", template.route("$disconnect").environment().get("QUARKUS_LAMBDA_HANDLER"));
    }

    @Test
    void readsEachFunctionsCodeAndSettingsOverGlobals() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        assertEquals(new SamTemplate.Function("OnConnectFunction", "target/function.zip",
                template.route("$connect").environment(), 512, 5, null), template.function("$connect"));
        SamTemplate.Function disconnect = template.function("$disconnect");
        assertEquals("other/function.zip", disconnect.codeUri());
        assertEquals(128, disconnect.memoryMb());
        assertEquals(3, disconnect.timeoutSeconds(), "Lambda's default timeout");
        assertEquals(2, template.functions().size());
    }

    @Test
    void resolvesFnIfOverTheTemplatesConditions() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"),
                Map.of("ConnectConcurrency", "7"));
        assertEquals(7, template.function("$connect").reservedConcurrency());
        assertEquals(null, SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"))
                .function("$connect").reservedConcurrency(), "AWS::NoValue when the condition is false");
    }

    @Test
    void readsTheStagesThrottling() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        assertEquals(new GatewaySettings.Throttling(25, 40), template.gatewaySettings().throttling());
    }

    @Test
    void parametersGivenReplaceTheirDefaults() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"),
                Map.of("ThrottlingRateLimit", "0.5", "TableName", "other", "Environment", "prod"));
        assertEquals(new GatewaySettings.Throttling(0.5, 40), template.gatewaySettings().throttling());
        assertEquals("other", template.route("$connect").environment().get("TABLE_NAME"));
        assertEquals("prod", template.gatewaySettings().stage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"), Map.of("AllowedOrigin", "x")));
        assertTrue(unknown.getMessage().contains("no parameter AllowedOrigin"), unknown.getMessage());
    }

    @Test
    void withoutThrottlingSettingsTheAccountsLimitsApply(@TempDir Path dir) throws Exception {
        Path bare = dir.resolve("bare.yaml");
        Files.writeString(bare, Files.readString(Path.of("src/test/resources/template-fixture.yaml"))
                .replaceAll("(?s)      DefaultRouteSettings:.*", ""));
        assertEquals(GatewaySettings.Throttling.ACCOUNT, SamTemplate.read(bare).gatewaySettings().throttling());
    }

    @Test
    void saysWhenARouteIsMissing() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        assertThrows(IllegalArgumentException.class, () -> template.route("$default"));
    }

    @Test
    void readsTheProjectsOwnTemplate() throws Exception {
        Path project = Path.of("../../sam.native.yaml");
        if (!Files.exists(project)) {
            throw new AssertionError("sam.native.yaml is missing at the repository root");
        }
        SamTemplate template = SamTemplate.read(project);
        assertEquals("connect", template.route("$connect").environment().get("QUARKUS_LAMBDA_HANDLER"));
        assertEquals("disconnect", template.route("$disconnect").environment().get("QUARKUS_LAMBDA_HANDLER"));
        // The deploy's defaults run locally too: any origin, and the stage's throttling.
        assertEquals("", template.route("$connect").environment().get("ALLOWED_ORIGINS"));
        assertEquals("false", template.route("$connect").environment().get("REQUIRE_ORIGIN"));
        assertEquals(new GatewaySettings.Throttling(50, 100), template.gatewaySettings().throttling());
        assertEquals(256, template.function("$connect").memoryMb());
        assertEquals("target/function.zip", template.function("$disconnect").codeUri());
        assertEquals(3, SamTemplate.read(project, Map.of("ConnectConcurrency", "3")).function("$connect").reservedConcurrency());
        assertEquals("https://chat.example.com", SamTemplate.read(project, Map.of("AllowedOrigins", "https://chat.example.com"))
                .route("$connect").environment().get("ALLOWED_ORIGINS"));
    }

    /** A value a deploy would refuse is refused before anything starts, with the template's own words. */
    @Test
    void parameterValuesAreCheckedAgainstTheTemplatesConstraints() {
        Path project = Path.of("../../sam.native.yaml");
        assertEquals("--parameter AllowedOrigins=chat.example.com is refused by sam.native.yaml: comma-separated origins,"
                + " scheme://host[:port], e.g. https://chat.example.com", refused(project, "AllowedOrigins", "chat.example.com"));
        assertEquals("--parameter RequireOrigin=yes is refused by sam.native.yaml: it must be one of [true, false]",
                refused(project, "RequireOrigin", "yes"));
        assertEquals("--parameter ThrottlingRateLimit=0 is refused by sam.native.yaml: it must be at least 1",
                refused(project, "ThrottlingRateLimit", "0"));
        assertEquals("--parameter ThrottlingBurstLimit=5001 is refused by sam.native.yaml: it must be at most 5000",
                refused(project, "ThrottlingBurstLimit", "5001"));
        assertEquals("--parameter ThrottlingRateLimit=fast is refused by sam.native.yaml: it must be a number",
                refused(project, "ThrottlingRateLimit", "fast"));
        assertEquals("--parameter ConnectConcurrency=0 is refused by sam.native.yaml: empty, or a whole number of concurrent"
                + " executions", refused(project, "ConnectConcurrency", "0"));
    }

    @Test
    void lengthsAreCheckedToo() {
        Map<String, Object> name = Map.of("Type", "String", "MinLength", 3, "MaxLength", 5);
        assertEquals("it must be at least 3 characters long", SamTemplate.refusal(name, "ab"));
        assertEquals("it must be at most 5 characters long", SamTemplate.refusal(name, "abcdef"));
        assertEquals(null, SamTemplate.refusal(name, "abcd"));
        assertEquals(null, SamTemplate.refusal(Map.of("Type", "Number", "MinValue", 1, "MaxValue", 10000), "10000"));
    }

    private static String refused(Path template, String name, String value) {
        return assertThrows(SamTemplate.BadParameter.class, () -> SamTemplate.read(template, Map.of(name, value))).getMessage();
    }

    @Test
    void readsMessageRoutesTheRouteSelectionExpressionAndRouteResponses() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/message-routes-template.yaml"));
        assertEquals(java.util.Set.of("$connect", "$disconnect", "sendmessage", "$default"),
                template.routes().stream().map(SamTemplate.Route::routeKey).collect(java.util.stream.Collectors.toSet()));
        assertEquals("SendMessageFunction", template.route("sendmessage").functionId());
        assertEquals("OnConnectFunction", template.route("$disconnect").functionId(), "two routes, one function");
        assertEquals(3, template.functions().size());
        assertEquals("sendmessage.zip", template.function("sendmessage").codeUri());
        assertEquals("$request.body.action", template.gatewaySettings().routeSelectionExpression());
        assertEquals(java.util.Set.of("sendmessage"), template.gatewaySettings().routeResponses(), "$default has no route response");
    }

    @Test
    void readsTheJwtAuthorizerOfOurTemplateOnlyWhenItIsOn() throws Exception {
        Path project = Path.of("../../sam.native.yaml");
        assertEquals(null, SamTemplate.read(project).authorizer());
        assertEquals(null, SamTemplate.read(project, Map.of("ConnectAuthorization", "AWS_IAM")).authorizer());
        SamTemplate jwt = SamTemplate.read(project, Map.of("ConnectAuthorization", "JWT"));
        assertEquals(new SamTemplate.Authorizer("AuthorizerFunction", java.util.List.of("route.request.querystring.token")),
                jwt.authorizer());
        SamTemplate.Function function = jwt.functions().get("AuthorizerFunction");
        assertEquals("authorize", function.environment().get("QUARKUS_LAMBDA_HANDLER"));
        assertEquals("", function.environment().get("JWT_ISSUER"), "bin/local gives it the local issuer");
        assertEquals(5, function.timeoutSeconds());
        assertEquals(java.util.List.of("route.request.header.Authorization"), SamTemplate.read(project,
                Map.of("ConnectAuthorization", "JWT", "JwtIdentitySource", "route.request.header.Authorization")).authorizer().identitySources());
    }

    @Test
    void ourTemplateHasItsTwoRoutesAndNoRouteResponse() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("../../sam.native.yaml"));
        assertEquals(2, template.routes().size());
        assertEquals("$request.body.action", template.gatewaySettings().routeSelectionExpression());
        assertEquals(java.util.Set.of(), template.gatewaySettings().routeResponses());
    }
}
