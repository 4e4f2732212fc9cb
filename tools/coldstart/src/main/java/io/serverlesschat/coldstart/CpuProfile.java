package io.serverlesschat.coldstart;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where a JVM cold start's CPU goes (--cpu-profile): async-profiler samples every thread's CPU each
 * millisecond from exec to exit, and each sample is put in the first phase of {@link #PHASES} its stack
 * matches, so the phases add up to the samples. The phases follow the function's path: the JVM and AWS's
 * runtime client, Quarkus' boot, the DynamoDB extension and SDK client, the start-up priming, the first
 * invocation; the JIT compiler and GC threads apart.
 */
final class CpuProfile {

    /** Sampling interval: one sample is a millisecond of CPU. */
    static final double MILLIS_PER_SAMPLE = 1.0;

    /** A phase of the cold start: its name and the stacks (thread frame first) that belong to it. */
    record Phase(String name, Predicate<String> stack) {
    }

    static final List<Phase> PHASES = List.of(
            new Phase("JIT compiler threads", s -> thread(s).contains("CompilerThre")),
            new Phase("GC and VM threads", s -> thread(s).contains("VM Thread") || thread(s).contains("GC")),
            new Phase("other threads (the stop after the answer among them)", s -> !thread(s).startsWith("[main")),
            // Over HTTPS: the handshake, wherever it happens (priming's connection, or the first write's).
            new Phase("TLS handshake (the connection to DynamoDB)", s -> s.contains("SSLSocketImpl.startHandshake")),
            new Phase("first invocation: PutItem", s -> s.contains("AmazonLambdaRecorder.handle")
                    && s.contains("DynamoDbClient.putItem")),
            new Phase("first invocation: the rest (event JSON, handler, answer)", s -> s.contains("AmazonLambdaRecorder.handle")),
            new Phase("init: priming the first write (pipeline, connection)", s -> s.contains("ConnectionTable.prime")),
            new Phase("init: SDK client: metadata of every AWS service", s -> s.contains("regions/internal/MetadataLoader.<clinit>")),
            new Phase("init: SDK client: TLS context (trust store)", s -> s.contains("UrlConnectionHttpClient.getSslContext")),
            new Phase("init: SDK client: the rest of its build", s -> s.contains("DynamoDbClientProducer.dynamoDbClient")),
            new Phase("init: the DynamoDB extension's start-up steps", s -> s.contains("io/quarkus/runner/recorded/")
                    && (s.contains("AmazonClient") || s.contains("DynamoDb") || s.contains("UrlConnectionTransport"))),
            new Phase("init: Quarkus boot (config, CDI, logging, Jackson, handler)", s -> s.contains("io/quarkus/")),
            new Phase("init: JVM start and AWS's runtime client", s -> true));

    /** Not a phase: the share of all samples spent loading, linking and initialising classes. */
    static final Predicate<String> CLASS_LOADING = s -> s.contains("ClassLoader.loadClass") || s.contains("ClassLoader.defineClass")
            || s.contains("Class.forName") || s.contains("SystemDictionary::") || s.contains("linkCallSite")
            || s.contains("InterpreterRuntime::_new") || s.contains("InstanceKlass::initialize");

    /**
     * Not a phase either: Quarkus' configuration, built twice at start-up. The run-time config
     * ({@code Config.readConfig}) is built at every start, native too; the static-init config
     * ({@code Config.<clinit>}) only on the JVM (a native build runs it at build time).
     */
    static final Predicate<String> RUNTIME_CONFIG = s -> s.contains("io/quarkus/runtime/generated/Config.readConfig");
    static final Predicate<String> STATIC_INIT_CONFIG = s -> s.contains("io/quarkus/runtime/generated/Config.<clinit>");

    /** One profiled cold start: milliseconds of CPU per phase (in {@link #PHASES}' order), in class loading and in configuration. */
    record Breakdown(Map<String, Double> phases, double classLoading, double runtimeConfig, double staticInitConfig, double total) {
    }

    private CpuProfile() {
    }

    private static String thread(String stack) {
        int end = stack.indexOf(';');
        return end < 0 ? stack : stack.substring(0, end);
    }

    /** The agent option that profiles a JVM into {@code output} (collapsed stacks, one line per stack). */
    static String agentOption(Path library, Path output) {
        return "-agentpath:" + library + "=start,event=cpu,interval=" + (long) (MILLIS_PER_SAMPLE * 1_000_000)
                + "ns,threads,collapsed,file=" + output;
    }

    /** async-profiler's library for this machine, copied out of its jar (a tooling dependency) into {@code dir}. */
    static Path library(Path dir) {
        String platform = System.getProperty("os.arch").equals("aarch64") ? "linux-arm64" : "linux-x64";
        String resource = "/" + platform + "/libasyncProfiler.so";
        try (InputStream in = CpuProfile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no " + resource + " on the class path (tools.profiler:async-profiler)");
            }
            Files.createDirectories(dir);
            Path library = dir.resolve("libasyncProfiler.so");
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            return library;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The breakdown of one profile in collapsed format ("frame;frame;... count" per line). */
    static Breakdown read(Path collapsed) {
        try {
            return read(Files.readAllLines(collapsed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Breakdown read(List<String> lines) {
        Map<String, Double> phases = new LinkedHashMap<>();
        PHASES.forEach(p -> phases.put(p.name(), 0.0));
        double classLoading = 0;
        double runtimeConfig = 0;
        double staticInitConfig = 0;
        double total = 0;
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String stack = line.substring(0, space);
            double millis = Long.parseLong(line.substring(space + 1).strip()) * MILLIS_PER_SAMPLE;
            String phase = PHASES.stream().filter(p -> p.stack().test(stack)).findFirst().orElseThrow().name();
            phases.merge(phase, millis, Double::sum);
            if (CLASS_LOADING.test(stack)) {
                classLoading += millis;
            }
            if (RUNTIME_CONFIG.test(stack)) {
                runtimeConfig += millis;
            }
            if (STATIC_INIT_CONFIG.test(stack)) {
                staticInitConfig += millis;
            }
            total += millis;
        }
        return new Breakdown(phases, classLoading, runtimeConfig, staticInitConfig, total);
    }

    /**
     * profile.md: per variant, the median over its profiled runs of each phase's CPU milliseconds and its
     * share of the total. Medians of parts need not add up to the median total; the shares are of the sum.
     */
    static String markdown(Map<String, List<Breakdown>> byVariant) {
        StringBuilder md = new StringBuilder("# Where the cold start's CPU goes\n\n")
                .append("async-profiler, CPU samples of every thread each ").append(MILLIS_PER_SAMPLE)
                .append(" ms from exec to exit (so the figures include the profiler's own cost and the stop);")
                .append(" each sample in the first phase its stack matches (tools/coldstart CpuProfile).")
                .append(" Milliseconds of CPU, median over the profiled runs; share of the sum of the medians.\n");
        byVariant.forEach((variant, runs) -> {
            md.append("\n## ").append(variant).append(" (").append(runs.size()).append(" runs)\n\n")
                    .append("| phase | CPU ms | share |\n|---|--:|--:|\n");
            Map<String, Double> medians = new LinkedHashMap<>();
            for (Phase phase : PHASES) {
                medians.put(phase.name(), median(runs.stream().map(b -> b.phases().get(phase.name())).toList()));
            }
            double sum = medians.values().stream().mapToDouble(Double::doubleValue).sum();
            medians.forEach((phase, ms) -> {
                if (ms > 0) {
                    md.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f %% |%n", phase, ms, 100 * ms / sum));
                }
            });
            md.append(String.format(Locale.ROOT, "| **all samples** | **%.0f** | |%n",
                    median(runs.stream().map(Breakdown::total).toList())));
            md.append(String.format(Locale.ROOT, "| of which loading, linking and initialising classes | %.0f | |%n",
                    median(runs.stream().map(Breakdown::classLoading).toList())));
            md.append(String.format(Locale.ROOT, "| of which run-time configuration (`Config.readConfig`, native too) | %.0f | |%n",
                    median(runs.stream().map(Breakdown::runtimeConfig).toList())));
            md.append(String.format(Locale.ROOT, "| of which static-init configuration (`Config.<clinit>`, JVM only) | %.0f | |%n",
                    median(runs.stream().map(Breakdown::staticInitConfig).toList())));
        });
        return md.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.isEmpty() ? 0 : sorted.get((sorted.size() + 1) / 2 - 1);
    }
}
