package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.Limits;
import io.serverlesschat.apigateway.LocalGateway;
import io.serverlesschat.apigateway.SigV4Handshake;
import io.serverlesschat.lambda.EnvironmentPool;
import io.serverlesschat.lambda.FunctionLauncher;
import io.serverlesschat.lambda.HttpFunction;
import io.serverlesschat.lambda.InvokeEndpoint;
import io.serverlesschat.lambda.LambdaFunction;
import io.serverlesschat.lambda.ZipExecutionEnvironment;
import io.serverlesschat.localdev.CtrlC;
import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.localdev.SetupFailure;
import io.serverlesschat.runlocal.LocalOptions.Mode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The chat's connection tracking on a laptop, as bin/local starts it: a local DynamoDB (moto) with the
 * connections table; each function that sam.native.yaml routes to, run in execution environments as
 * Lambda runs it ({@link EnvironmentPool}: started on demand up to a limit, reused) or, for $connect, in
 * Quarkus dev mode ({@link DevModeFunction}, reached as an {@link HttpFunction}); and the local gateway in
 * front ({@link LocalGateway}, with the template's settings and $connect's authorizer, {@link LocalAuthorizer}),
 * so a real WebSocket client can connect. The
 * gateway calls each route's function directly; an Invoke endpoint per zip function serves the Ready
 * banner's curl lines. Each function's first environment passes its init before {@link #start}
 * returns, so a function that cannot start stops bin/local with one line. moto and dev mode are kept
 * running ({@link Supervised}): when one exits, one line says so and a new one is started. Every child
 * ignores a terminal's Ctrl-C ({@link CtrlC}): they are stopped by {@link #close()}, after the gateway
 * delivered its $disconnects.
 */
public final class RunLocal implements AutoCloseable {

    static final String TABLE = "connections";
    // The function's item contract (Connection.CONNECTION_ID / EXPIRES_AT in the function's code).
    static final String KEY_ATTRIBUTE = "connectionId";
    static final String TTL_ATTRIBUTE = "expiresAt";

    private final LocalOptions options;
    private final Consumer<String> log;
    private final FunctionLogs functionLogs;
    private final FunctionPackages packages;
    private volatile boolean closing;
    // Stopped in this order: the gateway (its $disconnect events still reach the functions), the
    // functions, DynamoDB.
    private LocalGateway gateway;
    private final Map<String, EnvironmentPool> environments = new LinkedHashMap<>();
    private final List<InvokeEndpoint> invokeEndpoints = new ArrayList<>();
    private Supervised devMode;
    private LocalAuthorizer authorizer;
    /** Where a curl reaches each route's function: its Invoke endpoint, or dev mode's event server. */
    private final Map<String, URI> events = new LinkedHashMap<>();
    /** Each route's function. */
    private final Map<String, String> functionOf = new LinkedHashMap<>();
    private LocalDynamoDb dynamo;
    private Supervised moto;
    /** What every function is told about the local services. */
    private LocalEndpoints endpoints;
    /** ConnectAuthorization=AWS_IAM's check of the handshakes; null when the template does not ask for one. */
    private SigV4Handshake signedConnects;

    private RunLocal(LocalOptions options, Consumer<String> log) {
        this.options = options;
        this.log = log;
        this.functionLogs = new FunctionLogs(log, options.rawLogs());
        this.packages = new FunctionPackages(options, log);
    }

    /**
     * Starts everything.
     *
     * @throws SetupFailure              what stops it, in one line that names the fix
     * @throws SamTemplate.BadParameter  a --parameter the template refuses
     */
    public static RunLocal start(LocalOptions options, Consumer<String> log) throws Exception {
        RunLocal local = new RunLocal(options, log);
        try {
            local.startAll();
            return local;
        } catch (Exception | Error e) {
            // The failure is one line; what the other functions write as they are stopped half-started (Quarkus'
            // shutdown errors among it) stays in their log files.
            local.functionLogs.quiet();
            local.close();
            throw e;
        }
    }

    /** The project bin/local belongs to (its target/ holds the zip and the logs). */
    public Path project() {
        return options.project();
    }

    public URI url() {
        return gateway.url();
    }

    /** The gateway's idle timeout and maximum connection duration. */
    public Limits limits() {
        return options.limits();
    }

    /** Whether $connect takes SigV4-signed handshakes only (ConnectAuthorization=AWS_IAM). */
    public boolean signedConnectsOnly() {
        return signedConnects != null;
    }

    /** What the AWS CLI and SDKs take as the @connections API's endpoint (--endpoint-url). */
    public URI connectionsEndpoint() {
        return gateway.connectionsEndpoint();
    }

    /** $connect's authorizer, or null when the template has none (ConnectAuthorization is not JWT). */
    LocalAuthorizer authorizer() {
        return authorizer;
    }

    public LocalDynamoDb dynamo() {
        return dynamo;
    }

    /** The API's route selection expression, as the template sets it. */
    public String routeSelectionExpression() {
        return gateway.settings().routeSelectionExpression();
    }

    /** Where each route's function takes events POSTed directly (curl), by route key. */
    public Map<String, URI> eventUris() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(events));
    }

    /** The execution environments of each function run from the zip, by function name. */
    public Map<String, EnvironmentPool> environments() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(environments));
    }

    /** The execution environments of the function behind {@code routeKey}; null in dev mode. */
    EnvironmentPool environmentsFor(String routeKey) {
        return environments.get(functionOf.get(routeKey));
    }

    private void startAll() throws Exception {
        Path project = options.project();
        SamTemplate template = SamTemplate.read(options.template(), options.parameters());
        String devFunction = options.mode() == Mode.DEV ? packages.devModeFunction(template) : null;
        boolean ownDynamoDb = System.getenv("DYNAMODB_ENDPOINT") == null || System.getenv("DYNAMODB_ENDPOINT").isBlank();
        requireFreePorts(ownDynamoDb, devFunction != null, LocalAuthorizer.needsLocalIssuer(template));
        authorizer = LocalAuthorizer.of(template, options);

        int gatewayPort = LocalEndpoints.gatewayPort(options.gatewayPort());
        dynamo = LocalDynamoDb.start(options.dynamoPort(), true);
        endpoints = new LocalEndpoints(TABLE, dynamo.endpoint(), LocalEndpoints.connectionsAt(gatewayPort, template.gatewaySettings().stage()));
        dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE, List.of(LocalDynamoDb.BY_USER));
        if (dynamo.ownsServer()) {
            moto = new Supervised("moto_server (the local DynamoDB on " + dynamo.endpoint() + ")", () -> {
                dynamo.restart();
                dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE, List.of(LocalDynamoDb.BY_USER));
                return Supervised.running(dynamo.motoProcess(), () -> { });
            }, "with an empty " + TABLE + " table (TTL on " + TTL_ATTRIBUTE + ")", log, () -> closing);
            moto.watch(Supervised.running(dynamo.motoProcess(), () -> { }));
        }

        // Each function's first environment starts at once, side by side; the zips are built (when stale)
        // and unpacked before dev mode starts: both would write to target/.
        Map<String, LambdaFunction> byFunction = new LinkedHashMap<>();
        Map<String, URI> curlUris = new LinkedHashMap<>();
        Map<String, CompletableFuture<?>> warmUps = new LinkedHashMap<>();
        for (SamTemplate.Function function : template.functions().values()) {
            if (function.id().equals(devFunction)) {
                continue;
            }
            EnvironmentPool pool = environments(function, packages.taskRoot(function));
            environments.put(function.id(), pool);
            byFunction.put(function.id(), pool);
            InvokeEndpoint endpoint = InvokeEndpoint.start(pool);
            invokeEndpoints.add(endpoint);
            curlUris.put(function.id(), endpoint.eventsUri());
            warmUps.put(function.id(), pool.warmUp());
        }
        if (devFunction != null) {
            HttpFunction dev = devMode(template.functions().get(devFunction));
            byFunction.put(devFunction, dev);
            curlUris.put(devFunction, dev.events());
        }
        for (Map.Entry<String, CompletableFuture<?>> warmUp : warmUps.entrySet()) {
            try {
                warmUp.getValue().get();
            } catch (ExecutionException e) {
                throw initFailure(template.functions().get(warmUp.getKey()), e.getCause().getMessage(),
                        logFile(warmUp.getKey() + "-1"));
            }
        }

        Map<String, LambdaFunction> routes = new LinkedHashMap<>();
        for (SamTemplate.Route route : template.routes()) {
            functionOf.put(route.routeKey(), route.functionId());
            events.put(route.routeKey(), curlUris.get(route.functionId()));
            routes.put(route.routeKey(), byFunction.get(route.functionId()));
        }
        // AWS_IAM: the credentials valid here are those bin/local gives its functions and moto (docs/local.md).
        signedConnects = "AWS_IAM".equals(template.connectAuthorization())
                ? new SigV4Handshake(LocalDynamoDb.REGION, List.of(SigV4Handshake.LOCAL)) : null;
        try {
            gateway = new LocalGateway(template.gatewaySettings().withLimits(options.limits()), routes,
                    authorizer == null ? null : authorizer.requestAuthorizer(byFunction.get(authorizer.functionId())), log);
            if (signedConnects != null) {
                gateway.requireSigV4(signedConnects);
            }
            gateway.start(gatewayPort);
        } catch (Exception bindFailed) {
            throw new SetupFailure("the WebSocket gateway cannot listen on port " + gatewayPort + " ("
                    + bindFailed.getMessage() + "): choose another with --port PORT (0 picks a free one)");
        }
    }

    /** Every port bin/local listens on is checked first, and all taken ones are named in one line. */
    private void requireFreePorts(boolean ownDynamoDb, boolean devMode, boolean localIssuer) {
        Map<String, String> taken = new LinkedHashMap<>();
        check(taken, options.gatewayPort(), "the WebSocket gateway", "--port");
        if (ownDynamoDb) {
            check(taken, options.dynamoPort(), "the local DynamoDB", "--dynamodb-port");
        }
        if (devMode) {
            check(taken, options.devPort(), "Quarkus dev mode", "--dev-port");
        }
        if (localIssuer) {
            check(taken, options.issuerPort(), "the local token issuer", "--issuer-port");
        }
        List<Integer> ports = taken.values().stream().map(what -> Integer.valueOf(what.split(" ", 2)[0])).toList();
        if (taken.size() == 1) {
            Map.Entry<String, String> one = taken.entrySet().iterator().next();
            throw new PortsTaken("port " + one.getValue() + " is taken: stop what listens there, or choose another with "
                    + one.getKey() + " PORT (0 picks a free one)", ports, "port " + one.getValue() + " is");
        }
        if (!taken.isEmpty()) {
            throw new PortsTaken("ports " + and(taken.values()) + " are taken: stop what listens there, or choose others with "
                    + and(taken.keySet().stream().map(option -> option + " PORT").toList()) + " (0 picks a free one)",
                    ports, "ports " + and(taken.values()) + " are");
        }
    }

    /** "a", "a and b", "a, b and c". */
    private static String and(java.util.Collection<String> items) {
        List<String> list = List.copyOf(items);
        return list.size() == 1 ? list.get(0)
                : String.join(", ", list.subList(0, list.size() - 1)) + " and " + list.get(list.size() - 1);
    }

    private static void check(Map<String, String> taken, int port, String what, String option) {
        if (port != 0 && listening(port)) {
            taken.put(option, port + " (" + what + ")");
        }
    }

    /**
     * The most environments a function without reserved concurrency runs at once by default: one per core,
     * and no more than half this machine's memory holds at the function's memory setting. On Lambda each
     * environment has CPU of its own; here they share the machine's cores, and a JVM cold start is seconds
     * of CPU: more environments than cores made a burst slower, not faster (BENCHMARKS.md).
     */
    static int defaultConcurrency(int memoryMb) {
        long machineMb = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1024 * 1024);
        int cores = Runtime.getRuntime().availableProcessors();
        return (int) Math.max(1, Math.min(cores, machineMb / 2 / Math.max(128, memoryMb)));
    }

    /** The function's execution environments, each a process from {@code zip} as Lambda starts it. */
    private EnvironmentPool environments(SamTemplate.Function function, FunctionPackages.TaskRoot taskRoot) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(function.environment());
        env.putAll(endpoints.variables());
        if (authorizer != null) {
            env.putAll(authorizer.environment(function.id()));
        }
        int limit = function.reservedConcurrency() != null ? function.reservedConcurrency()
                : options.concurrency() != null ? options.concurrency() : defaultConcurrency(function.memoryMb());
        Files.createDirectories(logFile("x").getParent());
        return new EnvironmentPool(function.id(), limit, options.overLimit(), number -> {
            Path output = logFile(function.id() + "-" + number);
            Files.deleteIfExists(output);
            FunctionLauncher launcher = FunctionLauncher.of(taskRoot.kind(), taskRoot.path())
                    .functionName(function.id())
                    .memoryMb(function.memoryMb())
                    .region(LocalDynamoDb.REGION)
                    .output(output)
                    .outlivesCtrlC();
            env.forEach(launcher::env);
            ZipExecutionEnvironment environment = ZipExecutionEnvironment.start(launcher, function.id(),
                    Duration.ofSeconds(function.timeoutSeconds()));
            // Its output is shown once its init passed; a failed init is one line, said by whoever started it.
            environment.initialised().thenRun(() -> functionLogs.follow(output, function.id() + " " + number,
                    () -> !environment.exited().isDone()));
            return environment;
        }, log);
    }

    private Path logFile(String name) {
        return options.project().resolve("target/local/logs/" + name + ".log");
    }

    /** A function's failed init as one line: its reason, the setting behind it where one is named, and its log file. */
    private SetupFailure initFailure(SamTemplate.Function function, String reason, Path output) {
        String fix = "fix what it says, then start bin/local again";
        for (Map.Entry<String, String> variable : function.environment().entrySet()) {
            if (!reason.contains(variable.getKey())) {
                continue;
            }
            fix = options.parameters().entrySet().stream()
                    .filter(p -> p.getValue().equals(variable.getValue()))
                    .findFirst()
                    .map(p -> variable.getKey() + " is --parameter " + p.getKey() + ": give it a value the function accepts")
                    .orElse(variable.getKey() + " is set in " + options.template().getFileName() + " (" + function.id() + "): fix it there");
            break;
        }
        return new SetupFailure(function.id() + " failed its init: " + reason + "; " + fix + " (its output: "
                + options.project().relativize(output) + ")");
    }

    /**
     * The function in Quarkus dev mode ({@link DevModeFunction}), with the table and the DynamoDB its execution
     * environments would have, kept running; returns it as its mock event server takes events.
     */
    private HttpFunction devMode(SamTemplate.Function function) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(function.environment());
        env.putAll(endpoints.variables());
        env.put("AWS_REGION", LocalDynamoDb.REGION);
        Path output = logFile(function.id() + "-dev");
        DevModeFunction dev = new DevModeFunction(options, function.id(), env, output, functionLogs,
                reason -> initFailure(function, reason, output));
        log.accept(String.format("%-12s Quarkus dev mode: starting on localhost:%d%s (a first start downloads its"
                + " dependencies) ...", function.id(), dev.port(), options.debug() ? ", debugger on port 5005" : ""));
        devMode = new Supervised(function.id() + " in dev mode", dev, "", log, () -> closing);
        devMode.watch(devMode.call());
        return new HttpFunction(dev.eventsUri());
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Closes the gateway first (every open socket's $disconnect still reaches its function), then the rest. */
    @Override
    public void close() {
        closing = true;
        environments.values().forEach(EnvironmentPool::drain);
        List<AutoCloseable> parts = new ArrayList<>();
        parts.add(gateway);
        parts.add(authorizer);
        parts.add(this::closeEnvironments);
        parts.addAll(invokeEndpoints);
        parts.add(devMode);
        parts.add(dynamo); // and moto with it
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
        authorizer = null;
        environments.clear();
        invokeEndpoints.clear();
        dynamo = null;
    }

    /** Every function's environments at once: each stop may wait out its grace period. */
    private void closeEnvironments() {
        CompletableFuture.allOf(environments.values().stream()
                .map(pool -> CompletableFuture.runAsync(pool::close, stop -> new Thread(stop, pool.name() + " stopping").start()))
                .toArray(CompletableFuture[]::new)).join();
    }
}
