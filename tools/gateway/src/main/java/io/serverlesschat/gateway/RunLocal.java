package io.serverlesschat.gateway;

import io.serverlesschat.gateway.LocalOptions.Mode;
import io.serverlesschat.local.ExecutionEnvironments;
import io.serverlesschat.local.FunctionEnvironment;
import io.serverlesschat.local.FunctionLauncher;
import io.serverlesschat.local.FunctionZip;
import io.serverlesschat.local.InvokeEndpoint;
import io.serverlesschat.local.PackageBuild;
import io.serverlesschat.localdev.CtrlC;
import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.localdev.SetupFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The chat's connection tracking on a laptop, as bin/local starts it: a local DynamoDB (moto) with the
 * connections table; each function that sam.native.yaml routes to, run in execution environments as
 * Lambda runs it ({@link ExecutionEnvironments}: started on demand up to a limit, reused) or, for
 * $connect, in Quarkus dev mode; and the local gateway in front, so a real WebSocket client can
 * connect. Each function's first environment passes its init before {@link #start} returns, so a
 * function that cannot start stops bin/local with one line. moto and dev mode are kept running: when
 * one exits, one line says so and a new one is started. Every child ignores a terminal's Ctrl-C
 * ({@link CtrlC}): they are stopped by {@link #close()}, after the gateway delivered its $disconnects.
 */
public final class RunLocal implements AutoCloseable {

    static final String TABLE = "connections";
    // The function's item contract (Connection.CONNECTION_ID / EXPIRES_AT in the function's code).
    static final String KEY_ATTRIBUTE = "connectionId";
    static final String TTL_ATTRIBUTE = "expiresAt";
    /** A part that ends sooner than this after its start is not restarted again: it would only loop. */
    static final Duration SHORTEST_LIFE = Duration.ofSeconds(3);
    private static final Pattern ESCAPE_SEQUENCE = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");
    /** Maven's advice after any failed build (run with -e, -X, a wiki link): not about this one. */
    private static final Pattern MAVEN_BOILERPLATE = Pattern.compile(
            "\\[ERROR] *|\\[ERROR] (To see the full stack trace|Re-run Maven using|For more information about the errors|\\[Help 1]).*");

    private final LocalOptions options;
    private final Consumer<String> log;
    private final FunctionLogs functionLogs;
    private volatile boolean closing;
    // Stopped in this order: the gateway (its $disconnect events still reach the functions), the
    // functions, DynamoDB.
    private LocalGateway gateway;
    private final Map<String, ExecutionEnvironments> environments = new LinkedHashMap<>();
    private final List<InvokeEndpoint> invokeEndpoints = new ArrayList<>();
    private Supervised devMode;
    private final Map<String, URI> events = new LinkedHashMap<>();
    /** Each route's function. */
    private final Map<String, String> functionOf = new LinkedHashMap<>();
    private LocalDynamoDb dynamo;
    private Supervised moto;
    private FunctionZip projectZip;

    private RunLocal(LocalOptions options, Consumer<String> log) {
        this.options = options;
        this.log = log;
        this.functionLogs = new FunctionLogs(log, options.rawLogs());
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
            local.close();
            throw e;
        }
    }

    public URI url() {
        return gateway.url();
    }

    /** The gateway's idle timeout and maximum connection duration. */
    public LocalGateway.Limits limits() {
        return options.limits();
    }

    /** What the AWS CLI and SDKs take as the @connections API's endpoint (--endpoint-url). */
    public URI connectionsEndpoint() {
        return gateway.connectionsEndpoint();
    }

    public LocalDynamoDb dynamo() {
        return dynamo;
    }

    /** Where each route's function takes events POSTed directly (curl), by route key. */
    public Map<String, URI> eventUris() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(events));
    }

    /** The execution environments of each function run from the zip, by function name. */
    public Map<String, ExecutionEnvironments> environments() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(environments));
    }

    /** The execution environments of the function behind {@code routeKey}; null in dev mode. */
    ExecutionEnvironments environmentsFor(String routeKey) {
        return environments.get(functionOf.get(routeKey));
    }

    private void startAll() throws Exception {
        Path project = options.project();
        SamTemplate template = SamTemplate.read(project.resolve("sam.native.yaml"), options.parameters());
        String devFunction = options.mode() == Mode.DEV ? template.route("$connect").functionId() : null;
        boolean ownDynamoDb = System.getenv("DYNAMODB_ENDPOINT") == null || System.getenv("DYNAMODB_ENDPOINT").isBlank();
        requireFreePorts(ownDynamoDb, devFunction != null);

        dynamo = LocalDynamoDb.start(options.dynamoPort(), true);
        dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE);
        if (dynamo.ownsServer()) {
            moto = new Supervised("moto_server (the local DynamoDB on " + dynamo.endpoint() + ")", () -> {
                dynamo.restart();
                dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE);
                return running(dynamo.motoProcess(), () -> { });
            }, "with an empty " + TABLE + " table (TTL on " + TTL_ATTRIBUTE + ")");
            moto.watch(running(dynamo.motoProcess(), () -> { }));
        }

        // Each function's first environment starts at once, side by side; the zips are built (when stale)
        // and unpacked before dev mode starts: both would write to target/.
        Map<String, URI> byFunction = new LinkedHashMap<>();
        Map<String, CompletableFuture<?>> warmUps = new LinkedHashMap<>();
        for (SamTemplate.Function function : template.functions().values()) {
            if (function.id().equals(devFunction)) {
                continue;
            }
            ExecutionEnvironments pool = environments(function, taskRoot(function));
            environments.put(function.id(), pool);
            InvokeEndpoint endpoint = InvokeEndpoint.start(pool);
            invokeEndpoints.add(endpoint);
            byFunction.put(function.id(), endpoint.eventsUri());
            warmUps.put(function.id(), pool.warmUp());
        }
        if (devFunction != null) {
            byFunction.put(devFunction, devMode(template.functions().get(devFunction)));
        }
        for (Map.Entry<String, CompletableFuture<?>> warmUp : warmUps.entrySet()) {
            try {
                warmUp.getValue().get();
            } catch (ExecutionException e) {
                throw initFailure(template.functions().get(warmUp.getKey()), e.getCause().getMessage(),
                        logFile(warmUp.getKey() + "-1"));
            }
        }

        Map<String, FunctionEndpoint> endpoints = new LinkedHashMap<>();
        for (SamTemplate.Route route : template.routes()) {
            URI uri = byFunction.get(route.functionId());
            functionOf.put(route.routeKey(), route.functionId());
            events.put(route.routeKey(), uri);
            endpoints.put(route.routeKey(), new FunctionEndpoint(uri));
        }
        try {
            gateway = new LocalGateway(template, endpoints, log).limits(options.limits()).start(options.gatewayPort());
        } catch (Exception bindFailed) {
            throw new SetupFailure("the WebSocket gateway cannot listen on port " + options.gatewayPort() + " ("
                    + bindFailed.getMessage() + "): choose another with --port PORT (0 picks a free one)");
        }
    }

    /** Every port bin/local listens on is checked first, and all taken ones are named in one line. */
    private void requireFreePorts(boolean ownDynamoDb, boolean devMode) {
        Map<String, String> taken = new LinkedHashMap<>();
        check(taken, options.gatewayPort(), "the WebSocket gateway", "--port");
        if (ownDynamoDb) {
            check(taken, options.dynamoPort(), "the local DynamoDB", "--dynamodb-port");
        }
        if (devMode) {
            check(taken, options.devPort(), "Quarkus dev mode", "--dev-port");
        }
        if (taken.size() == 1) {
            Map.Entry<String, String> one = taken.entrySet().iterator().next();
            throw new SetupFailure("port " + one.getValue() + " is taken: stop what listens there, or choose another with "
                    + one.getKey() + " PORT (0 picks a free one)");
        }
        if (!taken.isEmpty()) {
            throw new SetupFailure("ports " + and(taken.values()) + " are taken: stop what listens there, or choose others with "
                    + and(taken.keySet().stream().map(option -> option + " PORT").toList()) + " (0 picks a free one)");
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

    /** Where the package a function runs is unpacked (a zip of its own: a folder of its own), and its kind. */
    private record TaskRoot(Path path, FunctionZip.Kind kind) {
    }

    private TaskRoot taskRoot(SamTemplate.Function function) {
        Path project = options.project();
        FunctionZip zip = zipOf(function, project, options.mode());
        boolean ours = zip.path().equals(PackageBuild.function(project).zip());
        return new TaskRoot(zip.unpack(project.resolve("target/local/" + (ours ? "task" : "task-" + function.id()))), zip.kind());
    }

    /**
     * The package a function runs, from its CodeUri (relative to the template's folder): the project's
     * target/function.zip (also when CodeUri is not a literal) as {@link #functionZip} makes it, any other
     * zip as it is, JVM or native.
     */
    private FunctionZip zipOf(SamTemplate.Function function, Path project, Mode mode) {
        Path ours = PackageBuild.function(project).zip();
        Path zip = function.codeUri() == null ? ours : project.resolve(function.codeUri()).normalize();
        if (zip.equals(ours)) {
            return projectZip != null ? projectZip : (projectZip = functionZip(project, mode));
        }
        if (!Files.isRegularFile(zip)) {
            throw new SetupFailure(function.id() + "'s CodeUri " + function.codeUri() + " is not a zip file next to the"
                    + " template: build that package first (bin/local runs .zip packages, a native bootstrap or a JVM build)");
        }
        try {
            return FunctionZip.open(zip);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new SetupFailure(function.id() + "'s CodeUri " + function.codeUri() + " is no Lambda package: " + e.getMessage());
        }
    }

    /** target/function.zip: the JVM zip, rebuilt when stale, or the native zip as it is. */
    private FunctionZip functionZip(Path project, Mode mode) {
        PackageBuild build = PackageBuild.function(project);
        Path zip = build.zip();
        if (mode == Mode.NATIVE) {
            if (!Files.isRegularFile(zip) || FunctionZip.open(zip).kind() != FunctionZip.Kind.NATIVE) {
                throw new SetupFailure("--function native needs a native target/function.zip, and "
                        + (Files.isRegularFile(zip) ? "this one is a JVM build" : "there is none")
                        + ": build it with ./mvnw package -Pnative or docker/build.sh (docs/deploy.md)");
            }
        } else if (build.stale() || FunctionZip.open(zip).kind() != FunctionZip.Kind.JVM) {
            log.accept("building the JVM function.zip: " + build.describe());
            build.build();
        }
        return FunctionZip.open(zip);
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
    private ExecutionEnvironments environments(SamTemplate.Function function, TaskRoot taskRoot) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(function.environment());
        env.put("TABLE_NAME", TABLE);
        env.put("DYNAMODB_ENDPOINT", dynamo.endpoint().toString());
        int limit = function.reservedConcurrency() != null ? function.reservedConcurrency()
                : options.concurrency() != null ? options.concurrency() : defaultConcurrency(function.memoryMb());
        Files.createDirectories(logFile("x").getParent());
        return new ExecutionEnvironments(function.id(), limit, options.overLimit(), number -> {
            Path output = logFile(function.id() + "-" + number);
            Files.deleteIfExists(output);
            FunctionLauncher launcher = FunctionLauncher.of(taskRoot.kind(), taskRoot.path())
                    .functionName(function.id())
                    .memoryMb(function.memoryMb())
                    .region(LocalDynamoDb.REGION)
                    .output(output)
                    .outlivesCtrlC();
            env.forEach(launcher::env);
            FunctionEnvironment environment = FunctionEnvironment.start(launcher, function.id(), Duration.ofSeconds(function.timeoutSeconds()));
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
                    .orElse(variable.getKey() + " is set in sam.native.yaml (" + function.id() + "): fix it there");
            break;
        }
        return new SetupFailure(function.id() + " failed its init: " + reason + "; " + fix + " (its output: "
                + options.project().relativize(output) + ")");
    }

    /**
     * The function in Quarkus dev mode (live reload), its own mock event server on the dev port. Its
     * output goes to a log file until the application started, and to the console after; an application
     * that fails to start is one line.
     */
    private URI devMode(SamTemplate.Function function) throws Exception {
        Path project = options.project();
        int port = options.devPort() != 0 ? options.devPort() : freePort();
        List<String> command = new ArrayList<>(List.of(project.resolve("mvnw").toString(), "-B", "-q", "quarkus:dev",
                "-Dquarkus.lambda.mock-event-server.dev-port=" + port,
                // No interactive prompts and no analytics question: bin/local's console is not dev mode's.
                "-Dquarkus.console.enabled=false", "-Dquarkus.analytics.disabled=true",
                "-Ddebug=" + (options.debug() ? "5005" : "false")));
        Map<String, String> env = new LinkedHashMap<>(function.environment());
        env.put("TABLE_NAME", TABLE);
        env.put("DYNAMODB_ENDPOINT", dynamo.endpoint().toString());
        env.put("AWS_REGION", LocalDynamoDb.REGION);
        Path output = logFile(function.id() + "-dev");
        Files.createDirectories(output.getParent());
        Callable<Running> start = () -> {
            ProcessBuilder builder = new ProcessBuilder(CtrlC.ignoredBy(command)).directory(project.toFile()).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            CompletableFuture<String> started = devModeOutput(process, function.id(), output);
            Running running = running(process, () -> {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
            });
            String failure;
            try {
                failure = started.get(5, java.util.concurrent.TimeUnit.MINUTES);
            } catch (java.util.concurrent.TimeoutException e) {
                failure = "it did not start within 5 minutes";
            }
            if (failure != null) {
                running.stop().run();
                throw initFailure(function, failure, output);
            }
            return running;
        };
        log.accept(String.format("%-12s Quarkus dev mode: starting on localhost:%d%s (a first start downloads its"
                + " dependencies) ...", function.id(), port, options.debug() ? ", debugger on port 5005" : ""));
        devMode = new Supervised(function.id() + " in dev mode", start, "");
        devMode.watch(devMode.call());
        return URI.create("http://localhost:" + port + "/_lambda_");
    }

    /**
     * Copies dev mode's output to {@code file}, and to the console once the application started, without
     * terminal escape sequences or Maven's boilerplate. Completes with null once the application started,
     * or with why it did not (its own message where it gave one).
     */
    private CompletableFuture<String> devModeOutput(Process process, String name, Path file) {
        CompletableFuture<String> started = new CompletableFuture<>();
        Thread echo = new Thread(() -> {
            List<String> lines = new ArrayList<>();
            boolean failing = false;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter copy = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true)) {
                for (String line; (line = in.readLine()) != null; ) {
                    String clean = ESCAPE_SEQUENCE.matcher(line).replaceAll("");
                    copy.println(clean);
                    if (started.isDone()) {
                        if (!MAVEN_BOILERPLATE.matcher(clean).matches()) {
                            functionLogs.show(name + " dev", clean);
                        }
                        continue;
                    }
                    lines.add(clean);
                    if (clean.contains("Failed to start application")) {
                        failing = true; // its stack trace follows: the reason is its last cause
                    } else if (failing && !clean.startsWith("\t") && !clean.startsWith("Caused by") && !clean.startsWith(" ")) {
                        started.complete(FunctionEnvironment.initFailureReason(lines, null, 0));
                    } else if (clean.contains("Live Coding activated")) {
                        started.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            started.complete(FunctionEnvironment.initFailureReason(lines, null, process.isAlive() ? 0 : exitValue(process)));
        }, "dev-mode-output");
        echo.setDaemon(true);
        echo.start();
        return started;
    }

    private static int exitValue(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Running running(Process process, Runnable stop) {
        return new Running(process.pid(), process.onExit().thenApply(Process::exitValue), stop);
    }

    /** One run of a supervised part: its process id, its end (with the exit status), and how to stop it. */
    record Running(long pid, CompletableFuture<Integer> exited, Runnable stop) {
    }

    /** A part bin/local keeps running: when it exits unasked, one line says so and a new one is started. */
    private final class Supervised implements AutoCloseable {

        private final String name;
        private final Callable<Running> start;
        private final String back;
        volatile Running current;

        Supervised(String name, Callable<Running> start, String back) {
            this.name = name;
            this.start = start;
            this.back = back;
        }

        Running call() throws Exception {
            current = start.call();
            return current;
        }

        void watch(Running running) {
            current = running;
            long startedAt = System.nanoTime();
            running.exited().thenAcceptAsync(status -> exited(running, status, Duration.ofNanos(System.nanoTime() - startedAt)));
        }

        private void exited(Running running, int status, Duration lived) {
            if (closing || running != current) {
                return;
            }
            if (lived.compareTo(SHORTEST_LIFE) < 0) {
                log.accept("bin/local: " + name + " exited with status " + status + " " + lived.toMillis()
                        + " ms after its start; not starting it again (see its output above). Fix it, then restart bin/local.");
                return;
            }
            log.accept("bin/local: " + name + " (pid " + running.pid() + ") exited with status " + status + "; starting it again");
            try {
                Running next = call();
                log.accept("bin/local: " + name + " is back (pid " + next.pid() + ")" + (back.isEmpty() ? "" : " " + back));
                watch(next);
            } catch (Exception e) {
                log.accept("bin/local: " + name + " could not be started again: " + e.getMessage()
                        + ". Stop bin/local (Ctrl-C) and start it again.");
            }
        }

        @Override
        public void close() {
            Running running = current;
            if (running != null) {
                running.stop().run();
                running.exited().completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS).join();
            }
        }
    }

    /** Closes the gateway first (every open socket's $disconnect still reaches its function), then the rest. */
    @Override
    public void close() {
        closing = true;
        environments.values().forEach(ExecutionEnvironments::drain);
        List<AutoCloseable> parts = new ArrayList<>();
        parts.add(gateway);
        parts.addAll(environments.values());
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
        environments.clear();
        invokeEndpoints.clear();
        dynamo = null;
    }
}
