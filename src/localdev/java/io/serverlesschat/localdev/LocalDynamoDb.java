package io.serverlesschat.localdev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A real DynamoDB-compatible server for tests and local runs, without Docker: the user's own when
 * DYNAMODB_ENDPOINT is set, otherwise a moto_server started here and stopped on close.
 * Shared by the function's tests and the developer tools (tools/), never part of function.zip.
 */
public final class LocalDynamoDb implements AutoCloseable {

    public static final String REGION = "eu-west-1";
    private static final Pattern LISTENING = Pattern.compile("Running on http://[^:]+:(\\d+)");

    private final URI endpoint;
    private final Path motoServer;
    private Process moto;
    private final DynamoDbClient client;

    private LocalDynamoDb(URI endpoint, Path motoServer, Process moto) {
        this.endpoint = endpoint;
        this.motoServer = motoServer;
        this.moto = moto;
        this.client = DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** The server named by DYNAMODB_ENDPOINT, or a new moto_server on a free port; fails saying what to install. */
    public static LocalDynamoDb start() {
        return start(0);
    }

    /** As {@link #start()}, with moto on {@code port} (0: any free port). */
    public static LocalDynamoDb start(int port) {
        String given = System.getenv("DYNAMODB_ENDPOINT");
        if (given != null && !given.isBlank()) {
            return new LocalDynamoDb(URI.create(given), null, null);
        }
        Path motoServer = findMotoServer();
        Process process = launchMoto(motoServer, port);
        port = awaitPort(process);
        return new LocalDynamoDb(URI.create("http://127.0.0.1:" + port), motoServer, process);
    }

    public URI endpoint() {
        return endpoint;
    }

    public DynamoDbClient client() {
        return client;
    }

    /** Creates a table as sam.native.yaml does (string hash key, on-demand, TTL enabled) unless it exists. */
    public void createTable(String name, String keyAttribute, String ttlAttribute) {
        try {
            client.describeTable(d -> d.tableName(name));
            return;
        } catch (ResourceNotFoundException absent) {
            // create it below
        }
        client.createTable(c -> c.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName(keyAttribute).attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName(keyAttribute).keyType(KeyType.HASH)));
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
        moto = launchMoto(motoServer, endpoint.getPort());
        awaitPort(moto);
    }

    public boolean ownsServer() {
        return moto != null;
    }

    @Override
    public void close() {
        client.close();
        if (moto != null) {
            stop();
        }
    }

    private static Path findMotoServer() {
        List<Path> candidates = new ArrayList<>();
        String explicit = System.getenv("MOTO_SERVER");
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank() && !dir.contains(".pyenv/shims")) {
                candidates.add(Path.of(dir, "moto_server"));
            }
        }
        Path home = Path.of(System.getProperty("user.home"));
        candidates.add(home.resolve(".local/bin/moto_server"));
        try (Stream<Path> versions = Files.list(home.resolve(".pyenv/versions"))) {
            versions.sorted().forEach(v -> candidates.add(v.resolve("bin/moto_server")));
        } catch (IOException noPyenv) {
            // not a pyenv machine
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "No DynamoDB-compatible server: moto_server was not found on PATH, in ~/.local/bin or ~/.pyenv. "
                        + "Install it with: pip install 'moto[server]' (or set MOTO_SERVER to its path), "
                        + "or point DYNAMODB_ENDPOINT at a running DynamoDB-compatible server."));
    }

    private static Process launchMoto(Path motoServer, int port) {
        try {
            return new ProcessBuilder(motoServer.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + motoServer + ": " + e.getMessage(), e);
        }
    }

    /** Reads moto's output until it says where it listens, then keeps draining it so moto never blocks. */
    private static int awaitPort(Process process) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    } else if (!port.isDone() && seen.length() < 4000) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
            port.completeExceptionally(new IllegalStateException("moto_server exited before listening:\n" + seen));
        }, "moto-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return port.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("moto_server did not start: " + e.getMessage(), e);
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
