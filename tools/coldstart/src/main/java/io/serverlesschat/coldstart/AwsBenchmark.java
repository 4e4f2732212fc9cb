package io.serverlesschat.coldstart;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * AWS mode: N cold starts of a deployed function (and of a deployed baseline, if named), each forced by
 * {@link ColdStartForcer}, invoked with a real-shaped $connect and {@code LogType=Tail}; the figures are
 * those of Lambda's REPORT line. The items written are deleted at the end and the function's
 * environment is put back, also when a run fails.
 */
final class AwsBenchmark {

    private final ColdStartOptions options;
    private final LambdaControl lambda;
    private final ColdStartForcer forcer;
    private final ConnectionCleaner cleaner;
    private final ConnectEvents events;
    private final PrintStream out;

    AwsBenchmark(ColdStartOptions options, LambdaControl lambda, ColdStartForcer forcer, ConnectionCleaner cleaner,
            ConnectEvents events, PrintStream out) {
        this.options = options;
        this.lambda = lambda;
        this.forcer = forcer;
        this.cleaner = cleaner;
        this.events = events;
        this.out = out;
    }

    Results run() throws InterruptedException {
        Results results = new Results("aws", Figure.AWS);
        results.startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        results.machine.put("description", "AWS Lambda, " + options.region());
        results.settings.put("region", options.region());
        results.settings.put("runs", options.runs());
        results.settings.put("warmup", options.warmup());
        results.settings.put("coldStartForcedBy", "a new value of the environment variable " + ColdStartForcer.VARIABLE);

        Map<String, String> functions = new LinkedHashMap<>(); // key -> deployed function name or ARN
        functions.put(Target.CONNECT + "/" + functionName(options.function()), options.function());
        if (options.baselineFunction() != null) {
            functions.put(Target.BASELINE + "/" + functionName(options.baselineFunction()), options.baselineFunction());
        }
        Map<String, Map<String, String>> originals = new LinkedHashMap<>();
        Map<String, List<String>> written = new LinkedHashMap<>();
        for (var e : functions.entrySet()) {
            String[] parts = e.getKey().split("/", 2);
            results.variants.add(new Variant(e.getKey(), parts[0], "aws", null));
            originals.put(e.getValue(), forcer.originalEnvironment(e.getValue()));
            written.put(e.getValue(), new ArrayList<>());
        }
        int width = functions.keySet().stream().mapToInt(String::length).max().orElse(10);
        try {
            for (int i = 1; i <= options.warmup() + options.runs(); i++) {
                boolean warmup = i <= options.warmup();
                int index = warmup ? i : i - options.warmup();
                for (var e : functions.entrySet()) {
                    Variant variant = results.variant(e.getKey()).orElseThrow();
                    Variant.Run run = once(e.getValue(), originals.get(e.getValue()), written.get(e.getValue()), index, warmup,
                            variant);
                    variant.runs.add(run);
                    progress(run, e.getKey(), width);
                }
            }
        } finally {
            for (var e : originals.entrySet()) {
                forcer.restore(e.getKey(), e.getValue());
                String table = e.getValue().get("TABLE_NAME");
                List<String> ids = written.get(e.getKey());
                if (table != null && !ids.isEmpty()) {
                    int n = cleaner.delete(table, ids);
                    out.printf("deleted the %d item(s) the benchmark wrote to %s%n", n, table);
                }
            }
        }
        functions.keySet().stream().filter(k -> k.startsWith(Target.CONNECT + "/")).forEach(connect -> functions.keySet()
                .stream().filter(k -> k.startsWith(Target.BASELINE + "/")).forEach(base -> results.addRatios(connect, base)));
        results.finishedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return results;
    }

    /** One forced cold start of {@code function}. */
    Variant.Run once(String function, Map<String, String> original, List<String> written, int index, boolean warmup,
            Variant variant) throws InterruptedException {
        try {
            forcer.force(function, original, "run-" + index + "-" + UUID.randomUUID().toString().substring(0, 8));
            String connectionId = events.newConnectionId();
            written.add(connectionId);
            LambdaControl.InvokeResult result = lambda.invoke(function, events.event(connectionId));
            Optional<ReportLine> report = ReportLine.find(result.logTail());
            Integer status = LocalColdStart.statusCode(result.payload());
            Map<String, Double> figures = report.map(ReportLine::figures).orElse(Map.of());
            report.ifPresent(r -> variant.memoryMb = (int) r.memorySizeMb());
            String error = null;
            if (result.functionError() != null) {
                error = "function error (" + result.functionError() + ")";
            } else if (report.isEmpty()) {
                error = "no REPORT line in the log tail";
            } else if (!report.get().cold()) {
                error = "not a cold start: the REPORT line has no Init Duration or Restore Duration";
            } else if (status == null || status != 200) {
                error = "the function answered statusCode " + status;
            }
            return new Variant.Run(index, warmup, figures, status, error == null, error);
        } catch (RuntimeException e) {
            return new Variant.Run(index, warmup, Map.of(), null, false, e.getMessage());
        }
    }

    /** The function's name, also when given as its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]). */
    static String functionName(String nameOrArn) {
        String[] parts = nameOrArn.split(":");
        return nameOrArn.startsWith("arn:") && parts.length >= 7 ? parts[6] : nameOrArn;
    }

    private void progress(Variant.Run run, String key, int width) {
        String which = run.warmup() ? "warm-up " + run.run() : String.format(Locale.ROOT, "run %2d/%d", run.run(), options.runs());
        if (run.ok()) {
            Map<String, Double> f = run.figures();
            out.printf(Locale.ROOT, "%-14s %-" + width + "s  init %6.1f ms  duration %6.1f ms  billed %5.0f ms  max memory %4.0f MB  %d%n",
                    which, key, f.getOrDefault(Figure.AWS_INIT.key(), f.getOrDefault(Figure.AWS_RESTORE.key(), 0.0)),
                    f.get(Figure.AWS_DURATION.key()), f.get(Figure.AWS_BILLED.key()), f.get(Figure.AWS_MEMORY.key()), run.status());
        } else {
            out.printf("%-14s %-" + width + "s  FAILED: %s%n", which, key, run.error());
        }
    }
}
