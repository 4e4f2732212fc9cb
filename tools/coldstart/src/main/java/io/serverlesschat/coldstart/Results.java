package io.serverlesschat.coldstart;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything one benchmark measured; written as results.json (schema in docs/benchmark.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schema", "mode", "startedAt", "finishedAt", "machine", "settings", "figures", "variants", "ratios",
    "inSeries"})
public final class Results {

    public static final int SCHEMA = 2;

    public final int schema = SCHEMA;
    public final String mode;
    public String startedAt;
    public String finishedAt;
    public final Map<String, Object> machine = new LinkedHashMap<>();
    public final Map<String, Object> settings = new LinkedHashMap<>();
    public final List<Figure> figures;
    public final List<Variant> variants = new ArrayList<>();
    public final List<Ratio> ratios = new ArrayList<>();
    /** Cold starts that one request waits for one after the other (the authorizer's, then $connect's). */
    public final List<InSeries> inSeries = new ArrayList<>();

    public Results(String mode, List<Figure> figures) {
        this.mode = mode;
        this.figures = figures;
    }

    public Optional<Variant> variant(String key) {
        return variants.stream().filter(v -> v.key.equals(key)).findFirst();
    }

    /** Any run, warm-up included, that did not answer 200 or could not be measured. */
    public boolean anyRunFailed() {
        return variants.stream().flatMap(v -> v.runs.stream()).anyMatch(r -> !r.ok());
    }

    /** p50 of {@code figure} for {@code of} divided by p50 for {@code to}. */
    public record Ratio(String figure, String of, String to, double p50Ratio) {
    }

    /** The sum of the p50s of {@code figure} for {@code first} and {@code then}: a request waits for both. */
    public record InSeries(String figure, String first, String then, double p50First, double p50Then, double p50Sum) {
    }

    /** Adds, for every figure of the whole cold start both have, the sum of two variants' p50s. */
    public void addInSeries(String first, String then) {
        Optional<Variant> a = variant(first);
        Optional<Variant> b = variant(then);
        if (a.isEmpty() || b.isEmpty()) {
            return;
        }
        for (Figure f : List.of(Figure.TOTAL, Figure.TOTAL_CPU)) {
            Stats sa = a.get().getSummary().get(f.key());
            Stats sb = b.get().getSummary().get(f.key());
            if (sa != null && sb != null) {
                inSeries.add(new InSeries(f.key(), first, then, sa.p50(), sb.p50(), sa.p50() + sb.p50()));
            }
        }
    }

    /** Adds the ratio of two variants' p50s for every figure both have. */
    public void addRatios(String of, String to) {
        Optional<Variant> a = variant(of);
        Optional<Variant> b = variant(to);
        if (a.isEmpty() || b.isEmpty()) {
            return;
        }
        Map<String, Stats> sa = a.get().getSummary();
        Map<String, Stats> sb = b.get().getSummary();
        for (Figure f : figures) {
            if (sa.containsKey(f.key()) && sb.containsKey(f.key()) && sb.get(f.key()).p50() > 0) {
                ratios.add(new Ratio(f.key(), of, to, sa.get(f.key()).p50() / sb.get(f.key()).p50()));
            }
        }
    }
}
