package io.serverlesschat.coldstart;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The benchmark's Markdown table: min / p50 / p90 / max per figure and variant, and the ratios. */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(Results results) {
        StringBuilder md = new StringBuilder();
        md.append("# Cold-start benchmark (").append(results.mode).append(")\n\n");
        md.append("Started ").append(results.startedAt).append(", finished ").append(results.finishedAt).append(". ");
        md.append("Machine: ").append(results.machine.getOrDefault("description", "?")).append(".\n");
        md.append("Settings: ").append(results.settings).append(".\n");
        md.append("Percentiles are nearest-rank over the measured runs (warm-up runs left out).\n\n");

        md.append("| variant | JDK | figure | n | min | p50 | p90 | max | p50 / baseline |\n");
        md.append("|---|---|---|--:|--:|--:|--:|--:|--:|\n");
        for (Results.Variant v : results.variants) {
            Map<String, Stats> summary = v.getSummary();
            if (summary.isEmpty()) {
                continue;
            }
            for (Figure f : results.figures) {
                Stats s = summary.get(f.key());
                if (s == null) {
                    continue;
                }
                md.append("| ").append(v.key).append(" | ").append(v.jdk == null ? "-" : v.jdk)
                        .append(" | ").append(f.label()).append(" (").append(f.unit()).append(") | ").append(s.n())
                        .append(" | ").append(num(s.min())).append(" | **").append(num(s.p50())).append("** | ")
                        .append(num(s.p90())).append(" | ").append(num(s.max())).append(" | ")
                        .append(baselineRatio(results, v, f).map(MarkdownReport::ratio).orElse("-")).append(" |\n");
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

        boolean skipped = false;
        for (Results.Variant v : results.variants) {
            if (!"ran".equals(v.status)) {
                if (!skipped) {
                    md.append("\nNot measured:\n\n");
                    skipped = true;
                }
                md.append("- ").append(v.key).append(": ").append(v.status).append(" (").append(v.reason).append(")\n");
            }
        }
        long failed = results.variants.stream().flatMap(v -> v.runs.stream()).filter(r -> !r.ok()).count();
        if (failed > 0) {
            md.append("\n**").append(failed).append(" run(s) failed**; see results.json.\n");
        }
        return md.toString();
    }

    /** The ratio of a function's variant to the same variant of the baseline; none for the baseline itself. */
    private static Optional<Double> baselineRatio(Results results, Results.Variant v, Figure f) {
        if (ColdStart.BASELINE.equals(v.function)) {
            return Optional.empty();
        }
        return results.ratios.stream()
                .filter(r -> r.of().equals(v.key) && r.figure().equals(f.key()) && r.to().startsWith(ColdStart.BASELINE + "/"))
                .map(Results.Ratio::p50Ratio).findFirst();
    }

    private static String label(Results results, String key) {
        return results.figures.stream().filter(f -> f.key().equals(key)).map(Figure::label).findFirst().orElse(key);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }

    static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
