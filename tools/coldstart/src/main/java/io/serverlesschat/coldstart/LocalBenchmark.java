package io.serverlesschat.coldstart;

import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.lambda.Cgroups;
import io.serverlesschat.lambda.FunctionLauncher;
import io.serverlesschat.lambda.FunctionZip;
import io.serverlesschat.lambda.PackageBuild;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Local mode: every requested variant of the function (and of the baseline) started cold, at every
 * requested memory setting with Lambda's CPU share and memory limit, again and again, against a local
 * Runtime API and a real local DynamoDB (moto). Runs of the variants and memory settings are
 * interleaved, so that the machine's drifting load falls on all of them alike.
 */
final class LocalBenchmark {

    private final ColdStartOptions options;
    private final Path project;
    private final Cgroups cgroups;
    private final PrintStream out;
    /** With --cpu-profile: each profiled cell's breakdowns, and the profiler's library. */
    private final Map<String, List<CpuProfile.Breakdown>> profiles = new LinkedHashMap<>();
    private Path profiler;

    /** A target at one memory setting: one variant of the results. */
    private record Cell(Target target, LambdaLimits limits) {
        String key() {
            return target.key() + "/" + limits.label();
        }
    }

    LocalBenchmark(ColdStartOptions options, Path project, Cgroups cgroups, PrintStream out) {
        this.options = options;
        this.project = project;
        this.cgroups = cgroups;
        this.out = out;
    }

    Results run() throws Exception {
        Results results = new Results("local", Figure.LOCAL);
        results.startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        results.machine.putAll(Machine.describe());
        results.machine.put("loadAverageAtStart", Machine.loadAverages());
        List<LambdaLimits> sizes = options.limits();
        results.settings.put("runs", options.runs());
        results.settings.put("warmup", options.warmup());
        results.settings.put("memoryMb", sizes.stream().map(LambdaLimits::memoryMb).toList());
        results.settings.put("initCpu", options.initCpuModel().name().toLowerCase(Locale.ROOT));
        Map<String, String> limits = new LinkedHashMap<>();
        sizes.forEach(l -> limits.put(l.label(), l.describe()));
        results.settings.put("limits", limits);
        results.settings.put("cgroups", cgroups != null ? cgroups.describe() : "none (--memory off)");
        results.settings.put("cpuTime", cgroups != null
                ? "the cgroup's CPU accounting of the function's process tree (exact), read at the first /next and at the answer"
                : "/proc/<pid>/stat of the function's process tree (10 ms ticks, approximate), read at the first /next and at the answer");
        Map<String, String> jvmFlags = new LinkedHashMap<>();
        sizes.forEach(l -> jvmFlags.put(l.label(), String.join(" ", FunctionLauncher.awsJvmOptions(l.memoryMb()))
                + (l.enforced() ? " -XX:-UseContainerSupport -XX:MaxRAM=" + l.memoryMb() + "m" : "")));
        results.settings.put("jvmFlags", jvmFlags);
        if (!options.jvmOptions().isEmpty()) {
            results.settings.put("extraJvmOptions", options.jvmOptions());
        }
        if (options.cpuProfile()) {
            results.settings.put("cpuProfile", "async-profiler on every measured JVM run: its cost is in their figures");
        }
        results.settings.put("runtimeInterfaceClient", "com.amazonaws:aws-lambda-java-runtime-interface-client:2.10.1");

        List<Target> targets = targets(results);
        List<Cell> cells = new ArrayList<>();
        for (Target target : targets) {
            for (LambdaLimits size : sizes) {
                Cell cell = new Cell(target, size);
                cells.add(cell);
                Variant v = new Variant(cell.key(), target.function(), target.variant(),
                        target.jdk() == null ? null : target.jdk().version());
                v.memoryMb = size.memoryMb();
                v.limits = size.describe();
                v.details.put("zip", Output.display(project, zipOf(target.function())));
                if (target.jdk() != null) {
                    v.details.put("javaHome", target.jdk().describe());
                }
                results.variants.add(v);
            }
        }
        if (cells.isEmpty()) {
            out.println("nothing to run: " + results.variants.stream().map(v -> v.key + " " + v.status + " (" + v.reason + ")").toList());
            return finish(results);
        }

        try (LocalDynamoDb dynamo = LocalDynamoDb.start(); StopOnExit stop = new StopOnExit(dynamo);
                DynamoDbAccess access = DynamoDbAccess.of(options.dynamoDb(), dynamo.endpoint(), options.out().resolve("tls"));
                BenchIssuer issuer = options.routes().contains(Target.AUTHORIZE)
                        ? BenchIssuer.start(access.serverContext().orElse(null)) : null) {
            dynamo.createTable(LocalColdStart.TABLE, "connectionId", "expiresAt");
            ConnectEvents events = new ConnectEvents(options.event() != null ? options.event()
                    : project.resolve("src/test/resources/events/connect.json"));
            LocalColdStart coldStart = new LocalColdStart(access, events,
                    id -> dynamo.client().getItem(g -> g.tableName(LocalColdStart.TABLE)
                            .key(Map.of("connectionId", AttributeValue.fromS(id)))).hasItem(),
                    cgroups, Duration.ofSeconds(options.timeoutSeconds()));
            if (issuer != null) {
                coldStart.authorizer(issuer, new ConnectEvents(project.resolve("src/test/resources/events/authorizer-connect.json")));
                results.settings.put("authorizer", Map.of(
                        "keySet", issuer.keySetUrl().getScheme().toUpperCase(Locale.ROOT) + " on the loopback (" + options.dynamoDb()
                                + ", as DynamoDB), one RSA-2048 key made for the run, fetched by the authorizer in its init",
                        "event", "src/test/resources/events/authorizer-connect.json with a fresh RS256 token in the query string"
                                + " (an ID token's claims, valid 10 minutes) for each cold start; a run counts when the policy is Allow",
                        "environment", "QUARKUS_LAMBDA_HANDLER=authorize, JWT_ISSUER, JWT_AUDIENCE, JWT_JWKS_URL"));
            }
            Path logs = options.out().resolve("logs");
            Files.createDirectories(logs);

            Map<Target, List<String>> jvmOptions = classDataArchives(targets, coldStart, logs, results, sizes.get(0));
            List<Cell> runnable = cells.stream().filter(c -> jvmOptions.containsKey(c.target())).toList();
            int width = runnable.stream().mapToInt(c -> c.key().length()).max().orElse(10);
            for (int w = 1; w <= options.warmup(); w++) {
                for (Cell cell : runnable) {
                    measure(coldStart, cell, jvmOptions.get(cell.target()), w, true, logs, results, width);
                }
            }
            for (int i = 1; i <= options.runs(); i++) {
                for (Cell cell : runnable) {
                    measure(coldStart, cell, jvmOptions.get(cell.target()), i, false, logs, results, width);
                }
            }
            results.settings.put("dynamoDb", access.describe(project,
                    dynamo.ownsServer() ? "moto_server started by the benchmark" : "DYNAMODB_ENDPOINT"));
            if (issuer != null) {
                results.settings.put("keySetFetches", issuer.fetches());
            }
        }
        addRatios(results, cells);
        addFirstConnections(results, cells);
        if (!profiles.isEmpty()) {
            Files.writeString(options.out().resolve("profile.md"), CpuProfile.markdown(profiles));
            out.println("CPU profile: " + Output.display(project, options.out().resolve("profile.md")));
        }
        return finish(results);
    }

    /** Stops the local DynamoDB also when the benchmark is interrupted (SIGINT, SIGTERM): it is a process of its own. */
    private static final class StopOnExit implements AutoCloseable {
        private final Thread hook;

        StopOnExit(LocalDynamoDb dynamo) {
            hook = new Thread(dynamo::close, "stop-local-dynamodb");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static Results finish(Results results) {
        results.machine.put("loadAverageAtEnd", Machine.loadAverages());
        results.finishedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return results;
    }

    /**
     * The extra JVM options of each target: a jvm-cds target's archive, built first by one unthrottled
     * training cold start (the archive does not depend on the CPU share); a target whose archive cannot
     * be built is left out, its failure recorded.
     */
    private Map<Target, List<String>> classDataArchives(List<Target> targets, LocalColdStart coldStart, Path logs,
            Results results, LambdaLimits first) {
        Map<Target, List<String>> jvmOptions = new LinkedHashMap<>();
        ClassDataCache caches = new ClassDataCache(options.out().resolve("cache"));
        LambdaLimits training = new LambdaLimits(first.memoryMb(), false, first.initCpu());
        for (Target target : targets) {
            if (!"jvm-cds".equals(target.variant())) {
                jvmOptions.put(target, options.jvmOptions());
                continue;
            }
            List<Variant> variants = results.variants.stream()
                    .filter(v -> v.key.startsWith(target.key() + "/")).toList();
            out.printf("[%s] building the class-data archive (one training cold start) ...%n", target.key());
            try {
                ClassDataCache.Built built = caches.ensure(target, zipOf(target.function()), trainingOptions -> coldStart.run(
                        target, training, trainingOptions, 0, true, logs.resolve(fileName(target.key()) + "-training.log"),
                        ClassDataCache.trainingStopGrace()));
                out.printf("[%s] %s: %s, %.1f MB%s%n", target.key(), built.reused() ? "reused" : "built",
                        Output.display(project, built.file()), built.sizeBytes() / 1e6,
                        built.reused() ? "" : String.format(Locale.ROOT, " in %.1f s", built.trainingMs() / 1000));
                variants.forEach(v -> v.details.put("classDataCache", built.describe(project)));
                List<String> all = new ArrayList<>(built.jvmOptions());
                all.addAll(options.jvmOptions());
                jvmOptions.put(target, all);
            } catch (RuntimeException e) {
                variants.forEach(v -> v.runs.add(new Variant.Run(0, true, Map.of(), null, false,
                        "class-data archive: " + e.getMessage())));
                out.printf("[%s] FAILED to build its archive: %s%n", target.key(), e.getMessage());
            }
        }
        return jvmOptions;
    }

    private void measure(LocalColdStart coldStart, Cell cell, List<String> jvmOptions, int index, boolean warmup,
            Path logs, Results results, int width) {
        Variant variant = results.variant(cell.key()).orElseThrow();
        Path log = logs.resolve(fileName(cell.key()) + (warmup ? "-warmup" : "-run") + index + ".log");
        Variant.Run run;
        if (options.cpuProfile() && !warmup && cell.target().kind() == FunctionZip.Kind.JVM) {
            // The profiler writes its samples when the JVM exits: stop it gracefully.
            Path samples = logs.resolve(fileName(cell.key()) + "-run" + index + ".collapsed");
            List<String> profiled = new ArrayList<>(jvmOptions);
            profiled.add(CpuProfile.agentOption(profiler(), samples));
            run = coldStart.run(cell.target(), cell.limits(), profiled, index, false, log, Duration.ofSeconds(60));
            if (run.ok() && Files.isRegularFile(samples)) {
                profiles.computeIfAbsent(cell.key(), k -> new ArrayList<>()).add(CpuProfile.read(samples));
            }
        } else {
            run = coldStart.run(cell.target(), cell.limits(), jvmOptions, index, warmup, log);
        }
        variant.runs.add(run);
        String which = warmup ? String.format(Locale.ROOT, "warm-up %d/%d", index, options.warmup())
                : String.format(Locale.ROOT, "run %2d/%d", index, options.runs());
        String load = run.loadAverage() == null ? "" : String.format(Locale.ROOT, "  load %.2f", run.loadAverage());
        if (run.ok()) {
            Map<String, Double> f = run.figures();
            out.printf(Locale.ROOT, "%-14s %-" + width + "s  init %6.0f ms (CPU %5.0f)  invocation %5.0f ms  total %6.0f ms"
                    + " (CPU %5.0f)  peak RSS %4.0f MB  %d%s%s%n",
                    which, cell.key(), f.get(Figure.INIT.key()), f.get(Figure.INIT_CPU.key()), f.get(Figure.INVOCATION.key()),
                    f.get(Figure.TOTAL.key()), f.get(Figure.TOTAL_CPU.key()), f.get(Figure.PEAK_RSS.key()), run.status(),
                    connections(f), load);
        } else {
            out.printf("%-14s %-" + width + "s  FAILED: %s (log: %s)%s%n", which, cell.key(), run.error(),
                    Output.display(project, log), load);
        }
    }

    /** Over HTTPS: the connections DynamoDB's endpoint accepted in init and in the first invocation. */
    private static String connections(Map<String, Double> figures) {
        Double init = figures.get(Figure.INIT_CONNECTIONS.key());
        Double invocation = figures.get(Figure.INVOCATION_CONNECTIONS.key());
        return init == null ? "" : String.format(Locale.ROOT, "  TLS connections %.0f+%.0f", init, invocation);
    }

    private Path profiler() {
        if (profiler == null) {
            profiler = CpuProfile.library(options.out().resolve("profiler"));
        }
        return profiler;
    }

    private static String fileName(String key) {
        return key.replace('/', '-').replace('@', '-');
    }

    /** The functions and variants to run; those that cannot run are recorded with the reason. */
    private List<Target> targets(Results results) {
        List<String> functions = new ArrayList<>(options.routes());
        if (options.baseline()) {
            functions.add(Target.BASELINE);
        }
        List<Target> targets = new ArrayList<>();
        List<Jdk> jdks = new ArrayList<>();
        List<String> missingJdks = new ArrayList<>();
        for (String spec : options.jdks()) {
            Jdk.find(spec).ifPresentOrElse(jdks::add, () -> missingJdks.add(spec));
        }
        boolean wantsJvm = options.variants().stream().anyMatch(v -> v.startsWith("jvm"));
        for (String function : functions) {
            Path zipPath = zipOf(function);
            String zipName = Output.display(project, zipPath);
            if (wantsJvm && !options.noBuild()) {
                freshJvmZip(function, zipPath);
            }
            Optional<FunctionZip> zip = Files.isRegularFile(zipPath) ? Optional.of(FunctionZip.open(zipPath)) : Optional.empty();
            for (String variant : options.variants()) {
                if (variant.equals("native")) {
                    if (zip.isPresent() && zip.get().kind() == FunctionZip.Kind.NATIVE) {
                        Path root = zip.get().unpack(options.out().resolve("task/" + function + "-native"));
                        targets.add(new Target(function, variant, null, FunctionZip.Kind.NATIVE, root));
                    } else {
                        results.variants.add(Variant.skipped(Target.key(function, variant, null), function, variant,
                                null, "not-built", zipName + (zip.isPresent() ? " is a JVM build" : " does not exist")
                                        + "; a native build needs GraalVM/Mandrel or a container engine"
                                        + " (./mvnw package -Pnative); then pass it with --function-zip"));
                    }
                    continue;
                }
                for (String spec : missingJdks) {
                    results.variants.add(Variant.skipped(function + "/" + variant + "@" + spec, function, variant,
                            null, "unavailable", "no JDK " + spec + " found (" + Jdk.SEARCHED + ")"));
                }
                for (Jdk jdk : jdks) {
                    if (zip.isEmpty() || zip.get().kind() != FunctionZip.Kind.JVM) {
                        results.variants.add(Variant.skipped(Target.key(function, variant, jdk.feature()), function,
                                variant, jdk.version(), "not-built", zipName + (zip.isEmpty() ? " does not exist" : " is a native build")
                                        + "; JVM variants need a JVM build (" + buildCommand(function) + ")"));
                        continue;
                    }
                    Path root = zip.get().unpack(options.out().resolve("task/" + function + "-jvm"));
                    targets.add(new Target(function, variant, jdk, FunctionZip.Kind.JVM, root));
                }
            }
        }
        return targets;
    }

    private Path zipOf(String function) {
        if (!Target.BASELINE.equals(function)) {
            return options.functionZip() != null ? options.functionZip() : project.resolve("target/function.zip");
        }
        return options.baselineZip() != null ? options.baselineZip() : project.resolve("tools/baseline/target/function.zip");
    }

    private PackageBuild builder(String function) {
        return Target.BASELINE.equals(function) ? PackageBuild.baseline(project) : PackageBuild.function(project);
    }

    private static String buildCommand(String function) {
        return Target.BASELINE.equals(function) ? "./mvnw -f tools/pom.xml -pl baseline package -DskipTests"
                : "./mvnw package -DskipTests";
    }

    /** Rebuilds a missing or stale JVM zip; a native zip is left alone (rebuilding would replace it). */
    private void freshJvmZip(String function, Path zipPath) {
        if (Target.BASELINE.equals(function) ? options.baselineZip() != null : options.functionZip() != null) {
            return; // the user chose this zip
        }
        if (Files.isRegularFile(zipPath) && FunctionZip.open(zipPath).kind() == FunctionZip.Kind.NATIVE) {
            return;
        }
        PackageBuild build = builder(function);
        if (build.stale()) {
            out.println("[" + function + "] " + Output.display(project, zipPath) + " is missing or older than its sources;"
                    + " building it: " + buildCommand(function));
            build.build();
        }
    }

    /**
     * A user's first connection under the JWT authorizer waits for two cold starts in series: the authorizer's,
     * then $connect's. For each variant and memory setting measured on both routes, the sum of their medians.
     */
    private static void addFirstConnections(Results results, List<Cell> cells) {
        for (Cell authorize : cells) {
            Target t = authorize.target();
            if (!t.authorizes()) {
                continue;
            }
            String connect = Target.key(Target.CONNECT, t.variant(), t.jdk() == null ? null : t.jdk().feature())
                    + "/" + authorize.limits().label();
            results.addInSeries(authorize.key(), connect);
        }
    }

    /** Ratios at the same memory setting: to the baseline, jvm-cds to jvm, native to jvm. */
    private static void addRatios(Results results, List<Cell> cells) {
        for (Cell c : cells) {
            Target t = c.target();
            String size = "/" + c.limits().label();
            if (Target.CONNECT.equals(t.function())) {
                results.addRatios(c.key(), Target.key(Target.BASELINE, t.variant(), t.jdk() == null ? null : t.jdk().feature()) + size);
            }
        }
        for (Cell c : cells) {
            Target t = c.target();
            if ("jvm-cds".equals(t.variant())) {
                results.addRatios(c.key(), Target.key(t.function(), "jvm", t.jdk().feature()) + "/" + c.limits().label());
            }
        }
        for (Cell c : cells) {
            Target t = c.target();
            if ("native".equals(t.variant())) {
                cells.stream().filter(o -> o.target().function().equals(t.function()) && "jvm".equals(o.target().variant())
                        && o.limits().equals(c.limits())).findFirst().ifPresent(jvm -> results.addRatios(c.key(), jvm.key()));
            }
        }
    }
}
