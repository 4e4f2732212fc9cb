package io.serverlesschat.coldstart;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One thing measured: a function on a runtime (local) or a deployed function (AWS). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"key", "function", "variant", "jdk", "memoryMb", "limits", "status", "reason", "details", "summary",
    "cost", "runs"})
public final class Variant {
    public final String key;
    public final String function;
    public final String variant;
    /** The JDK's full version for JVM variants. */
    public final String jdk;
    /** The memory setting (local: imposed with its CPU share unless {@code limits} says otherwise). */
    public Integer memoryMb;
    /** What was imposed: the CPU share, the init model, the memory limit; or "none". */
    public String limits;
    /** "ran", or "not-built" / "unavailable" with a reason: never a made-up figure. */
    public String status = "ran";
    public String reason;
    public final Map<String, Object> details = new LinkedHashMap<>();
    public final List<Run> runs = new ArrayList<>();

    public Variant(String key, String function, String variant, String jdk) {
        this.key = key;
        this.function = function;
        this.variant = variant;
        this.jdk = jdk;
    }

    public static Variant skipped(String key, String function, String variant, String jdk, String status, String reason) {
        Variant v = new Variant(key, function, variant, jdk);
        v.status = status;
        v.reason = reason;
        return v;
    }

    /** Stats per figure over the measured (non-warm-up) runs that succeeded. */
    public Map<String, Stats> getSummary() {
        Map<String, Stats> summary = new LinkedHashMap<>();
        List<Run> measured = runs.stream().filter(r -> !r.warmup() && r.ok()).toList();
        if (measured.isEmpty()) {
            return summary;
        }
        Set<String> keys = new LinkedHashSet<>();
        measured.forEach(r -> keys.addAll(r.figures().keySet()));
        for (String figure : keys) {
            List<Double> values = measured.stream().map(r -> r.figures().get(figure)).filter(v -> v != null).toList();
            if (!values.isEmpty()) {
                summary.put(figure, Stats.of(values));
            }
        }
        return summary;
    }

    /** What the median cold start costs on Lambda at this memory setting; none without one or a total. */
    public ColdStartCost getCost() {
        Stats total = getSummary().get(Figure.TOTAL.key());
        Stats aws = getSummary().get(Figure.AWS_COLD_START.key());
        Stats median = total != null ? total : aws;
        boolean imposed = limits == null || !limits.startsWith("none");
        return memoryMb == null || median == null || !imposed ? null : ColdStartCost.of(memoryMb, median.p50());
    }

    /**
     * One cold start. {@code figures} holds the keys of {@link Figure}; {@code status} is the function's
     * statusCode; {@code loadAverage} the machine's 1-minute load average as the run began (local mode).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Run(int run, boolean warmup, Map<String, Double> figures, Integer status, boolean ok, String error,
            Double loadAverage) {

        public Run(int run, boolean warmup, Map<String, Double> figures, Integer status, boolean ok, String error) {
            this(run, warmup, figures, status, ok, error, null);
        }
    }
}
