package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.WebSocketClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/local --template (SAM CLI's -t): a template of the user's own, in a folder of its own, whose CodeUri paths
 * are resolved from that folder as SAM resolves them, not from the project or the working folder; and the
 * standard endpoint variables every function gets.
 */
class RunLocalTemplateTest {

    // Answers {"statusCode":200,"body":"<ROUTE_NAME> <the two standard endpoint variables> <DYNAMODB_ENDPOINT>"}.
    private static final String BOOTSTRAP = ShellFunction.answering("""
            printf '{"statusCode":200,"body":"%s %s %s %s"}' "$ROUTE_NAME" "${AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI:-unset}" \\
                  "${AWS_ENDPOINT_URL_DYNAMODB:-unset}" "${DYNAMODB_ENDPOINT:-unset}\"""");

    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Test
    void bothSpellingsNameTheTemplate(@TempDir Path tmp) throws IOException {
        Path template = Files.writeString(tmp.resolve("my-api.yaml"), "Resources: {}\n");
        for (String option : List.of("-t", "--template")) {
            LocalOptions options = LocalOptions.parse(new String[] {option, template.toString()}, tmp.resolve("project"));
            assertEquals(template, options.template(), option);
        }
        assertEquals(tmp.resolve("project/sam.native.yaml"), LocalOptions.parse(new String[0], tmp.resolve("project")).template());
    }

    @Test
    void aTemplateInAFolderOfItsOwnRunsTheZipsBesideItWithTheStandardEndpointVariables(@TempDir Path tmp) throws Exception {
        Path api = Files.createDirectories(tmp.resolve("api"));
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path template = api.resolve("my-api.yaml");
        Files.copy(Path.of("src/test/resources/message-routes-template.yaml"), template);
        for (String zip : List.of("connect.zip", "sendmessage.zip", "default.zip")) {
            ShellFunction.zip(api.resolve(zip), BOOTSTRAP);
            // Where CodeUri was resolved from before: the project's folder. These must not run.
            ShellFunction.zip(project.resolve(zip), "#!/bin/sh\nexit 3\n");
        }
        // No --function: dev mode, which runs this project's code, has no part in a template whose $connect is a zip of its own.
        LocalOptions options = LocalOptions.parse(new String[] {"-t", template.toString(), "--port", "0", "--dynamodb-port", "0"},
                project);
        try (RunLocal local = RunLocal.start(options, lines::add)) {
            WebSocketClient client = WebSocketClient.open(HttpClient.newHttpClient(), local.url());
            client.socket.sendText("{\"action\":\"sendmessage\",\"data\":\"hi\"}", true);
            String endpoint = local.dynamo().endpoint().toString();
            assertEquals("sendmessage " + local.connectionsEndpoint() + " " + endpoint + " " + endpoint, client.nextText(),
                    "the gateway's @connections base and the local DynamoDB, in the variables the AWS SDKs read");
            assertEquals(local.url().toString().replace("ws://", "http://"), local.connectionsEndpoint().toString());
            assertTrue(local.environmentsFor("$connect") != null, "$connect runs from its zip, not in dev mode");

            String banner = ReadyBanner.of(local);
            assertTrue(banner.contains("sendmessage  curl -d @EVENT.json "), "no sample event of this template's: " + banner);
        } catch (AssertionError | Exception e) {
            lines.forEach(System.out::println);
            throw e;
        }
    }

    @Test
    void aRouteOfAConditionThatDoesNotHoldIsNotRun(@TempDir Path tmp) throws Exception {
        SamTemplate off = SamTemplate.read(Path.of("../../sam.native.yaml"));
        assertTrue(off.routes().stream().noneMatch(r -> r.routeKey().equals("sendmessage")), "SendMessageRoute is off by default");
        SamTemplate on = SamTemplate.read(Path.of("../../sam.native.yaml"), java.util.Map.of("SendMessageRoute", "true"));
        assertEquals("sendmessage", on.route("sendmessage").environment().get("QUARKUS_LAMBDA_HANDLER"));
        assertEquals("target/function.zip", on.function("sendmessage").codeUri());
        assertNull(on.function("sendmessage").reservedConcurrency());
    }
}
