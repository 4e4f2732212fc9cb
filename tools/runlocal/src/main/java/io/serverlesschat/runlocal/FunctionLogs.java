package io.serverlesschat.runlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The functions' log lines on bin/local's console, each prefixed with its function, in one shape:
 * dev mode's text format ({@code quarkus.log.console.format}: time, level, category, message, MDC).
 * The zip's functions run in the prod profile and write JSON (what CloudWatch Logs Insights reads):
 * their log records are rendered in that same shape, unless raw lines were asked for. Lines that are
 * not log records (a stack trace the runtime client prints, anything else) pass as they are. The
 * function's own invocation line is a record too, with its fields at the top level instead of in the
 * MDC and CloudWatch's metric members after them (InvocationLog): its fields are shown as the MDC is.
 */
final class FunctionLogs {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The keys of a record that are not fields of the line: Quarkus' own, and the EMF directive. */
    private static final Set<String> RECORD_KEYS = Set.of("timestamp", "level", "loggerName", "message", "threadName",
            "mdc", "exception", "stackTrace", "_aws");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final Consumer<String> console;
    private final boolean raw;
    private volatile boolean quiet;

    /** @param raw pass JSON lines as they are */
    FunctionLogs(Consumer<String> console, boolean raw) {
        this.console = console;
        this.raw = raw;
    }

    /** From now on the functions' lines stay in their log files only. */
    void quiet() {
        quiet = true;
    }

    /** Shows one line of the function {@code name}. */
    void show(String name, String line) {
        if (quiet) {
            return;
        }
        console.accept("[" + name + "] " + (raw ? line : render(line)));
    }

    /** Shows a function's log file from its start, and what it writes while {@code alive}. */
    void follow(Path file, String name, BooleanSupplier alive) {
        Thread tail = new Thread(() -> {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                while (!Thread.currentThread().isInterrupted()) {
                    String line = in.readLine();
                    if (line != null) {
                        show(name, new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                    } else if (alive.getAsBoolean()) {
                        Thread.sleep(200);
                    } else {
                        return; // everything the process wrote has been shown
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the function is gone
            }
        }, "tail-" + name);
        tail.setDaemon(true);
        tail.start();
    }

    /**
     * A JSON log record of Quarkus' JSON console handler as dev mode's console format prints it
     * ({@code %d{HH:mm:ss.SSS} %-5p [%c{2.}] %s %X%e}, the exception as its type and message and those of
     * its causes, without frames); any other line as it is.
     */
    static String render(String line) {
        if (!line.startsWith("{")) {
            return line;
        }
        JsonNode record;
        try {
            record = JSON.readTree(line);
        } catch (IOException e) {
            return line;
        }
        if (record == null || !record.hasNonNull("level") || !record.hasNonNull("message") || !record.hasNonNull("loggerName")) {
            return line;
        }
        StringBuilder text = new StringBuilder()
                .append(time(record.path("timestamp").asText()))
                .append(' ').append(String.format("%-5s", record.get("level").asText()))
                .append(" [").append(category(record.get("loggerName").asText())).append("] ")
                .append(record.get("message").asText())
                .append(' ').append(fields(record));
        // The invocation line's failure, as text: the exception's and its causes' first lines, without frames.
        record.path("stackTrace").asText("").lines().filter(l -> !l.isEmpty() && !Character.isWhitespace(l.charAt(0)))
                .forEach(l -> text.append(l.startsWith("Caused by: ") ? " " : ": ").append(l));
        JsonNode exception = record.path("exception");
        for (String prefix = ": "; exception.isObject(); prefix = " Caused by: ") {
            text.append(prefix).append(exception.path("exceptionType").asText());
            if (exception.hasNonNull("message")) {
                text.append(": ").append(exception.get("message").asText());
            }
            exception = exception.path("causedBy").path("exception");
        }
        return text.toString();
    }

    private static String time(String timestamp) {
        try {
            return TIME.format(Instant.parse(timestamp));
        } catch (DateTimeParseException e) {
            return timestamp;
        }
    }

    /** JBoss Log Manager's {@code %c{2.}}: every segment but the last cut to two characters. */
    static String category(String name) {
        String[] segments = name.split("\\.");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            out.append(i < segments.length - 1 ? segments[i].substring(0, Math.min(2, segments[i].length())) + "." : segments[i]);
        }
        return out.toString();
    }

    /**
     * As {@code %X} prints the MDC, its entries in the order of their keys: the record's MDC and its
     * top-level fields, without the metric members that the EMF directive names.
     */
    private static String fields(JsonNode record) {
        Set<String> metrics = new HashSet<>();
        record.path("_aws").path("CloudWatchMetrics").forEach(directive -> directive.path("Metrics")
                .forEach(metric -> metrics.add(metric.path("Name").asText())));
        Map<String, String> entries = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = record.path("mdc").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            entries.put(entry.getKey(), entry.getValue().asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!RECORD_KEYS.contains(entry.getKey()) && !metrics.contains(entry.getKey())) {
                entries.put(entry.getKey(), entry.getValue().asText());
            }
        }
        return entries.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
    }
}
