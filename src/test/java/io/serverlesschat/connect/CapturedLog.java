package io.serverlesschat.connect;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The log lines a test expects, as they were written (message and structured MDC fields). They are the
 * test's to assert, so while captured they stay off the console, where a passing build shows no ERROR
 * line: they are appended to {@value #FILE} instead.
 */
final class CapturedLog extends Handler implements AutoCloseable {

    record Line(String level, String message, Map<String, String> fields) {
    }

    static final String FILE = "target/expected-log-lines.log";
    private static final String FUNCTION_LOG = "io.serverlesschat.connect";

    private final Logger logger;
    private final boolean useParentHandlers;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private CapturedLog(Logger logger) {
        this.logger = logger;
        this.useParentHandlers = logger.getUseParentHandlers();
    }

    /** Captures the function's own log lines. */
    static CapturedLog start() {
        return start(FUNCTION_LOG);
    }

    /** Captures the lines of {@code loggerName} and the loggers below it. */
    static CapturedLog start(String loggerName) {
        CapturedLog log = new CapturedLog(Logger.getLogger(loggerName));
        log.logger.addHandler(log);
        log.logger.setUseParentHandlers(false);
        return log;
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        ExtLogRecord ext = ExtLogRecord.wrap(record);
        Line line = new Line(record.getLevel().getName(), ext.getFormattedMessage(), Map.copyOf(ext.getMdcCopy()));
        lines.add(line);
        StringBuilder text = new StringBuilder()
                .append(line.level()).append(" [").append(record.getLoggerName()).append("] ")
                .append(line.message()).append(' ').append(line.fields()).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append(trace);
        }
        append(text.toString());
    }

    private static synchronized void append(String text) {
        try {
            Path file = Path.of(FILE);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(useParentHandlers);
    }
}
