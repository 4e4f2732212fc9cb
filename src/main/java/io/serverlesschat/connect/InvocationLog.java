package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The one log line per invocation. Where the console logs JSON (production), this class writes the line
 * itself as one flat JSON object, which is also a CloudWatch embedded metric format (EMF) document
 * when metrics are on: CloudWatch Logs turns its outcome, latency and cold-start members into metrics,
 * with no API call and no extra line. Elsewhere (dev, test) it is a text line through the logger with
 * the same fields in the MDC.
 */
@Singleton
class InvocationLog {

    static final String LOGGER = "io.serverlesschat.connect";
    private static final Logger LOG = Logger.getLogger(LOGGER);
    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_LOGGED_ID = 128;

    /**
     * What one invocation did, and where: the fields of its line. {@code reason} is short, to count
     * refusals and failures by (an AWS error code, not its message); {@code detail} goes in the message.
     */
    record Invocation(String route, String connectionId, String routeKey, int status, String outcome, String reason,
            String detail, Throwable failure, long latencyMs, boolean coldStart, String requestId, String functionName, int memoryMb) {

        Logger.Level level() {
            return status == 200 ? Logger.Level.INFO : status < 500 ? Logger.Level.WARN : Logger.Level.ERROR;
        }

        String message() {
            // Appends, not +: the first string concatenation of each shape costs a JVM milliseconds of CPU to link.
            StringBuilder message = new StringBuilder(96).append(route).append(' ').append(status).append(' ').append(outcome);
            if (detail != null) {
                message.append(": ").append(detail);
            }
            return message.append(" in ").append(latencyMs).append(" ms").toString();
        }
    }

    private final boolean json;
    /** The metrics' namespace; null: no metrics. */
    private final String namespace;
    // The first invocation of this process is the cold start; a SnapStart restore resumes with it still set.
    private final AtomicBoolean first = new AtomicBoolean(true);

    // Read from the configuration directly: @ConfigProperty injection would bring SmallRye's config producer
    // beans and their interceptor into the start-up (about 50 classes more for a JVM), for three values.
    InvocationLog() {
        Config config = ConfigProvider.getConfig();
        this.json = config.getOptionalValue("quarkus.log.console.json.enabled", Boolean.class).orElse(false);
        boolean metrics = config.getOptionalValue("metrics.enabled", Boolean.class).orElse(false);
        this.namespace = json && metrics ? config.getValue("metrics.namespace", String.class) : null;
    }

    /** True once per process: for its first invocation. */
    boolean coldStart() {
        return first.getAndSet(false);
    }

    /**
     * Writes the line of one invocation of {@code route}: the event's connection and route key, Lambda's
     * request, function and memory setting, the time since {@code startNanos} and what happened.
     */
    void write(String route, GatewayEvent event, Context context, long startNanos, boolean coldStart, int status,
            String outcome, String reason, String detail, Throwable failure) {
        var requestContext = event == null ? null : event.getRequestContext();
        write(new Invocation(route,
                requestContext == null ? null : requestContext.getConnectionId(),
                requestContext == null ? null : requestContext.getRouteKey(),
                status, outcome, reason, detail, failure, (System.nanoTime() - startNanos) / 1_000_000, coldStart,
                context == null ? null : context.getAwsRequestId(),
                context == null ? null : context.getFunctionName(),
                context == null ? 0 : context.getMemoryLimitInMB()));
    }

    void write(Invocation invocation) {
        if (!LOG.isEnabled(invocation.level())) {
            return;
        }
        if (json) {
            // Lambda reads this line's level and timestamp for its log-level filter, CloudWatch its _aws.
            System.out.println(json(invocation, namespace, System.currentTimeMillis()));
            return;
        }
        Map<String, Object> fields = fields(invocation);
        fields.forEach(MDC::put);
        try {
            LOG.logf(invocation.level(), invocation.failure(), "%s", invocation.message());
        } finally {
            fields.keySet().forEach(MDC::remove);
        }
    }

    /** The structured fields, shared by both forms of the line (Quarkus adds AWSRequestId to the MDC itself). */
    private static Map<String, Object> fields(Invocation i) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("connectionId", truncate(i.connectionId()));
        fields.put("routeKey", truncate(i.routeKey()));
        fields.put("route", i.route());
        fields.put("status", i.status());
        fields.put("outcome", i.outcome());
        fields.put("reason", i.reason());
        fields.put("latencyMs", i.latencyMs());
        fields.put("coldStart", i.coldStart());
        fields.put("functionName", i.functionName());
        fields.put("memoryMb", i.memoryMb() > 0 ? i.memoryMb() : null);
        fields.values().removeIf(Objects::isNull);
        return fields;
    }

    /**
     * The line as JSON: the keys of Quarkus' JSON log lines (timestamp, level, loggerName, message), the
     * fields at the top level, and with a metrics {@code namespace} the EMF directive and one member per metric.
     * Metric names are capitalised so that none is mistaken for a field of the same name.
     */
    static String json(Invocation i, String namespace, long timestampMillis) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator line = JSON.createGenerator(out)) {
            line.writeStartObject();
            line.writeStringField("timestamp", Instant.ofEpochMilli(timestampMillis).toString());
            line.writeStringField("level", i.level().name());
            line.writeStringField("loggerName", LOGGER);
            line.writeStringField("message", i.message());
            if (i.requestId() != null) {
                line.writeStringField("AWSRequestId", i.requestId());
            }
            for (Map.Entry<String, Object> field : fields(i).entrySet()) {
                line.writeFieldName(field.getKey());
                Object value = field.getValue();
                if (value instanceof Number n) {
                    line.writeNumber(n.longValue());
                } else if (value instanceof Boolean b) {
                    line.writeBoolean(b);
                } else {
                    line.writeString(String.valueOf(value));
                }
            }
            if (i.failure() != null) {
                StringWriter trace = new StringWriter();
                i.failure().printStackTrace(new PrintWriter(trace));
                line.writeStringField("stackTrace", trace.toString());
            }
            if (namespace != null) {
                writeMetrics(line, i, namespace, timestampMillis);
            }
            line.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into a byte array: cannot happen
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The EMF members: per invocation one count per outcome this route can have (1 for its outcome, 0 for
     * the others, so that a quiet failure shows as 0 and not as missing data), the latency and whether it
     * was a cold start; dimensions route and function name only, so that each function adds a fixed
     * handful of metrics.
     */
    private static void writeMetrics(JsonGenerator line, Invocation i, String namespace, long timestampMillis) throws IOException {
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        if ("authorizer".equals(i.route())) { // TokenAuthorizer.ROUTE
            // The handshake statuses API Gateway gives for the authorizer's three answers.
            outcomes.put("Allowed", i.status() == 200 ? 1 : 0);
            outcomes.put("Unauthorized", i.status() == 401 ? 1 : 0);
            outcomes.put("Denied", i.status() == 403 ? 1 : 0);
        } else {
            boolean connect = "$connect".equals(i.route());
            outcomes.put(connect ? "Connected" : "sendmessage".equals(i.route()) ? "Sent" : "Disconnected", i.status() == 200 ? 1 : 0);
            outcomes.put("Rejected", i.status() == 400 ? 1 : 0);
            if (connect) {
                outcomes.put("Forbidden", i.status() == 403 ? 1 : 0); // only $connect checks the origin
            }
        }
        outcomes.put("Failed", i.status() >= 500 ? 1 : 0);

        line.writeObjectFieldStart("_aws");
        line.writeNumberField("Timestamp", timestampMillis);
        line.writeArrayFieldStart("CloudWatchMetrics");
        line.writeStartObject();
        line.writeStringField("Namespace", namespace);
        line.writeArrayFieldStart("Dimensions");
        line.writeStartArray();
        line.writeString("route");
        if (i.functionName() != null) {
            line.writeString("functionName");
        }
        line.writeEndArray();
        line.writeEndArray();
        line.writeArrayFieldStart("Metrics");
        for (String name : outcomes.keySet()) {
            metric(line, name, "Count");
        }
        metric(line, "Latency", "Milliseconds");
        metric(line, "ColdStarts", "Count");
        line.writeEndArray();
        line.writeEndObject();
        line.writeEndArray();
        line.writeEndObject();

        for (Map.Entry<String, Integer> outcome : outcomes.entrySet()) {
            line.writeNumberField(outcome.getKey(), outcome.getValue());
        }
        line.writeNumberField("Latency", i.latencyMs());
        line.writeNumberField("ColdStarts", i.coldStart() ? 1 : 0);
    }

    private static void metric(JsonGenerator line, String name, String unit) throws IOException {
        line.writeStartObject();
        line.writeStringField("Name", name);
        line.writeStringField("Unit", unit);
        line.writeEndObject();
    }

    private static String truncate(String value) {
        return value == null || value.length() <= MAX_LOGGED_ID ? value : value.substring(0, MAX_LOGGED_ID) + "...";
    }
}
