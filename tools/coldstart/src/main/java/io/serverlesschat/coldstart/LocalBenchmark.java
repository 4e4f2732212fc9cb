package io.serverlesschat.coldstart;

import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.local.FunctionZip;
import io.serverlesschat.local.PackageBuild;
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
 * Local mode: every requested variant of the function (and of the baseline) started cold, again and
 * again, against a local Runtime API and a real local DynamoDB (moto). Runs of the variants are
 * interleaved, so that the machine's drifting load falls on all of them alike.
 */
final class LocalBenchmark {

    private final ColdStart.Options options;
    private final Path project;
    private final PrintStream out;

    LocalBenchmark(ColdStart.Options options, Path project, PrintStream out) {
        this.options = options;
        this.project = project;
        this.out = out;
    }

    Results run() throws Exception {
        Results results = new Results("local", Figure.LOCAL);
        results.startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        results.machine.putAll(Machine.describe());
        results.settings.put("runs", options.runs());
        results.settings.put("warmup", options.warmup());
        results.settings.put("memoryMb", options.memoryMb());
        results.settings.put("jvmFlags", "AWS java17+ runtime flags: " + String.join(" ",
                io.serverlesschat.local.FunctionLauncher.awsJvmOptions(options.memoryMb())));
        results.settings.put("runtimeInterfaceClient", "com.amazonaws:aws-lambda-java-runtime-interface-client:2.10.1");

        List<Target> targets = targets(results);
        if (targets.isEmpty()) {
            out.println("nothing to run: " + results.variants.stream().map(v -> v.key + " " + v.status + " (" + v.reason + ")").toList());
            results.finishedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            return results;
        }

        try (LocalDynamoDb dynamo = LocalDynamoDb.start()) {
            dynamo.createTable(LocalColdStart.TABLE, "connectionId", "expiresAt");
            results.settings.put("dynamoDb", dynamo.ownsServer() ? "moto_server started by the benchmark" : "DYNAMODB_ENDPOINT");
            ConnectEvents events = new ConnectEvents(options.event() != null ? options.event()
                    : project.resolve("src/test/resources/events/connect.json"));
            LocalColdStart coldStart = new LocalColdStart(dynamo.endpoint(), events,
                    id -> dynamo.client().getItem(g -> g.tableName(LocalColdStart.TABLE)
                            .key(Map.of("connectionId", AttributeValue.fromS(id)))).hasItem(),
                    options.memoryMb(), Duration.ofSeconds(options.timeoutSeconds()));
            Path logs = options.out().resolve("logs");
            Files.createDirectories(logs);

            Map<Target, List<String>> jvmOptions = new LinkedHashMap<>();
            ClassDataCache caches = new ClassDataCache(options.out().resolve("cache"));
            for (Target target : targets) {
                Results.Variant variant = results.variant(target.key()).orElseThrow();
                if ("jvm-cds".equals(target.variant())) {
                    out.printf("[%s] building the class-data archive (one training cold start) ...%n", target.key());
                    try {
                        ClassDataCache.Built built = caches.ensure(target, zipOf(target.function()), training -> coldStart.run(
                                target, training, 0, true, logs.resolve(fileName(target) + "-training.log"),
                                ClassDataCache.trainingStopGrace()));
                        out.printf("[%s] %s: %s, %.1f MB%s%n", target.key(), built.reused() ? "reused" : "built",
                                built.file(), built.sizeBytes() / 1e6,
                                built.reused() ? "" : String.format(Locale.ROOT, " in %.1f s", built.trainingMs() / 1000));
                        variant.details.put("classDataCache", built.describe());
                        jvmOptions.put(target, built.jvmOptions());
                    } catch (RuntimeException e) {
                        variant.runs.add(new Results.Run(0, true, Map.of(), null, false, "class-data archive: " + e.getMessage()));
                        out.printf("[%s] FAILED to build its archive: %s%n", target.key(), e.getMessage());
                    }
                } else {
                    jvmOptions.put(target, List.of());
                }
            }

            int width = targets.stream().mapToInt(t -> t.key().length()).max().orElse(10);
            for (int w = 1; w <= options.warmup(); w++) {
                for (Target target : jvmOptions.keySet()) {
                    measure(coldStart, target, jvmOptions.get(target), w, true, logs, results, width);
                }
            }
            for (int i = 1; i <= options.runs(); i++) {
                for (Target target : jvmOptions.keySet()) {
                    measure(coldStart, target, jvmOptions.get(target), i, false, logs, results, width);
                }
            }
        }

        addRatios(results, targets);
        results.finishedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return results;
    }

    private void measure(LocalColdStart coldStart, Target target, List<String> jvmOptions, int index, boolean warmup,
            Path logs, Results results, int width) {
        Results.Variant variant = results.variant(target.key()).orElseThrow();
        Path log = logs.resolve(fileName(target) + (warmup ? "-warmup" : "-run") + index + ".log");
        Results.Run run = coldStart.run(target, jvmOptions, index, warmup, log);
        variant.runs.add(run);
        String which = warmup ? String.format(Locale.ROOT, "warm-up %d/%d", index, options.warmup())
                : String.format(Locale.ROOT, "run %2d/%d", index, options.runs());
        if (run.ok()) {
            Map<String, Double> f = run.figures();
            out.printf(Locale.ROOT, "%-14s %-" + width + "s  init %5.0f ms  invocation %4.0f ms  total %5.0f ms  peak RSS %4.0f MB  %d%n",
                    which, target.key(), f.get(Figure.INIT.key()), f.get(Figure.INVOCATION.key()), f.get(Figure.TOTAL.key()),
                    f.get(Figure.PEAK_RSS.key()), run.status());
        } else {
            out.printf("%-14s %-" + width + "s  FAILED: %s (log: %s)%n", which, target.key(), run.error(), log);
        }
    }

    private static String fileName(Target target) {
        return target.key().replace('/', '-').replace('@', '-');
    }

    /** The functions and variants to run; those that cannot run are recorded with the reason. */
    private List<Target> targets(Results results) {
        List<String> functions = new ArrayList<>(List.of(ColdStart.CONNECT));
        if (options.baseline()) {
            functions.add(ColdStart.BASELINE);
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
            if (wantsJvm && !options.noBuild()) {
                freshJvmZip(function, zipPath);
            }
            Optional<FunctionZip> zip = Files.isRegularFile(zipPath) ? Optional.of(FunctionZip.open(zipPath)) : Optional.empty();
            for (String variant : options.variants()) {
                if (variant.equals("native")) {
                    String key = Target.key(function, variant, null);
                    if (zip.isPresent() && zip.get().kind() == FunctionZip.Kind.NATIVE) {
                        Path root = zip.get().unpack(options.out().resolve("task/" + function + "-native"));
                        targets.add(new Target(function, variant, null, FunctionZip.Kind.NATIVE, root));
                        results.variants.add(new Results.Variant(key, function, variant, null));
                        results.variant(key).orElseThrow().details.put("zip", zipPath.toString());
                    } else {
                        results.variants.add(Results.Variant.skipped(key, function, variant, null, "not-built",
                                zipPath + (zip.isPresent() ? " is a JVM build" : " does not exist")
                                        + "; a native build needs GraalVM/Mandrel or a container engine"
                                        + " (./mvnw package -Pnative);"
                                        + " then pass it with --function-zip"));
                    }
                    continue;
                }
                for (String spec : missingJdks) {
                    results.variants.add(Results.Variant.skipped(function + "/" + variant + "@" + spec, function, variant,
                            null, "unavailable", "no JDK " + spec + " found (java.home, $JAVA_HOME, /usr/lib/jvm)"));
                }
                for (Jdk jdk : jdks) {
                    String key = Target.key(function, variant, jdk.feature());
                    if (zip.isEmpty() || zip.get().kind() != FunctionZip.Kind.JVM) {
                        results.variants.add(Results.Variant.skipped(key, function, variant, jdk.version(), "not-built",
                                zipPath + (zip.isEmpty() ? " does not exist" : " is a native build")
                                        + "; JVM variants need a JVM build (" + builder(function).describe() + ")"));
                        continue;
                    }
                    Path root = zip.get().unpack(options.out().resolve("task/" + function + "-jvm"));
                    targets.add(new Target(function, variant, jdk, FunctionZip.Kind.JVM, root));
                    Results.Variant v = new Results.Variant(key, function, variant, jdk.version());
                    v.details.put("zip", zipPath.toString());
                    v.details.put("javaHome", jdk.home().toString());
                    results.variants.add(v);
                }
            }
        }
        return targets;
    }

    private Path zipOf(String function) {
        if (ColdStart.CONNECT.equals(function)) {
            return options.functionZip() != null ? options.functionZip() : project.resolve("target/function.zip");
        }
        return project.resolve("tools/baseline/target/function.zip");
    }

    private PackageBuild builder(String function) {
        return ColdStart.CONNECT.equals(function) ? PackageBuild.function(project) : PackageBuild.baseline(project);
    }

    /** Rebuilds a missing or stale JVM zip; a native zip is left alone (rebuilding would replace it). */
    private void freshJvmZip(String function, Path zipPath) {
        if (options.functionZip() != null && ColdStart.CONNECT.equals(function)) {
            return; // the user chose this zip
        }
        if (Files.isRegularFile(zipPath) && FunctionZip.open(zipPath).kind() == FunctionZip.Kind.NATIVE) {
            return;
        }
        PackageBuild build = builder(function);
        if (build.stale()) {
            out.println("[" + function + "] " + zipPath + " is missing or older than its sources; building it: " + build.describe());
            build.build();
        }
    }

    private void addRatios(Results results, List<Target> targets) {
        for (Target t : targets) {
            if (ColdStart.CONNECT.equals(t.function())) {
                results.addRatios(t.key(), Target.key(ColdStart.BASELINE, t.variant(), t.jdk() == null ? null : t.jdk().feature()));
            }
        }
        for (Target t : targets) {
            if ("jvm-cds".equals(t.variant())) {
                results.addRatios(t.key(), Target.key(t.function(), "jvm", t.jdk().feature()));
            }
        }
        for (Target t : targets) {
            if ("native".equals(t.variant())) {
                targets.stream().filter(o -> o.function().equals(t.function()) && "jvm".equals(o.variant())).findFirst()
                        .ifPresent(jvm -> results.addRatios(t.key(), jvm.key()));
            }
        }
    }
}
