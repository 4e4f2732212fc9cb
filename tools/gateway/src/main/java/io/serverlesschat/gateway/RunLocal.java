package io.serverlesschat.gateway;

import io.serverlesschat.local.FunctionLauncher;
import io.serverlesschat.local.FunctionProcess;
import io.serverlesschat.local.FunctionZip;
import io.serverlesschat.local.PackageBuild;
import io.serverlesschat.local.RuntimeApiServer;
import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.localdev.SetupFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * bin/local: the chat's connection tracking on a laptop. A local DynamoDB (moto) with the connections
 * table; each function that sam.native.yaml routes to, started as Lambda starts it (or, for $connect,
 * in Quarkus dev mode); and the local gateway in front, so a real WebSocket client can connect.
 * It keeps them running: when moto or a function's process exits, it says so in one line and starts
 * a new one (moto with the table re-created), so the stack recovers in place.
 */
public final class RunLocal implements AutoCloseable {

    /** How the functions run: $connect in dev mode (the rest from the JVM zip), all from the JVM zip, or native. */
    public enum Mode {
        DEV, ZIP, NATIVE
    }

    /**
     * @param devPort    dev mode's event port (--dev-port)
     * @param debug      whether dev mode opens its debugger on port 5005 (--debug)
     * @param parameters sam.native.yaml's parameters to set, as a deploy's parameter overrides (--parameter)
     */
    public record Options(Path project, Mode mode, int gatewayPort, int dynamoPort, int devPort, boolean debug,
            Map<String, String> parameters) {
        public Options(Path project, Mode mode, int gatewayPort, int dynamoPort, Map<String, String> parameters) {
            this(project, mode, gatewayPort, dynamoPort, DEV_MODE_PORT, false, parameters);
        }

        public Options(Path project, Mode mode, int gatewayPort, int dynamoPort) {
            this(project, mode, gatewayPort, dynamoPort, Map.of());
        }
    }

    static final String TABLE = "connections";
    // The function's item contract (Connection.CONNECTION_ID / EXPIRES_AT in the function's code).
    static final String KEY_ATTRIBUTE = "connectionId";
    static final String TTL_ATTRIBUTE = "expiresAt";
    static final int DEV_MODE_PORT = 8080;
    static final int DYNAMODB_PORT = 8000;
    /** A part that ends sooner than this after its start is not restarted again: it would only loop. */
    static final Duration SHORTEST_LIFE = Duration.ofSeconds(3);
    private static final Pattern ESCAPE_SEQUENCE = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");
    /** Maven's advice after any failed build (run with -e, -X, a wiki link): not about this one. */
    private static final Pattern MAVEN_BOILERPLATE = Pattern.compile(
            "\\[ERROR] *|\\[ERROR] (To see the full stack trace|Re-run Maven using|For more information about the errors|\\[Help 1]).*");

    private final Consumer<String> log;
    private volatile boolean closing;
    // Stopped in this order: the gateway (its $disconnect events still reach the functions), the
    // functions, their Runtime APIs, DynamoDB.
    private LocalGateway gateway;
    private final Map<String, Supervised> functions = new LinkedHashMap<>();
    private final List<RuntimeApiServer> runtimeApis = new ArrayList<>();
    private final Map<String, URI> events = new LinkedHashMap<>();
    /** A route whose function another route started: that route's key. */
    private final Map<String, String> servedBy = new LinkedHashMap<>();
    private LocalDynamoDb dynamo;
    private Supervised moto;
    private FunctionZip projectZip;

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

    /** Where each route's function takes events POSTed directly (curl), by route key. */
    public Map<String, URI> eventUris() {
        return Map.copyOf(events);
    }

    /** The process id of the function serving {@code routeKey} now. */
    long pid(String routeKey) {
        return functions.get(servedBy.getOrDefault(routeKey, routeKey)).current.pid();
    }

    private void startAll(Options options) throws Exception {
        Path project = options.project();
        SamTemplate template = SamTemplate.read(project.resolve("sam.native.yaml"), options.parameters());
        Predicate<SamTemplate.Route> inDevMode = route -> options.mode() == Mode.DEV && route.routeKey().equals("$connect");
        boolean ownDynamoDb = System.getenv("DYNAMODB_ENDPOINT") == null || System.getenv("DYNAMODB_ENDPOINT").isBlank();
        // Every port first, so that a taken one stops bin/local before anything starts.
        requireFree(options.gatewayPort(), "the WebSocket gateway", "--port");
        if (ownDynamoDb) {
            requireFree(options.dynamoPort(), "the local DynamoDB", "--dynamodb-port");
        }
        if (template.routes().stream().anyMatch(inDevMode)) {
            requireFree(options.devPort(), "Quarkus dev mode", "--dev-port");
        }

        dynamo = LocalDynamoDb.start(options.dynamoPort());
        dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE);
        if (dynamo.ownsServer()) {
            moto = new Supervised("moto_server (the local DynamoDB on " + dynamo.endpoint() + ")", () -> {
                dynamo.restart();
                dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE);
                return running(dynamo.motoProcess(), () -> { });
            }, () -> { }, "with an empty " + TABLE + " table (TTL on " + TTL_ATTRIBUTE + ")");
            moto.watch(running(dynamo.motoProcess(), () -> { }));
        }

        // The zips are built (when stale) and unpacked before dev mode starts: both would write to target/.
        Map<String, Path> taskRoots = new LinkedHashMap<>();
        Map<String, FunctionZip.Kind> kinds = new LinkedHashMap<>();
        for (SamTemplate.Route route : template.routes()) {
            if (!inDevMode.test(route) && !taskRoots.containsKey(route.functionId())) {
                FunctionZip zip = zipOf(template.functions().get(route.functionId()), project, options.mode());
                boolean ours = zip.path().equals(PackageBuild.function(project).zip());
                taskRoots.put(route.functionId(), zip.unpack(project.resolve("target/local/" + (ours ? "task" : "task-" + route.functionId()))));
                kinds.put(route.functionId(), zip.kind());
            }
        }
        // One set of processes per function, whichever of its routes comes first; its other routes share it.
        Map<String, String> firstRoute = new LinkedHashMap<>();
        Map<String, FunctionEndpoint> endpoints = new LinkedHashMap<>();
        for (SamTemplate.Route route : template.routes()) {
            String first = firstRoute.putIfAbsent(route.functionId(), route.routeKey());
            URI uri;
            if (first != null) {
                uri = events.get(first);
                servedBy.put(route.routeKey(), first);
            } else {
                Map<String, String> env = new LinkedHashMap<>(route.environment());
                env.put("TABLE_NAME", TABLE);
                env.put("DYNAMODB_ENDPOINT", dynamo.endpoint().toString());
                uri = inDevMode.test(route)
                        ? devMode(project, env, options, route)
                        : launch(route, kinds.get(route.functionId()), taskRoots.get(route.functionId()), env);
            }
            events.put(route.routeKey(), uri);
            endpoints.put(route.routeKey(), new FunctionEndpoint(uri));
        }
        try {
            gateway = new LocalGateway(template, endpoints, log).start(options.gatewayPort());
        } catch (Exception bindFailed) {
            throw new SetupFailure("the WebSocket gateway cannot listen on port " + options.gatewayPort() + " ("
                    + bindFailed.getMessage() + "): choose another with --port PORT (0 picks a free one)");
        }
    }

    private static void requireFree(int port, String what, String option) {
        if (port != 0 && listening(port)) {
            throw new SetupFailure("port " + port + " (" + what + ") is taken: stop what listens there, or choose another"
                    + " with " + option + " PORT (0 picks a free one)");
        }
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

    /** The function from the zip, as Lambda starts it, behind its own Runtime API; a new process whenever it exits. */
    private URI launch(SamTemplate.Route route, FunctionZip.Kind kind, Path taskRoot, Map<String, String> env) throws Exception {
        RuntimeApiServer api = RuntimeApiServer.startOnFreePort(route.functionId());
        runtimeApis.add(api);
        FunctionLauncher launcher = FunctionLauncher.of(kind, taskRoot)
                .runtimeApi(api.runtimeApiAddress())
                .functionName(route.functionId())
                .memoryMb(256) // MemorySize in sam.native.yaml; it sizes the JVM heap as on Lambda
                .region(LocalDynamoDb.REGION);
        env.forEach(launcher::env);
        Callable<Running> start = () -> {
            Path output = Files.createTempFile(route.functionId() + "-", ".log");
            output.toFile().deleteOnExit();
            FunctionProcess function = launcher.output(output).start();
            follow(output, route.functionId(), function::isAlive);
            return new Running(function.pid(), function.onExit(), () -> function.stop(Duration.ofSeconds(2)));
        };
        Supervised supervised = new Supervised(route.routeKey() + " function (" + route.functionId() + ")", start,
                // Lambda fails an invocation whose runtime exited; the events still queued go to the new process.
                () -> api.failPending("the function's process exited"),
                "as Lambda starts a new execution environment");
        Running first = supervised.call(start);
        supervised.watch(first);
        // One at a time: AWS's runtime interface client unpacks its JNI library to one fixed file in /tmp
        // at start, and a JVM that loads it while another one rewrites it dies of SIGBUS.
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (api.firstPollNanos().isEmpty() && !first.exited().isDone() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        functions.put(route.routeKey(), supervised);
        log.accept(String.format("%-12s %s: started from function.zip (pid %d)", route.routeKey(), route.functionId(), first.pid()));
        return api.eventsUri();
    }

    /** The function in Quarkus dev mode (live reload), its own mock event server on the dev port. */
    private URI devMode(Path project, Map<String, String> env, Options options, SamTemplate.Route route) throws Exception {
        int port = options.devPort() != 0 ? options.devPort() : freePort();
        List<String> command = new ArrayList<>(List.of(project.resolve("mvnw").toString(), "-B", "-q", "quarkus:dev",
                "-Dquarkus.lambda.mock-event-server.dev-port=" + port,
                // No interactive prompts and no analytics question: bin/local's console is not dev mode's.
                "-Dquarkus.console.enabled=false", "-Dquarkus.analytics.disabled=true",
                "-Ddebug=" + (options.debug() ? "5005" : "false")));
        String name = route.routeKey() + " function (" + route.functionId() + " in dev mode)";
        Callable<Running> start = () -> {
            ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
            builder.environment().putAll(env);
            builder.environment().put("AWS_REGION", LocalDynamoDb.REGION);
            Process process = builder.start();
            echo(process, "[" + route.functionId() + " dev] ");
            Running running = running(process, () -> {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
            });
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!listening(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    running.stop().run();
                    throw new SetupFailure("Quarkus dev mode did not start (its output is above): fix what it says,"
                            + " or run every function from the zip with --function zip");
                }
                Thread.sleep(500);
            }
            return running;
        };
        log.accept(String.format("%-12s Quarkus dev mode: starting on localhost:%d%s (a first start downloads its"
                + " dependencies) ...", route.routeKey(), port, options.debug() ? ", debugger on port 5005" : ""));
        Supervised supervised = new Supervised(name, start, () -> { }, "");
        supervised.watch(supervised.call(start));
        functions.put(route.routeKey(), supervised);
        return URI.create("http://localhost:" + port + "/_lambda_");
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

    /** Echoes a function's log file to this console, each line prefixed with the function's name. */
    private void follow(Path file, String name, BooleanSupplier alive) {
        Thread tail = new Thread(() -> {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                while (!Thread.currentThread().isInterrupted()) {
                    String line = in.readLine();
                    if (line != null) {
                        log.accept("[" + name + "] " + new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                    } else if (alive.getAsBoolean()) {
                        Thread.sleep(200);
                    } else {
                        return; // everything the process wrote has been shown
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the function is gone
            }
        }, "tail-" + name);
        tail.setDaemon(true);
        tail.start();
    }

    /** Echoes a process' output to this console, prefixed, without terminal escape sequences (colours) or Maven's boilerplate. */
    private void echo(Process process, String prefix) {
        Thread echo = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    String clean = ESCAPE_SEQUENCE.matcher(line).replaceAll("");
                    if (!MAVEN_BOILERPLATE.matcher(clean).matches()) {
                        log.accept(prefix + clean);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "echo-" + prefix.strip());
        echo.setDaemon(true);
        echo.start();
    }

    /** One run of a supervised part: its process id, its end (with the exit status), and how to stop it. */
    record Running(long pid, CompletableFuture<Integer> exited, Runnable stop) {
    }

    /** A part bin/local keeps running: when it exits unasked, one line says so and a new one is started. */
    private final class Supervised implements AutoCloseable {

        private final String name;
        private final Callable<Running> start;
        private final Runnable afterExit;
        private final String back;
        volatile Running current;

        Supervised(String name, Callable<Running> start, Runnable afterExit, String back) {
            this.name = name;
            this.start = start;
            this.afterExit = afterExit;
            this.back = back;
        }

        Running call(Callable<Running> how) throws Exception {
            current = how.call();
            return current;
        }

        void watch(Running running) {
            current = running;
            long startedAt = System.nanoTime();
            running.exited().thenAcceptAsync(status -> exited(running, status, Duration.ofNanos(System.nanoTime() - startedAt)));
        }

        private void exited(Running running, int status, Duration lived) {
            try {
                // A Ctrl-C reaches the children too: let bin/local's own shutdown say whether this is one.
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            if (closing || shuttingDown() || running != current) {
                return;
            }
            afterExit.run();
            if (lived.compareTo(SHORTEST_LIFE) < 0) {
                log.accept("bin/local: " + name + " exited with status " + status + " " + lived.toMillis()
                        + " ms after its start; not starting it again (see its output above). Fix it, then restart bin/local.");
                return;
            }
            log.accept("bin/local: " + name + " (pid " + running.pid() + ") exited with status " + status + "; starting it again");
            try {
                Running next = call(start);
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
            }
        }
    }

    /** Whether this JVM is running its shutdown hooks (Ctrl-C). */
    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    @Override
    public void close() {
        closing = true;
        List<AutoCloseable> parts = new ArrayList<>();
        parts.add(gateway);
        parts.addAll(functions.values());
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

    static final String USAGE = """
            usage: bin/local [--function dev|zip|native] [--port 3001] [--dynamodb-port 8000] [--dev-port 8080] [--debug]
                             [--parameter Name=Value]...
              --function dev     $connect in Quarkus dev mode (live reload, curl on the dev port), other routes from the JVM zip (default)
              --function zip     every function from target/function.zip (JVM), as Lambda's Java runtime runs it
              --function native  every function from the native target/function.zip's bootstrap
              --port             the WebSocket gateway's port
              --dynamodb-port    the local DynamoDB's (moto_server) port; unused when DYNAMODB_ENDPOINT is set
              --dev-port         dev mode's event port (curl -d @event.json localhost:PORT)
              --debug            open dev mode's debugger on port 5005
              --parameter        a sam.native.yaml parameter, as on deploy (AllowedOrigins=..., ThrottlingRateLimit=...)
              port 0 picks a free port""";

    static Options parse(String[] args, Path project) {
        Mode mode = Mode.DEV;
        int gatewayPort = LocalGateway.DEFAULT_PORT;
        int dynamoPort = DYNAMODB_PORT;
        int devPort = DEV_MODE_PORT;
        boolean debug = false;
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--function" -> {
                    String value = value(args, ++i, option);
                    try {
                        mode = Mode.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--function takes dev, zip or native, not " + value);
                    }
                }
                case "--port" -> gatewayPort = port(value(args, ++i, option), option);
                case "--dynamodb-port" -> dynamoPort = port(value(args, ++i, option), option);
                case "--dev-port" -> devPort = port(value(args, ++i, option), option);
                case "--debug" -> debug = true;
                case "--parameter" -> {
                    String[] pair = value(args, ++i, option).split("=", 2);
                    if (pair.length != 2) {
                        throw new IllegalArgumentException("--parameter takes Name=Value, e.g. AllowedOrigins=http://localhost:8081");
                    }
                    parameters.put(pair[0], pair[1]);
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new Options(project, mode, gatewayPort, dynamoPort, devPort, debug, parameters);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String value, String option) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " takes a port number (0 picks a free one), not " + value);
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        Path project = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath().normalize();
        Options options;
        try {
            options = parse(args, project);
        } catch (IllegalArgumentException e) {
            System.err.println("bin/local: " + e.getMessage() + " (bin/local --help lists the options)");
            System.exit(2);
            return;
        }
        RunLocal local;
        try {
            local = start(options, System.out::println);
        } catch (SetupFailure e) {
            System.err.println("bin/local: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(local::close));
        String endpoint = local.dynamo().endpoint().toString();
        StringBuilder direct = new StringBuilder();
        local.eventUris().forEach((route, uri) -> direct.append(String.format("%n            %-12s curl -d @src/test/resources/events/%s.json %s",
                route, route.substring(1), uri)));
        System.out.printf("""

                Ready. WebSocket API: %s   (Ctrl-C stops everything)

                Connect:    npx wscat -c %s
                            or in a browser console: ws = new WebSocket("%s")
                See it:     AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb scan --table-name %s --endpoint-url %s --region %s
                Disconnect: Ctrl-C in wscat (or ws.close()), then scan again: the item is gone.
                Events straight to a function, without a WebSocket:%s
                %s
                """, local.url(), local.url(), local.url(), TABLE, endpoint, LocalDynamoDb.REGION, direct,
                local.dynamo().ownsServer() ? "If moto_server or a function's process exits, bin/local starts it again.\n" : "");
        Thread.currentThread().join();
    }
}
