package io.serverlesschat.coldstart;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * AWS mode with {@code --reports FILE}: the cold starts a deployed function's real traffic paid, read from
 * the REPORT records of its log group, as the same figures as forced cold starts ({@link Figure#AWS}), one
 * variant per memory setting. Nothing is invoked or changed. FILE is what
 * {@code aws logs filter-log-events --output json} writes, or log lines (one record per line, text or JSON
 * format, with or without the timestamp and stream {@code aws logs tail} puts before them).
 */
final class TrafficReports {

    /** One log event: its message and, from the AWS CLI's JSON, its time (epoch milliseconds). */
    record Event(String message, Long timestamp) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrafficReports() {
    }

    /** The events of a file in either form; an unreadable file fails with its name. */
    static List<Event> read(Path file) throws IOException {
        String text = Files.readString(file);
        String trimmed = text.strip();
        if (trimmed.startsWith("{") && trimmed.contains("\"events\"")) {
            try {
                JsonNode root = JSON.readTree(trimmed);
                if (root.path("events").isArray()) {
                    List<Event> events = new ArrayList<>();
                    for (JsonNode event : root.get("events")) {
                        events.add(new Event(event.path("message").asText(""),
                                event.path("timestamp").isNumber() ? event.get("timestamp").asLong() : null));
                    }
                    return events;
                }
            } catch (JsonProcessingException notOneDocument) {
                // one JSON record per line: read as lines below
            }
        }
        return text.lines().filter(line -> !line.isBlank()).map(line -> new Event(line, null)).toList();
    }

    /**
     * The cold starts among {@code events}, by memory setting, named {@code connect/<function>/<memory>MB}.
     * Records that are not REPORTs are skipped; a REPORT that cannot be read is counted, not fatal.
     */
    static Results results(List<Event> events, String function, String source) {
        Results results = new Results("aws", Figure.AWS);
        results.machine.put("description", "AWS Lambda, real traffic (REPORT records from " + source + ")");
        Map<Integer, Variant> byMemory = new TreeMap<>();
        int reports = 0;
        int unreadable = 0;
        Long first = null;
        Long last = null;
        for (Event event : events) {
            Optional<ReportLine> report;
            try {
                report = ReportLine.of(record(event.message()));
            } catch (IllegalArgumentException truncated) {
                unreadable++;
                continue;
            }
            if (report.isEmpty()) {
                continue;
            }
            reports++;
            ReportLine r = report.get();
            if (!r.cold()) {
                continue;
            }
            if (event.timestamp() != null) {
                first = first == null ? event.timestamp() : Math.min(first, event.timestamp());
                last = last == null ? event.timestamp() : Math.max(last, event.timestamp());
            }
            int memory = (int) r.memorySizeMb();
            Variant variant = byMemory.computeIfAbsent(memory, mb -> {
                Variant v = new Variant(Target.CONNECT + "/" + function + "/" + mb + "MB", Target.CONNECT,
                        "aws", null);
                v.memoryMb = mb;
                return v;
            });
            variant.runs.add(new Variant.Run(variant.runs.size() + 1, false, r.figures(), null, true, null));
        }
        results.variants.addAll(byMemory.values());
        results.settings.put("source", source);
        results.settings.put("events", events.size());
        results.settings.put("reports", reports);
        results.settings.put("coldStarts", byMemory.values().stream().mapToInt(v -> v.runs.size()).sum());
        results.settings.put("unreadableReports", unreadable);
        results.settings.put("coldStartsAre", "REPORT records with an Init Duration (or a SnapStart Restore Duration)");
        if (first != null) {
            results.startedAt = Instant.ofEpochMilli(first).toString();
            results.finishedAt = Instant.ofEpochMilli(last).toString();
        }
        return results;
    }

    /** The record in a log line: from "REPORT" or the JSON object on, past any timestamp and stream before it. */
    static String record(String line) {
        int text = line.indexOf("REPORT RequestId:");
        int json = line.indexOf('{');
        int at = text >= 0 && (json < 0 || text < json) ? text : json;
        return at < 0 ? line : line.substring(at);
    }
}
