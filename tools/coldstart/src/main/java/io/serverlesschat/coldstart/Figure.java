package io.serverlesschat.coldstart;

import java.util.List;

/** One measured quantity of a run: its key in results.json, how a person reads it, and its unit. */
public record Figure(String key, String label, String unit) {

    /** Whether a chart draws it: times and memory; counts are read from the tables. */
    public boolean charted() {
        return !"connections".equals(unit);
    }

    /** The label without its parenthesis, and the unit: for a chart's axis. */
    public String axisLabel() {
        int paren = label.indexOf(" (");
        return (paren < 0 ? label : label.substring(0, paren)) + ", " + unit;
    }

    // Local mode.
    public static final Figure INIT = new Figure("initMs", "init (exec to first /next)", "ms");
    public static final Figure INVOCATION = new Figure("invocationMs", "first invocation (event to answer)", "ms");
    public static final Figure TOTAL = new Figure("totalMs", "total (exec to answer)", "ms");
    public static final Figure INIT_CPU = new Figure("initCpuMs", "init CPU time (user+system)", "ms");
    public static final Figure TOTAL_CPU = new Figure("totalCpuMs", "cold-start CPU time (user+system)", "ms");
    public static final Figure PEAK_RSS = new Figure("peakRssMb", "peak RSS (process tree)", "MB");
    public static final Figure CGROUP_PEAK = new Figure("cgroupPeakMb", "peak cgroup memory (what the limit counts)", "MB");
    /** Over HTTPS (--dynamodb https): the TLS connections DynamoDB's endpoint accepted in each phase. */
    public static final Figure INIT_CONNECTIONS = new Figure("initConnections", "connections to DynamoDB opened in init", "connections");
    public static final Figure INVOCATION_CONNECTIONS =
            new Figure("invocationConnections", "connections to DynamoDB opened by the first invocation", "connections");
    public static final List<Figure> LOCAL = List.of(INIT, INVOCATION, TOTAL, INIT_CPU, TOTAL_CPU, PEAK_RSS, CGROUP_PEAK,
            INIT_CONNECTIONS, INVOCATION_CONNECTIONS);

    // AWS mode, from the REPORT line.
    public static final Figure AWS_INIT = new Figure("initDurationMs", "Init Duration", "ms");
    public static final Figure AWS_RESTORE = new Figure("restoreDurationMs", "Restore Duration (SnapStart)", "ms");
    public static final Figure AWS_DURATION = new Figure("durationMs", "Duration", "ms");
    public static final Figure AWS_BILLED = new Figure("billedDurationMs", "Billed Duration", "ms");
    public static final Figure AWS_MEMORY = new Figure("maxMemoryUsedMb", "Max Memory Used", "MB");
    public static final Figure AWS_COLD_START = new Figure("coldStartMs", "cold start (init or restore + duration)", "ms");
    public static final List<Figure> AWS = List.of(AWS_INIT, AWS_RESTORE, AWS_DURATION, AWS_BILLED, AWS_MEMORY, AWS_COLD_START);
}
