package io.serverlesschat.coldstart;

import java.util.Collection;

/**
 * Order statistics of one figure over the measured runs. Percentiles are nearest-rank: p of n sorted
 * values is the value at rank ceil(p/100 * n), always one that was measured (p50 of 10 runs is the 5th,
 * p10 the 1st; p99 of fewer than 100 runs is the maximum).
 */
public record Stats(int n, double min, double p10, double p50, double p90, double p99, double max) {

    public static Stats of(Collection<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Stats(sorted.length, sorted[0], percentile(sorted, 10), percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                sorted[sorted.length - 1]);
    }

    /** Nearest-rank percentile of ascending {@code sorted}. */
    static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
