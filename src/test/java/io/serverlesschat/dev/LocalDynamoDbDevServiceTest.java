package io.serverlesschat.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.localdev.SetupFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * What dev mode does before its first event (the bean runs only in dev mode; here its work is called
 * directly): a real moto_server started at a free dev endpoint, the table created with its TTL, and one
 * line for each case, including those it cannot fix.
 */
class LocalDynamoDbDevServiceTest {

    private static final String TABLE = "connections";
    private final List<Integer> ports = new ArrayList<>();

    @AfterEach
    void stopTheMotoServersStartedHere() {
        ports.forEach(port -> motoServersOn(port).forEach(ProcessHandle::destroy));
    }

    @Test
    void startsMotoWhereNothingAnswersCreatesTheTableWithTtlAndReusesBoth() throws IOException {
        URI endpoint = URI.create("http://localhost:" + freePort());
        String first;
        try {
            first = LocalDynamoDbDevService.prepare(endpoint, TABLE);
        } catch (SetupFailure noMoto) {
            Assumptions.assumeTrue(System.getenv("DYNAMODB_ENDPOINT") == null,
                    "SKIPPED: starting moto needs moto_server, which DYNAMODB_ENDPOINT users may not have: " + noMoto.getMessage());
            throw noMoto;
        }
        assertEquals("nothing answered at " + endpoint + ", so moto_server was started there (it stops with dev mode);"
                + " created table connections (key connectionId, TTL on expiresAt, index byUser)", first);
        try (LocalDynamoDb dynamo = LocalDynamoDb.at(endpoint)) {
            assertEquals(List.of(KeySchemaElement.builder().attributeName("connectionId").keyType("HASH").build()),
                    dynamo.client().describeTable(d -> d.tableName(TABLE)).table().keySchema());
            var ttl = dynamo.client().describeTimeToLive(d -> d.tableName(TABLE)).timeToLiveDescription();
            assertEquals("expiresAt", ttl.attributeName());
            assertEquals(TimeToLiveStatus.ENABLED, ttl.timeToLiveStatus());
            assertEquals(List.of("byUser"), dynamo.client().describeTable(d -> d.tableName(TABLE)).table().globalSecondaryIndexes()
                    .stream().map(i -> i.indexName()).toList(), "the index of a user's connections, as on AWS");

            // A live reload finds both.
            assertEquals(endpoint + " answers; table connections is there", LocalDynamoDbDevService.prepare(endpoint, TABLE));

            dynamo.deleteTable(TABLE);
            assertEquals(endpoint + " answers; created table connections (key connectionId, TTL on expiresAt, index byUser)",
                    LocalDynamoDbDevService.prepare(endpoint, TABLE));
        }
    }

    @Test
    void namesDynamoDbEndpointWhenAnotherProgramHasThePort() throws IOException {
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        other.start();
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + other.getAddress().getPort());
            SetupFailure failure = assertThrows(SetupFailure.class, () -> LocalDynamoDbDevService.prepare(endpoint, TABLE));
            assertEquals(endpoint + " answers, but not as DynamoDB (another program on that port?): set DYNAMODB_ENDPOINT"
                    + " to a free local port, e.g. http://localhost:5001", failure.getMessage());
        } finally {
            other.stop(0);
        }
    }

    @Test
    void neverStartsMotoForAnEndpointOnAnotherMachine() {
        // TEST-NET-1 (RFC 5737): nothing answers there.
        URI endpoint = URI.create("http://192.0.2.1:5000");
        SetupFailure failure = assertThrows(SetupFailure.class, () -> LocalDynamoDbDevService.prepare(endpoint, TABLE));
        assertTrue(failure.getMessage().startsWith("nothing answers at http://192.0.2.1:5000: start DynamoDB there, or set"
                + " DYNAMODB_ENDPOINT"), failure.getMessage());
        assertEquals(List.of(), motoServersOn(5000));
    }

    /** The moto_servers this JVM started on {@code port} (test resources run others in this JVM). */
    private static List<ProcessHandle> motoServersOn(int port) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").matches(".*moto_server.* -p " + port))
                .toList();
    }

    private int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            ports.add(socket.getLocalPort());
            return socket.getLocalPort();
        }
    }
}
