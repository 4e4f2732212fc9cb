package io.serverlesschat.coldstart;

import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The benchmark's Markdown report: how it ran (machine, load, limits), min / p10 / p50 / p90 (/ p99 on AWS)
 * / max per figure and variant, the ratios, and what a cold start costs at each memory setting.
 */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(Results results) {
        StringBuilder md = new StringBuilder();
        md.append("# Cold-start benchmark (").append(results.mode).append(")\n\n");
        md.append("Started ").append(results.startedAt).append(", finished ").append(results.finishedAt).append(". ");
        md.append("Machine: ").append(results.machine.getOrDefault("description", "?")).append(".\n");
        if (results.machine.containsKey("loadAverageAtStart")) {
            md.append("Load average (1, 5, 15 min): ").append(results.machine.get("loadAverageAtStart")).append(" at the start, ")
                    .append(results.machine.getOrDefault("loadAverageAtEnd", "?")).append(" at the end");
            loadOfRuns(results).ifPresent(s -> md.append(String.format(Locale.ROOT,
                    "; 1-minute load as the runs began: min %.2f, mean %.2f, max %.2f", s.getMin(), s.getAverage(), s.getMax())));
            md.append(". The machine is shared: wall times move with its load, CPU times much less.\n");
        }
        settings(md, results);
        md.append("Percentiles are nearest-rank over the measured runs (warm-up runs left out).\n\n");

        // On AWS (real traffic above all) the tail matters: p99 too. Locally, with tens of runs, p99 is the max.
        boolean p99 = results.mode.equals("aws");
        md.append("| variant | JDK | figure | n | min | p10 | p50 | p90 |").append(p99 ? " p99 |" : "").append(" max | p50 / baseline |\n");
        md.append("|---|---|---|--:|--:|--:|--:|--:|").append(p99 ? "--:|" : "").append("--:|--:|\n");
        for (Variant v : results.variants) {
            Map<String, Stats> summary = v.getSummary();
            for (Figure f : results.figures) {
                Stats s = summary.get(f.key());
                if (s == null) {
                    continue;
                }
                md.append("| ").append(v.key).append(" | ").append(v.jdk == null ? "-" : v.jdk)
                        .append(" | ").append(f.label()).append(" (").append(f.unit()).append(") | ").append(s.n())
                        .append(" | ").append(num(s.min())).append(" | ").append(num(s.p10())).append(" | **")
                        .append(num(s.p50())).append("** | ").append(num(s.p90())).append(" | ")
                        .append(p99 ? num(s.p99()) + " | " : "").append(num(s.max()))
                        .append(" | ").append(baselineRatio(results, v, f).map(MarkdownReport::ratio).orElse("-")).append(" |\n");
            }
        }

        if (!results.ratios.isEmpty()) {
            md.append("\nRatios of medians (below 1: the first is faster or smaller):\n\n");
            md.append("| figure | of | to | p50 ratio |\n|---|---|---|--:|\n");
            for (Results.Ratio r : results.ratios) {
                md.append("| ").append(label(results, r.figure())).append(" | ").append(r.of()).append(" | ")
                        .append(r.to()).append(" | ").append(ratio(r.p50Ratio())).append(" |\n");
            }
        }

        if (!results.inSeries.isEmpty()) {
            md.append("\nIn series: a user's first connection under the JWT authorizer waits for the authorizer's cold start,"
                    + " then $connect's (sums of medians):\n\n");
            md.append("| figure | first | p50 | then | p50 | sum |\n|---|---|--:|---|--:|--:|\n");
            for (Results.InSeries s : results.inSeries) {
                md.append("| ").append(label(results, s.figure())).append(" | ").append(s.first()).append(" | ")
                        .append(num(s.p50First())).append(" | ").append(s.then()).append(" | ").append(num(s.p50Then()))
                        .append(" | **").append(num(s.p50Sum())).append("** |\n");
            }
        }

        costs(md, results);

        boolean skipped = false;
        for (Variant v : results.variants) {
            if (!"ran".equals(v.status)) {
                if (!skipped) {
                    md.append("\nNot measured:\n\n");
                    skipped = true;
                }
                md.append("- ").append(v.key).append(": ").append(v.status).append(" (").append(v.reason).append(")\n");
            }
        }
        List<String> failures = results.variants.stream().flatMap(v -> v.runs.stream().filter(r -> !r.ok())
                .map(r -> v.key + (r.warmup() ? " warm-up " : " run ") + r.run() + ": " + firstLine(r.error()))).toList();
        if (!failures.isEmpty()) {
            md.append("\n**").append(failures.size()).append(" run(s) failed**:\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        return md.toString();
    }

    private static void settings(StringBuilder md, Results results) {
        Map<String, Object> s = results.settings;
        if (s.get("limits") instanceof Map<?, ?> limits) {
            md.append("Limits per memory setting (cgroups: ").append(s.getOrDefault("cgroups", "?")).append("):\n");
            limits.forEach((size, what) -> md.append("- ").append(size).append(": ").append(what).append('\n'));
            md.append("CPU time: ").append(s.getOrDefault("cpuTime", "?")).append(".\n");
            md.append("Runs: ").append(s.get("runs")).append(" measured + ").append(s.get("warmup"))
                    .append(" warm-up per variant; DynamoDB: ").append(dynamoDb(s.get("dynamoDb"))).append(".\n");
        } else {
            md.append("Settings: ").append(s).append(".\n");
        }
    }

    /** --dynamodb's protocol and what served it; the trust stores are in results.json. */
    private static String dynamoDb(Object setting) {
        if (setting instanceof Map<?, ?> access) {
            return access.get("protocol") + " (" + access.get("endpoint") + ")";
        }
        return String.valueOf(setting);
    }

    private static Optional<DoubleSummaryStatistics> loadOfRuns(Results results) {
        DoubleSummaryStatistics stats = results.variants.stream().flatMap(v -> v.runs.stream())
                .map(Variant.Run::loadAverage).filter(Objects::nonNull).mapToDouble(Double::doubleValue).summaryStatistics();
        return stats.getCount() == 0 ? Optional.empty() : Optional.of(stats);
    }

    /** What the median cold start of each variant would be billed on Lambda at its memory setting. */
    private static void costs(StringBuilder md, Results results) {
        List<Variant> priced = results.variants.stream().filter(v -> v.getCost() != null).toList();
        if (priced.isEmpty()) {
            return;
        }
        md.append("\nWhat one cold start costs on Lambda at these times (billed: the p50 ")
                .append(results.mode.equals("local") ? "total, exec to answer" : "init + duration")
                .append(", rounded up to 1 ms, at the memory setting; ").append(ColdStartCost.PRICES).append("):\n\n");
        md.append("| variant | memory | billed (ms) | GB-s | x86_64, $ per million cold starts | arm64, $ per million cold starts |\n");
        md.append("|---|--:|--:|--:|--:|--:|\n");
        for (Variant v : priced) {
            ColdStartCost c = v.getCost();
            md.append(String.format(Locale.ROOT, "| %s | %d MB | %d | %.4f | %.2f | %.2f |%n", v.key, c.memoryMb(), c.billedMs(),
                    c.gbSeconds(), c.usdX86() * 1e6, c.usdArm64() * 1e6));
        }
    }

    /** The ratio of a function's variant to the same variant of the baseline; none for the baseline itself. */
    private static Optional<Double> baselineRatio(Results results, Variant v, Figure f) {
        if (Target.BASELINE.equals(v.function)) {
            return Optional.empty();
        }
        return results.ratios.stream()
                .filter(r -> r.of().equals(v.key) && r.figure().equals(f.key()) && r.to().startsWith(Target.BASELINE + "/"))
                .map(Results.Ratio::p50Ratio).findFirst();
    }

    private static String label(Results results, String key) {
        return results.figures.stream().filter(f -> f.key().equals(key)).map(Figure::label).findFirst().orElse(key);
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }

    static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }

    static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
