package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.localdev.LocalDynamoDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorizer's cold start as the bench runs it (--route authorize), one real JVM cold start of function.zip's
 * authorize route: it fetches the local issuer's key set over HTTPS in its init, checks the event's token and
 * allows it. The control: a key set served with a chain the function's trust store does not hold is not fetched,
 * and the run fails.
 */
class AuthorizerColdStartTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    static Path work;
    private static Target authorize;
    private static LocalDynamoDb dynamo;

    @BeforeAll
    static void buildAndUnpack() {
        authorize = JvmFunctionZip.target(PROJECT, Target.AUTHORIZE, work.resolve("task"));
        dynamo = LocalDynamoDb.start();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
    }

    private static Variant.Run coldStart(DynamoDbAccess access, BenchIssuer issuer, String name) {
        LocalColdStart coldStart = new LocalColdStart(access, new ConnectEvents(PROJECT.resolve("src/test/resources/events/connect.json")),
                id -> false, null, Duration.ofSeconds(90))
                .authorizer(issuer, new ConnectEvents(PROJECT.resolve("src/test/resources/events/authorizer-connect.json")));
        return coldStart.run(authorize, new LambdaLimits(256, false, LambdaLimits.InitCpu.BURST), List.of(), 1, false,
                work.resolve(name + ".log"));
    }

    @Test
    void theAuthorizerFetchesTheKeySetInInitAndAllowsTheToken() throws Exception {
        try (DynamoDbAccess access = DynamoDbAccess.https(dynamo.endpoint(), work.resolve("allowed"));
                BenchIssuer issuer = BenchIssuer.start(access.serverContext().orElseThrow())) {
            assertEquals("https", issuer.keySetUrl().getScheme());
            Variant.Run run = coldStart(access, issuer, "allowed");
            assertTrue(run.ok(), run.error());
            assertEquals(200, run.status(), "the policy is Allow");
            assertEquals(1, issuer.fetches(), "one key set fetch per cold start");
            String log = Files.readString(work.resolve("allowed.log"));
            assertTrue(log.contains("1 signature key(s), fetched in"), "fetched in init: " + log);
            assertFalse(log.contains(issuer.token("x").substring(0, 20)), "no token in the log");
        }
    }

    @Test
    void aKeySetBehindAChainTheFunctionDoesNotTrustFailsTheRun() throws Exception {
        try (DynamoDbAccess access = DynamoDbAccess.https(dynamo.endpoint(), work.resolve("untrusted"));
                BenchIssuer issuer = BenchIssuer.start(TlsChain.forLocalhost().serverContext())) {
            Variant.Run run = coldStart(access, issuer, "untrusted");
            assertFalse(run.ok(), "a key set over an untrusted chain must not be used");
            String log = Files.readString(work.resolve("untrusted.log"));
            assertTrue(log.contains("Key set not fetched at start-up"), log);
        }
    }

    @Test
    void aDenyIsNotCountedAsAnAnswerOf200() {
        assertEquals(200, LocalColdStart.authorizerStatus("{\"principalId\":\"u\",\"policyDocument\":{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Action\":\"execute-api:Invoke\",\"Effect\":\"Allow\",\"Resource\":\"arn\"}]}}"));
        assertEquals(403, LocalColdStart.authorizerStatus("{\"principalId\":\"u\",\"policyDocument\":{\"Statement\":[{\"Effect\":\"Deny\"}]}}"));
        assertEquals(null, LocalColdStart.authorizerStatus("{\"errorMessage\":\"Unauthorized\"}"));
    }
}
