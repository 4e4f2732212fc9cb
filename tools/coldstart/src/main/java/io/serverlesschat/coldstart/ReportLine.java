package io.serverlesschat.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of Lambda's REPORT record for one invocation, read from the log tail that
 * {@code Invoke} with {@code LogType=Tail} returns. Lambda writes it as a text line
 * ({@code REPORT RequestId: ... Duration: ... Init Duration: ...}) or, for functions whose log format
 * is JSON, as a {@code platform.report} record; both are understood.
 *
 * @param initDurationMs    present on a cold start of an on-demand environment
 * @param restoreDurationMs present when a SnapStart snapshot was restored instead
 */
public record ReportLine(
        String requestId,
        double durationMs,
        double billedDurationMs,
        double memorySizeMb,
        double maxMemoryUsedMb,
        OptionalDouble initDurationMs,
        OptionalDouble restoreDurationMs) {

    // "Duration" alone, not the end of "Billed Duration", "Init Duration" or "Restore Duration".
    private static final Pattern DURATION = Pattern.compile("(?<!Billed )(?<!Init )(?<!Restore )\\bDuration: ([0-9.]+) ms");
    private static final Pattern BILLED = Pattern.compile("Billed Duration: ([0-9.]+) ms");
    private static final Pattern MEMORY_SIZE = Pattern.compile("Memory Size: ([0-9.]+) MB");
    private static final Pattern MAX_MEMORY = Pattern.compile("Max Memory Used: ([0-9.]+) MB");
    private static final Pattern INIT = Pattern.compile("Init Duration: ([0-9.]+) ms");
    private static final Pattern RESTORE = Pattern.compile("(?<!Billed )Restore Duration: ([0-9.]+) ms");
    private static final Pattern REQUEST_ID = Pattern.compile("RequestId: (\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether this invocation started a new execution environment (init or restore). */
    public boolean cold() {
        return initDurationMs.isPresent() || restoreDurationMs.isPresent();
    }

    /** What the caller waited for on a cold start: init (or restore) plus the invocation. */
    public double coldStartMs() {
        return durationMs + initDurationMs.orElse(0) + restoreDurationMs.orElse(0);
    }

    /** The benchmark's figures of this record ({@link Figure#AWS}): the keys of results.json. */
    public Map<String, Double> figures() {
        Map<String, Double> figures = new LinkedHashMap<>();
        initDurationMs.ifPresent(v -> figures.put(Figure.AWS_INIT.key(), v));
        restoreDurationMs.ifPresent(v -> figures.put(Figure.AWS_RESTORE.key(), v));
        figures.put(Figure.AWS_DURATION.key(), durationMs);
        figures.put(Figure.AWS_BILLED.key(), billedDurationMs);
        figures.put(Figure.AWS_MEMORY.key(), maxMemoryUsedMb);
        figures.put(Figure.AWS_COLD_START.key(), coldStartMs());
        return figures;
    }

    /** The last REPORT record in a log tail, if there is one. */
    public static Optional<ReportLine> find(String logTail) {
        String[] lines = logTail.split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            Optional<ReportLine> report = of(lines[i]);
            if (report.isPresent()) {
                return report;
            }
        }
        return Optional.empty();
    }

    /** One log record, if it is a REPORT (a text line, or JSON's platform.report); fails on a truncated one. */
    public static Optional<ReportLine> of(String record) {
        String line = record.strip();
        if (line.startsWith("REPORT ")) {
            return Optional.of(parseText(line));
        }
        return line.startsWith("{") && line.contains("\"platform.report\"") ? parseJson(line) : Optional.empty();
    }

    /** A text REPORT line; fails naming the field it lacks. */
    public static ReportLine parseText(String line) {
        return new ReportLine(
                group(REQUEST_ID, line).orElse(""),
                number(DURATION, line, "Duration"),
                number(BILLED, line, "Billed Duration"),
                number(MEMORY_SIZE, line, "Memory Size"),
                number(MAX_MEMORY, line, "Max Memory Used"),
                optional(INIT, line),
                optional(RESTORE, line));
    }

    private static Optional<ReportLine> parseJson(String line) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (Exception notJson) {
            return Optional.empty();
        }
        if (!"platform.report".equals(root.path("type").asText())) {
            return Optional.empty();
        }
        JsonNode record = root.path("record");
        JsonNode metrics = record.path("metrics");
        for (String required : new String[] {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"}) {
            if (!metrics.path(required).isNumber()) {
                throw new IllegalArgumentException("platform.report without " + required);
            }
        }
        return Optional.of(new ReportLine(
                record.path("requestId").asText(""),
                metrics.get("durationMs").asDouble(),
                metrics.get("billedDurationMs").asDouble(),
                metrics.get("memorySizeMB").asDouble(),
                metrics.get("maxMemoryUsedMB").asDouble(),
                metrics.path("initDurationMs").isNumber() ? OptionalDouble.of(metrics.get("initDurationMs").asDouble()) : OptionalDouble.empty(),
                metrics.path("restoreDurationMs").isNumber() ? OptionalDouble.of(metrics.get("restoreDurationMs").asDouble()) : OptionalDouble.empty()));
    }

    private static double number(Pattern pattern, String line, String field) {
        return group(pattern, line).map(Double::parseDouble)
                .orElseThrow(() -> new IllegalArgumentException("REPORT line without " + field + ": " + line));
    }

    private static OptionalDouble optional(Pattern pattern, String line) {
        return group(pattern, line).map(v -> OptionalDouble.of(Double.parseDouble(v))).orElse(OptionalDouble.empty());
    }

    private static Optional<String> group(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
