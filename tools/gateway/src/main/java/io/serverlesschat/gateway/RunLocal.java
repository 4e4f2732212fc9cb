package io.serverlesschat.gateway;

import io.serverlesschat.local.FunctionLauncher;
import io.serverlesschat.local.FunctionProcess;
import io.serverlesschat.local.FunctionZip;
import io.serverlesschat.local.PackageBuild;
import io.serverlesschat.local.RuntimeApiServer;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * bin/local: the chat's connection tracking on a laptop. A local DynamoDB (moto) with the connections
 * table; each function that sam.native.yaml routes to, started as Lambda starts it (or, for $connect,
 * in Quarkus dev mode); and the local gateway in front, so a real WebSocket client can connect.
 */
public final class RunLocal implements AutoCloseable {

    /** How the functions run: $connect in dev mode (the rest from the JVM zip), all from the JVM zip, or native. */
    public enum Mode {
        DEV, ZIP, NATIVE
    }

    /** @param parameters sam.native.yaml's parameters to set, as a deploy's parameter overrides (--parameter) */
    public record Options(Path project, Mode mode, int gatewayPort, int dynamoPort, Map<String, String> parameters) {
        public Options(Path project, Mode mode, int gatewayPort, int dynamoPort) {
            this(project, mode, gatewayPort, dynamoPort, Map.of());
        }
    }

    static final String TABLE = "connections";
    // The function's item contract (Connection.CONNECTION_ID / EXPIRES_AT in the function's code).
    static final String KEY_ATTRIBUTE = "connectionId";
    static final String TTL_ATTRIBUTE = "expiresAt";
    static final int DEV_MODE_PORT = 8080;

    private final Consumer<String> log;
    // Stopped in this order: the gateway (its $disconnect events still reach the functions), the
    // functions, their Runtime APIs, DynamoDB.
    private LocalGateway gateway;
    private final List<AutoCloseable> functions = new ArrayList<>();
    private final List<RuntimeApiServer> runtimeApis = new ArrayList<>();
    private LocalDynamoDb dynamo;

    private RunLocal(Consumer<String> log) {
        this.log = log;
    }

    public static RunLocal start(Options options, Consumer<String> log) throws Exception {
        RunLocal local = new RunLocal(log);
        try {
            local.startAll(options);
            return local;
        } catch (Exception | Error e) {
            local.close();
            throw e;
        }
    }

    public URI url() {
        return gateway.url();
    }

    public LocalDynamoDb dynamo() {
        return dynamo;
    }

    private void startAll(Options options) throws Exception {
        Path project = options.project();
        SamTemplate template = SamTemplate.read(project.resolve("sam.native.yaml"), options.parameters());
        dynamo = LocalDynamoDb.start(options.dynamoPort());
        dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE);

        // The zip is built (when stale) before dev mode starts: both would write to target/.
        Predicate<SamTemplate.Route> inDevMode = route -> options.mode() == Mode.DEV && route.routeKey().equals("$connect");
        FunctionZip zip = null;
        Path taskRoot = null;
        if (!template.routes().stream().allMatch(inDevMode)) {
            zip = functionZip(project, options.mode());
            taskRoot = zip.unpack(project.resolve("target/local/task"));
        }
        Map<String, FunctionEndpoint> endpoints = new LinkedHashMap<>();
        for (SamTemplate.Route route : template.routes()) {
            Map<String, String> env = new LinkedHashMap<>(route.environment());
            env.put("TABLE_NAME", TABLE);
            env.put("DYNAMODB_ENDPOINT", dynamo.endpoint().toString());
            endpoints.put(route.routeKey(), inDevMode.test(route)
                    ? devMode(project, env)
                    : launch(route, zip.kind(), taskRoot, env));
        }
        gateway = new LocalGateway(template.stage(), template.throttling(), endpoints, log).start(options.gatewayPort());
    }

    /** target/function.zip: the JVM zip, rebuilt when stale, or the native zip as it is. */
    private FunctionZip functionZip(Path project, Mode mode) {
        PackageBuild build = PackageBuild.function(project);
        Path zip = build.zip();
        if (mode == Mode.NATIVE) {
            if (!Files.isRegularFile(zip) || FunctionZip.open(zip).kind() != FunctionZip.Kind.NATIVE) {
                throw new IllegalStateException("--function native needs a native target/function.zip: ./mvnw package -Pnative");
            }
        } else if (build.stale() || FunctionZip.open(zip).kind() != FunctionZip.Kind.JVM) {
            log.accept("building the JVM function.zip: " + build.describe());
            build.build();
        }
        return FunctionZip.open(zip);
    }

    private FunctionEndpoint launch(SamTemplate.Route route, FunctionZip.Kind kind, Path taskRoot, Map<String, String> env)
            throws IOException {
        RuntimeApiServer api = RuntimeApiServer.startOnFreePort(route.functionId());
        runtimeApis.add(api);
        FunctionLauncher launcher = FunctionLauncher.of(kind, taskRoot)
                .runtimeApi(api.runtimeApiAddress())
                .functionName(route.functionId())
                .memoryMb(256) // MemorySize in sam.native.yaml; it sizes the JVM heap as on Lambda
                .region(LocalDynamoDb.REGION)
                .output(log(route.functionId()));
        env.forEach(launcher::env);
        FunctionProcess function = launcher.start();
        functions.add(() -> function.stop(Duration.ofSeconds(2)));
        follow(function.output(), route.functionId());
        log.accept(String.format("%-12s %s: started from function.zip (pid %d)", route.routeKey(), route.functionId(), function.pid()));
        return new FunctionEndpoint(api.eventsUri());
    }

    private static Path log(String functionId) throws IOException {
        Path file = Files.createTempFile(functionId + "-", ".log");
        file.toFile().deleteOnExit();
        return file;
    }

    /** The function in Quarkus dev mode (live reload), its own mock event server on port 8080. */
    private FunctionEndpoint devMode(Path project, Map<String, String> env) throws Exception {
        if (listening(DEV_MODE_PORT)) {
            throw new IllegalStateException("port " + DEV_MODE_PORT + " is taken: stop what runs there (another dev mode?)"
                    + " or use --function zip");
        }
        ProcessBuilder builder = new ProcessBuilder(project.resolve("mvnw").toString(), "quarkus:dev",
                "-Dquarkus.analytics.disabled=true")
                .directory(project.toFile())
                .inheritIO();
        builder.environment().putAll(env);
        builder.environment().put("AWS_REGION", LocalDynamoDb.REGION);
        Process process = builder.start();
        functions.add(() -> {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        });
        log.accept("$connect     Quarkus dev mode: waiting for it on localhost:" + DEV_MODE_PORT + " ...");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!listening(DEV_MODE_PORT)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Quarkus dev mode did not start (see its output above)");
            }
            Thread.sleep(500);
        }
        return new FunctionEndpoint(URI.create("http://localhost:" + DEV_MODE_PORT + "/_lambda_"));
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Echoes a function's log file to this console, each line prefixed with the function's name. */
    private void follow(Path file, String name) {
        Thread tail = new Thread(() -> {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                while (!Thread.currentThread().isInterrupted()) {
                    String line = in.readLine();
                    if (line == null) {
                        Thread.sleep(200);
                    } else {
                        log.accept("[" + name + "] " + new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the function is gone
            }
        }, "tail-" + name);
        tail.setDaemon(true);
        tail.start();
    }

    @Override
    public void close() {
        List<AutoCloseable> parts = new ArrayList<>();
        parts.add(gateway);
        parts.addAll(functions);
        parts.addAll(runtimeApis);
        parts.add(dynamo);
        for (AutoCloseable part : parts) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                log.accept("while stopping: " + e);
            }
        }
        gateway = null;
        functions.clear();
        runtimeApis.clear();
        dynamo = null;
    }

    public static void main(String[] args) throws Exception {
        Path project = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath().normalize();
        Mode mode = Mode.DEV;
        int gatewayPort = LocalGateway.DEFAULT_PORT;
        int dynamoPort = 8000;
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--function" -> mode = Mode.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--port" -> gatewayPort = Integer.parseInt(args[++i]);
                case "--dynamodb-port" -> dynamoPort = Integer.parseInt(args[++i]);
                case "--parameter" -> {
                    String[] pair = args[++i].split("=", 2);
                    if (pair.length != 2) {
                        throw new IllegalArgumentException("--parameter takes Name=Value, e.g. AllowedOrigins=http://localhost:8081");
                    }
                    parameters.put(pair[0], pair[1]);
                }
                case "-h", "--help" -> {
                    System.out.println("""
                            usage: bin/local [--function dev|zip|native] [--port 3001] [--dynamodb-port 8000] [--parameter Name=Value]...
                              --function dev     $connect in Quarkus dev mode (live reload, curl on :8080), other routes from the JVM zip (default)
                              --function zip     every function from target/function.zip (JVM), as Lambda's Java runtime runs it
                              --function native  every function from the native target/function.zip's bootstrap
                              port 0 picks a free port
                              --parameter        a sam.native.yaml parameter, as on deploy (AllowedOrigins=..., ThrottlingRateLimit=...)""");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }
        RunLocal local = start(new Options(project, mode, gatewayPort, dynamoPort, parameters), System.out::println);
        Runtime.getRuntime().addShutdownHook(new Thread(local::close));
        String endpoint = local.dynamo().endpoint().toString();
        System.out.printf("""

                Ready. WebSocket API: %s   (Ctrl-C stops everything)

                Connect:    npx wscat -c %s
                            or in a browser console: ws = new WebSocket("%s")
                See it:     AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb scan --table-name %s --endpoint-url %s --region %s
                Disconnect: Ctrl-C in wscat (or ws.close()), then scan again: the item is gone.
                %s
                """, local.url(), local.url(), local.url(), TABLE, endpoint, LocalDynamoDb.REGION,
                mode == Mode.DEV ? "Dev mode also takes events directly: curl -d @src/test/resources/events/connect.json localhost:8080\n" : "");
        Thread.currentThread().join();
    }
}
