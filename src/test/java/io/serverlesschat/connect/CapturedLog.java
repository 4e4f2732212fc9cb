package io.serverlesschat.connect;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** The function's log lines, as the handler wrote them (message and structured MDC fields). */
final class CapturedLog extends Handler implements AutoCloseable {

    record Line(String level, String message, Map<String, String> fields) {
    }

    private static final Logger FUNCTION_LOG = Logger.getLogger("io.serverlesschat.connect");
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    static CapturedLog start() {
        CapturedLog log = new CapturedLog();
        FUNCTION_LOG.addHandler(log);
        return log;
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        ExtLogRecord ext = ExtLogRecord.wrap(record);
        lines.add(new Line(record.getLevel().getName(), ext.getFormattedMessage(), Map.copyOf(ext.getMdcCopy())));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        FUNCTION_LOG.removeHandler(this);
    }
}
