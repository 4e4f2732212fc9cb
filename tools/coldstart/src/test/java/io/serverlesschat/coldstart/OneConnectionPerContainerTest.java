package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.localdev.LocalDynamoDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One TLS connection per container: the function's own JVM function.zip, on AWS's runtime interface client as
 * the benchmark runs it, against the benchmark's HTTPS endpoint that keeps connections open (DynamoDB's way).
 * From exec to the first $connect's answer the endpoint accepts exactly one connection, opened in init by
 * priming, and the first $connect opens none of its own. The controls show that the count tells the cases
 * apart: without priming the first $connect opens it; against an endpoint that closes each connection (moto's
 * way) it takes two. And verification stays on: a chain the trust store does not hold, or a certificate for
 * another host, is refused.
 */
class OneConnectionPerContainerTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    static Path work;
    private static Target connect;
    private static LocalDynamoDb dynamo;
    private static ConnectEvents events;

    @BeforeAll
    static void buildAndUnpack() {
        connect = JvmFunctionZip.target(PROJECT, Target.CONNECT, work.resolve("task"));
        dynamo = LocalDynamoDb.start();
        dynamo.createTable(LocalColdStart.TABLE, "connectionId", "expiresAt");
        events = new ConnectEvents(PROJECT.resolve("src/test/resources/events/connect.json"));
    }

    @AfterAll
    static void stop() {
        dynamo.close();
    }

    /**
     * One unthrottled cold start against {@code access}, with {@code setup} applied to the function's environment.
     * Priming gets 10 s instead of 1 s: on a busy machine a cold JVM may take longer than 1 s to handle the answer,
     * and priming then gives up its connection (the first write finishes the work, ConnectionTablePrimingTest);
     * this test is about whether a finished priming's connection is reused.
     */
    private static Variant.Run coldStart(DynamoDbAccess access, String name, UnaryOperator<LocalColdStart> setup) {
        LocalColdStart coldStart = setup.apply(new LocalColdStart(access, events,
                id -> dynamo.client().getItem(g -> g.tableName(LocalColdStart.TABLE)
                        .key(Map.of("connectionId", AttributeValue.fromS(id)))).hasItem(),
                null, Duration.ofSeconds(90)).env("DYNAMODB_PRIMING_TIMEOUT", "10s"));
        return coldStart.run(connect, new LambdaLimits(256, false, LambdaLimits.InitCpu.BURST), List.of(), 1, false,
                work.resolve(name + ".log"));
    }

    private static DynamoDbAccess keptOpen(String name) {
        return DynamoDbAccess.https(dynamo.endpoint(), work.resolve(name));
    }

    private static double connections(Variant.Run run, Figure phase) {
        return run.figures().get(phase.key());
    }

    @Test
    void primingOpensTheOneConnectionAndTheFirstConnectReusesIt() {
        try (DynamoDbAccess access = keptOpen("primed")) {
            Variant.Run run = coldStart(access, "primed", UnaryOperator.identity());
            assertTrue(run.ok(), run.error());
            assertEquals(1, connections(run, Figure.INIT_CONNECTIONS), "priming opened one connection in init: " + run.figures());
            assertEquals(0, connections(run, Figure.INVOCATION_CONNECTIONS),
                    "the first $connect reused priming's connection: " + run.figures());
        }
    }

    @Test
    void withoutPrimingTheFirstConnectOpensTheConnectionItself() {
        try (DynamoDbAccess access = keptOpen("unprimed")) {
            Variant.Run run = coldStart(access, "unprimed", c -> c.env("DYNAMODB_PRIMING", "false"));
            assertTrue(run.ok(), run.error());
            assertEquals(0, connections(run, Figure.INIT_CONNECTIONS), run.figures().toString());
            assertEquals(1, connections(run, Figure.INVOCATION_CONNECTIONS), run.figures().toString());
        }
    }

    @Test
    void anEndpointThatClosesEachConnectionAsMotoDoesCostsTheFirstConnectASecond() {
        TlsChain chain = TlsChain.forLocalhost();
        try (DynamoDbAccess access = DynamoDbAccess.https(dynamo.endpoint(), work.resolve("closing"), chain, chain.root(), false)) {
            Variant.Run run = coldStart(access, "closing", UnaryOperator.identity());
            assertTrue(run.ok(), run.error());
            assertEquals(1, connections(run, Figure.INIT_CONNECTIONS), run.figures().toString());
            assertEquals(1, connections(run, Figure.INVOCATION_CONNECTIONS), run.figures().toString());
        }
    }

    @Test
    void aChainTheTrustStoreDoesNotHoldIsRefused() throws Exception {
        TlsChain served = TlsChain.forLocalhost();
        TlsChain trusted = TlsChain.forLocalhost();
        try (DynamoDbAccess access = DynamoDbAccess.https(dynamo.endpoint(), work.resolve("untrusted"), served, trusted.root(), true)) {
            Variant.Run run = coldStart(access, "untrusted", UnaryOperator.identity());
            assertFalse(run.ok(), "the function must not write through an untrusted chain");
            assertEquals("the function answered statusCode 500", run.error());
            String log = Files.readString(work.resolve("untrusted.log"));
            assertTrue(log.contains("PKIX path validation failed"), log);
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        TlsChain otherHost = TlsChain.create("dynamodb.example.com");
        try (DynamoDbAccess access = DynamoDbAccess.https(dynamo.endpoint(), work.resolve("wrong-host"), otherHost, otherHost.root(), true)) {
            Variant.Run run = coldStart(access, "wrong-host", UnaryOperator.identity());
            assertFalse(run.ok(), "the function must not write to an endpoint whose certificate names another host");
            assertEquals("the function answered statusCode 500", run.error());
            String log = Files.readString(work.resolve("wrong-host.log"));
            assertTrue(log.contains("No subject alternative DNS name matching localhost"), log);
        }
    }
}
