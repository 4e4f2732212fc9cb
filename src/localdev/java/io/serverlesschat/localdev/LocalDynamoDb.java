package io.serverlesschat.localdev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A real DynamoDB-compatible server for tests and local runs, without Docker: the user's own when
 * DYNAMODB_ENDPOINT is set, otherwise a moto_server started here and stopped on close.
 * Shared by the function's tests, its dev mode (src/dev) and the developer tools (tools/); never part
 * of function.zip. Expected failures (no moto_server, a dead DYNAMODB_ENDPOINT) are {@link SetupFailure}s.
 */
public final class LocalDynamoDb implements AutoCloseable {

    public static final String REGION = "eu-west-1";
    private static final Pattern LISTENING = Pattern.compile("Running on http://[^:]+:(\\d+)");

    private final URI endpoint;
    private final Path motoServer;
    private final boolean outlivesCtrlC;
    private volatile Process moto;
    private final DynamoDbClient client;

    /** What answers at an endpoint: see {@link #probe}. */
    public enum Answer {
        /** A DynamoDB-compatible server. */
        DYNAMODB,
        /** Something listens there but does not speak DynamoDB's API. */
        SOMETHING_ELSE,
        /** Nothing listens there (or the host is unknown). */
        NOTHING
    }

    private LocalDynamoDb(URI endpoint, Path motoServer, boolean outlivesCtrlC, Process moto) {
        this.endpoint = endpoint;
        this.motoServer = motoServer;
        this.outlivesCtrlC = outlivesCtrlC;
        this.moto = moto;
        this.client = client(endpoint).build();
    }

    /** The server named by DYNAMODB_ENDPOINT, or a new moto_server on a free port; fails saying what to install. */
    public static LocalDynamoDb start() {
        return start(0);
    }

    /** As {@link #start()}, with moto on {@code port} (0: any free port). */
    public static LocalDynamoDb start(int port) {
        return start(port, false);
    }

    /**
     * As {@link #start(int)}; with {@code outlivesCtrlC}, a moto started here ignores the terminal's
     * Ctrl-C ({@link CtrlC}) and stops only on {@link #close()}, so a tool can still use it while it shuts down.
     */
    public static LocalDynamoDb start(int port, boolean outlivesCtrlC) {
        String given = System.getenv("DYNAMODB_ENDPOINT");
        if (given != null && !given.isBlank()) {
            requireAnswer(given);
            return at(URI.create(given));
        }
        return startMoto(port, outlivesCtrlC);
    }

    /**
     * Fails as {@link #start()} would, without starting anything: no DynamoDB at DYNAMODB_ENDPOINT, or (without it)
     * no moto_server to start. For callers that must report the failure before a framework wraps it.
     */
    public static void requireAvailable() {
        String given = System.getenv("DYNAMODB_ENDPOINT");
        if (given != null && !given.isBlank()) {
            requireAnswer(given);
        } else {
            findMotoServer();
        }
    }

    private static void requireAnswer(String given) {
        if (probe(URI.create(given)) != Answer.DYNAMODB) {
            throw new SetupFailure("no DynamoDB answers at " + given + " (DYNAMODB_ENDPOINT): start it there,"
                    + " or unset DYNAMODB_ENDPOINT to have a moto_server started for you");
        }
    }

    /** The DynamoDB-compatible server someone else runs at {@code endpoint}; close() leaves it running. */
    public static LocalDynamoDb at(URI endpoint) {
        return new LocalDynamoDb(endpoint, null, false, null);
    }

    /** A new moto_server on 127.0.0.1:{@code port} (0: any free port), whatever DYNAMODB_ENDPOINT says. */
    public static LocalDynamoDb startMoto(int port) {
        return startMoto(port, false);
    }

    private static LocalDynamoDb startMoto(int port, boolean outlivesCtrlC) {
        if (port != 0 && listening(URI.create("http://127.0.0.1:" + port))) {
            throw new SetupFailure("port " + port + " is taken, so moto_server cannot listen there: stop what runs"
                    + " there or choose another port");
        }
        Path motoServer = findMotoServer();
        Process process = launchMoto(motoServer, port, outlivesCtrlC);
        port = awaitPort(process, motoServer);
        return new LocalDynamoDb(URI.create("http://127.0.0.1:" + port), motoServer, outlivesCtrlC, process);
    }

    /** Whether a DynamoDB-compatible server answers at {@code endpoint}, within about two seconds. */
    public static Answer probe(URI endpoint) {
        if (!listening(endpoint)) {
            return Answer.NOTHING;
        }
        try (DynamoDbClient probe = client(endpoint)
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(2)).retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            probe.listTables(l -> l.limit(1));
            return Answer.DYNAMODB;
        } catch (SdkException notDynamoDb) {
            return Answer.SOMETHING_ELSE;
        }
    }

    /** Whether {@code localhost}, {@code 127.0.0.1} or {@code ::1} is the endpoint's host: a server we may start. */
    public static boolean isLoopback(URI endpoint) {
        String host = endpoint.getHost();
        return host != null && List.of("localhost", "127.0.0.1", "[::1]", "::1").contains(host.toLowerCase(Locale.ROOT));
    }

    private static boolean listening(URI endpoint) {
        int port = endpoint.getPort() != -1 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), port), 500);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static DynamoDbClientBuilder client(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create());
    }

    public URI endpoint() {
        return endpoint;
    }

    public DynamoDbClient client() {
        return client;
    }

    public boolean tableExists(String name) {
        try {
            client.describeTable(d -> d.tableName(name));
            return true;
        } catch (ResourceNotFoundException absent) {
            return false;
        }
    }

    /**
     * A global secondary index as sam.native.yaml declares one: a string hash key, a number range key, and
     * the other attributes it projects.
     */
    public record Index(String name, String hashKey, String rangeKey, List<String> projected) {
    }

    /**
     * sam.native.yaml's byUser index: every connection of a user (the JWT authorizer's userId), oldest first,
     * with what a post to @connections needs. The names are the function's item attributes (Connection).
     */
    public static final Index BY_USER = new Index("byUser", "userId", "connectedAt", List.of("domainName", "stage", "expiresAt"));

    /** Creates a table as sam.native.yaml does (string hash key, on-demand, TTL enabled) unless it exists. */
    public void createTable(String name, String keyAttribute, String ttlAttribute) {
        createTable(name, keyAttribute, ttlAttribute, List.of());
    }

    /** As {@link #createTable(String, String, String)}, with the table's global secondary indexes. */
    public void createTable(String name, String keyAttribute, String ttlAttribute, List<Index> indexes) {
        if (tableExists(name)) {
            return;
        }
        List<AttributeDefinition> attributes = new ArrayList<>(List.of(AttributeDefinition.builder()
                .attributeName(keyAttribute).attributeType(ScalarAttributeType.S).build()));
        for (Index index : indexes) {
            attributes.add(AttributeDefinition.builder().attributeName(index.hashKey()).attributeType(ScalarAttributeType.S).build());
            attributes.add(AttributeDefinition.builder().attributeName(index.rangeKey()).attributeType(ScalarAttributeType.N).build());
        }
        client.createTable(c -> c.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes)
                .keySchema(k -> k.attributeName(keyAttribute).keyType(KeyType.HASH))
                .globalSecondaryIndexes(indexes.isEmpty() ? null : indexes.stream().map(index -> GlobalSecondaryIndex.builder()
                        .indexName(index.name())
                        .keySchema(k -> k.attributeName(index.hashKey()).keyType(KeyType.HASH),
                                k -> k.attributeName(index.rangeKey()).keyType(KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.INCLUDE).nonKeyAttributes(index.projected()))
                        .build()).toList()));
        // The SDK's waiter polls every 20 s; a local server is ready within milliseconds.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.describeTable(d -> d.tableName(name)).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("table " + name + " did not become ACTIVE within 10 s");
            }
            sleep(20);
        }
        client.updateTimeToLive(t -> t.tableName(name)
                .timeToLiveSpecification(s -> s.attributeName(ttlAttribute).enabled(true)));
    }

    public void deleteTable(String name) {
        client.deleteTable(d -> d.tableName(name));
    }

    /** Stops the moto server this class started; {@link #restart()} brings it back on the same port. */
    public void stop() {
        if (moto == null) {
            throw new IllegalStateException("DYNAMODB_ENDPOINT names a server this test does not own; it cannot stop it");
        }
        moto.destroy();
        try {
            if (!moto.waitFor(5, TimeUnit.SECONDS)) {
                moto.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts moto again on the same port, empty, as after a DynamoDB outage. */
    public void restart() {
        moto = launchMoto(motoServer, endpoint.getPort(), outlivesCtrlC);
        awaitPort(moto, motoServer);
    }

    public boolean ownsServer() {
        return moto != null;
    }

    /** The moto_server process this class started (the current one after a {@link #restart()}), or null. */
    public Process motoProcess() {
        return moto;
    }

    /** Closes the client but leaves the moto_server this class started running: its process is the caller's now. */
    public Process detach() {
        Process process = moto;
        moto = null;
        client.close();
        return process;
    }

    @Override
    public void close() {
        client.close();
        if (moto != null) {
            stop();
        }
    }

    private static Path findMotoServer() {
        try {
            return MotoServer.find(System.getenv()).orElseThrow(() -> new SetupFailure(MotoServer.MISSING));
        } catch (IllegalArgumentException badSetting) {
            throw new SetupFailure(badSetting.getMessage());
        }
    }

    private static Process launchMoto(Path motoServer, int port, boolean outlivesCtrlC) {
        List<String> command = List.of(motoServer.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port));
        try {
            return new ProcessBuilder(outlivesCtrlC ? CtrlC.ignoredBy(command) : command)
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new SetupFailure("cannot run " + motoServer + " (" + e.getMessage() + "): reinstall it"
                    + " (pip install 'moto[server]') or set MOTO_SERVER to a working one");
        }
    }

    /** Reads moto's output until it says where it listens, then keeps draining it so moto never blocks. */
    private static int awaitPort(Process process, Path motoServer) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> seen = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    } else if (!port.isDone() && !line.isBlank()) {
                        seen.add(line.strip());
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
            // moto's last words say why (its Python traceback ends with the error).
            port.completeExceptionally(new SetupFailure(motoServer + " exited before listening"
                    + (seen.isEmpty() ? "" : ": " + seen.get(seen.size() - 1))));
        }, "moto-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return port.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            process.destroyForcibly();
            throw (SetupFailure) e.getCause();
        } catch (TimeoutException | InterruptedException e) {
            process.destroyForcibly();
            throw new SetupFailure(motoServer + " did not say where it listens within 30 s");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
