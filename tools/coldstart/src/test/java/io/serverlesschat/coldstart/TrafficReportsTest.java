package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/coldstart aws --reports: real traffic's REPORT records, as a log group holds them (text lines with
 * their trailing tab and newline, and JSON platform.report records, among START/END lines and the
 * function's own JSON lines), turned into the benchmark's table.
 */
class TrafficReportsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    static String textReport(String id, double duration, int memory, Double init) {
        return String.format(Locale.ROOT, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\t"
                + "Max Memory Used: 47 MB\t%s\n", id, duration, (int) Math.ceil(duration + (init == null ? 0 : init)), memory,
                init == null ? "" : String.format(Locale.ROOT, "Init Duration: %.2f ms\t", init));
    }

    static String jsonReport(String id, double duration, int memory, double restore) {
        return String.format(Locale.ROOT, "{\"time\":\"2026-12-01T10:00:00.000Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"%s\","
                + "\"metrics\":{\"durationMs\":%.2f,\"billedDurationMs\":%d,\"memorySizeMB\":%d,\"maxMemoryUsedMB\":141,"
                + "\"restoreDurationMs\":%.2f,\"billedRestoreDurationMs\":173},\"status\":\"success\"}}", id, duration,
                (int) Math.ceil(duration), memory, restore);
    }

    /**
     * 150 cold starts at 256 MB (init 100.5 to 249.5 ms, first invocation 40 ms), 200 warm invocations, 3 SnapStart
     * restores at 1024 MB, and lines that are no REPORT, as `aws logs filter-log-events --output json` writes them.
     */
    private Path cliOutput() throws Exception {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode events = root.putArray("events");
        long t = 1_796_000_000_000L;
        for (int i = 0; i < 150; i++) {
            event(events, t + i * 1000L, "START RequestId: c" + i + " Version: 7\n");
            event(events, t + i * 1000L + 1, "{\"timestamp\":\"2026-12-01T10:00:00.000Z\",\"level\":\"INFO\",\"message\":\"$connect 200 ok in 9 ms\","
                    + "\"route\":\"$connect\",\"status\":200,\"coldStart\":true,\"memoryMb\":256}\n");
            event(events, t + i * 1000L + 2, textReport("c" + i, 40.0, 256, 100.5 + (149 - i)));
        }
        for (int i = 0; i < 200; i++) {
            event(events, t + 500_000L + i, textReport("w" + i, 8.0, 256, null));
        }
        for (int i = 0; i < 3; i++) {
            event(events, t + 900_000L + i, jsonReport("s" + i, 200.0 + i, 1024, 280.0 + 10 * i));
        }
        root.putArray("searchedLogStreams");
        Path file = dir.resolve("reports.json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        return file;
    }

    private static void event(ArrayNode events, long timestamp, String message) {
        events.addObject().put("logStreamName", "2026/12/01/[7]0123456789abcdef").put("timestamp", timestamp).put("message", message)
                .put("ingestionTime", timestamp + 50).put("eventId", Long.toString(timestamp));
    }

    @Test
    void coldStartsOfRealTrafficBecomeTheBenchmarksFiguresByMemorySetting() throws Exception {
        Results results = TrafficReports.results(TrafficReports.read(cliOutput()), "chat-connect", "reports.json");
        assertEquals(List.of("connect/chat-connect/256MB", "connect/chat-connect/1024MB"), results.variants.stream().map(v -> v.key).toList());
        assertEquals(150 * 3 + 200 + 3, results.settings.get("events"));
        assertEquals(150 + 200 + 3, results.settings.get("reports"));
        assertEquals(153, results.settings.get("coldStarts"), "warm invocations are not cold starts");

        Variant v256 = results.variants.get(0);
        assertEquals(256, v256.memoryMb);
        Stats init = v256.getSummary().get(Figure.AWS_INIT.key());
        assertEquals(150, init.n());
        assertEquals(100.5, init.min());
        assertEquals(174.5, init.p50(), "nearest rank: the 75th of 150");
        assertEquals(234.5, init.p90(), "the 135th");
        assertEquals(248.5, init.p99(), "the 149th, not the maximum");
        assertEquals(249.5, init.max());
        assertEquals(40.0, v256.getSummary().get(Figure.AWS_DURATION.key()).p50(), "the first invocation");
        assertEquals(214.5, v256.getSummary().get(Figure.AWS_COLD_START.key()).p50(), "init + first invocation");

        Variant v1024 = results.variants.get(1);
        assertEquals(3, v1024.getSummary().get(Figure.AWS_RESTORE.key()).n(), "SnapStart restores, from JSON records");
        assertEquals(290.0, v1024.getSummary().get(Figure.AWS_RESTORE.key()).p50());
        assertEquals(null, v1024.getSummary().get(Figure.AWS_INIT.key()));
        assertEquals(java.time.Instant.ofEpochMilli(1_796_000_000_002L).toString(), results.startedAt, "the first cold start's time");
    }

    @Test
    void logLinesWithTheTimestampsAndStreamsOfAwsLogsTailAreReadToo() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("2026-12-01T10:00:00.123000+00:00 2026/12/01/[$LATEST]0123 START RequestId: a Version: $LATEST");
        lines.add("2026-12-01T10:00:00.200000+00:00 2026/12/01/[$LATEST]0123 " + textReport("a", 41.2, 512, 167.4).strip());
        lines.add(jsonReport("b", 12.0, 512, 300.0).replace("\"restoreDurationMs\"", "\"initDurationMs\""));
        lines.add("REPORT RequestId: broken\tDuration: 1.00 ms\t");
        Path file = dir.resolve("tail.txt");
        Files.write(file, lines);
        Results results = TrafficReports.results(TrafficReports.read(file), "traffic", "tail.txt");
        assertEquals(List.of("connect/traffic/512MB"), results.variants.stream().map(v -> v.key).toList());
        assertEquals(List.of(167.4, 300.0), results.variants.get(0).runs.stream().map(r -> r.figures().get(Figure.AWS_INIT.key())).toList());
        assertEquals(1, results.settings.get("unreadableReports"), "a truncated REPORT is counted, not fatal");
    }

    @Test
    void theCommandWritesTheTableWithP99() throws Exception {
        Path out = dir.resolve("out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = ColdStart.execute(new String[] {"aws", "--reports", cliOutput().toString(), "--function",
            "arn:aws:lambda:eu-west-1:123456789012:function:chat-connect", "--out", out.toString()}, PROJECT,
                new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status, stdout::toString);
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| p90 | p99 | max |"), md);
        assertTrue(md.contains("| connect/chat-connect/256MB | - | Init Duration (ms) | 150 | 101 | 115 | **175** | 235 | 249 | 250 | - |"), md);
        Map<?, ?> json = JSON.readValue(out.resolve("results.json").toFile(), Map.class);
        assertEquals("aws", json.get("mode"));
        assertTrue(stdout.toString().contains("reports.json: 653 events, 353 REPORT records, 153 cold starts"), stdout::toString);
    }

    @Test
    void aFileWithoutAColdStartSaysSoAndFails() throws Exception {
        Path file = dir.resolve("warm.txt");
        Files.writeString(file, textReport("w", 8.0, 256, null));
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = ColdStart.execute(new String[] {"aws", "--reports", file.toString(), "--out", dir.resolve("o").toString()}, PROJECT,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("no cold start in"), stderr::toString);
    }
}
