package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.Limits;
import io.serverlesschat.apigateway.LocalGateway;
import io.serverlesschat.lambda.EnvironmentPool.OverLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * bin/local's options, as its command line gives them.
 *
 * @param devPort     dev mode's event port (--dev-port)
 * @param debug       whether dev mode opens its debugger on port 5005 (--debug)
 * @param parameters  sam.native.yaml's parameters to set, as a deploy's parameter overrides (--parameter)
 * @param concurrency the most execution environments of a function without reserved concurrency (--concurrency);
 *                    null: as many as fit this machine ({@link RunLocal#defaultConcurrency})
 * @param overLimit   what happens to an event when its function runs all the environments it may (--over-limit)
 * @param rawLogs     the functions' log lines as they write them, JSON in the prod profile (--raw-logs)
 * @param limits      API Gateway's idle timeout and maximum connection duration, AWS's or shorter
 *                    (--idle-timeout, --max-duration)
 * @param issuerPort  the local token issuer's port, when ConnectAuthorization=JWT has no JwtIssuer (--issuer-port)
 * @param templateFile the template to run (--template, -t), or null: the project's sam.native.yaml
 */
public record LocalOptions(Path project, Mode mode, int gatewayPort, int dynamoPort, int devPort, boolean debug,
        Map<String, String> parameters, Integer concurrency, OverLimit overLimit, boolean rawLogs, Limits limits,
        int issuerPort, Path templateFile) {

    /** How the functions run: $connect in dev mode (the rest from the JVM zip), all from the JVM zip, or native. */
    public enum Mode {
        DEV, ZIP, NATIVE
    }

    /** The template bin/local runs; CodeUri paths are relative to its folder. */
    public Path template() {
        return templateFile != null ? templateFile : project.resolve("sam.native.yaml");
    }

    public LocalOptions(Path project, Mode mode, int gatewayPort, int dynamoPort, int devPort, boolean debug,
            Map<String, String> parameters, Integer concurrency, OverLimit overLimit, boolean rawLogs, Limits limits) {
        this(project, mode, gatewayPort, dynamoPort, devPort, debug, parameters, concurrency, overLimit, rawLogs, limits, ISSUER_PORT, null);
    }

    static final int DEV_MODE_PORT = 8080;
    static final int DYNAMODB_PORT = 8000;
    static final int ISSUER_PORT = 3002;

    public LocalOptions(Path project, Mode mode, int gatewayPort, int dynamoPort, Map<String, String> parameters) {
        this(project, mode, gatewayPort, dynamoPort, DEV_MODE_PORT, false, parameters, null, OverLimit.QUEUE, false,
                Limits.AWS, ISSUER_PORT, null);
    }

    public LocalOptions(Path project, Mode mode, int gatewayPort, int dynamoPort) {
        this(project, mode, gatewayPort, dynamoPort, Map.of());
    }

    /** These options with at most {@code concurrency} environments a function, and {@code overLimit} beyond. */
    public LocalOptions withConcurrency(Integer concurrency, OverLimit overLimit) {
        return new LocalOptions(project, mode, gatewayPort, dynamoPort, devPort, debug, parameters, concurrency, overLimit, rawLogs,
                limits, issuerPort, templateFile);
    }

    /** These options with the local token issuer on {@code port}. */
    public LocalOptions withIssuerPort(int port) {
        return new LocalOptions(project, mode, gatewayPort, dynamoPort, devPort, debug, parameters, concurrency, overLimit, rawLogs,
                limits, port, templateFile);
    }

    static final String USAGE = """
            usage: bin/local [-t|--template sam.native.yaml] [--function dev|zip|native] [--port 3001] [--dynamodb-port 8000]
                             [--dev-port 8080] [--debug]
                             [--parameter Name=Value]... [--concurrency N] [--over-limit queue|throttle] [--raw-logs]
                             [--idle-timeout 10m] [--max-duration 2h] [--issuer-port 3002]
              -t, --template     the SAM template to run (default: the project's sam.native.yaml); its CodeUri paths are
                                 relative to its folder, as SAM reads them
              --function dev     $connect in Quarkus dev mode (live reload, curl on the dev port), other routes from the JVM zip (default)
              --function zip     every function from target/function.zip (JVM), as Lambda's Java runtime runs it
              --function native  every function from the native target/function.zip's bootstrap
              --port             the WebSocket gateway's port
              --dynamodb-port    the local DynamoDB's (moto_server) port; unused when DYNAMODB_ENDPOINT is set
              --dev-port         dev mode's event port (curl -d @event.json localhost:PORT)
              --debug            open dev mode's debugger on port 5005
              --parameter        a parameter of the template, as on deploy (AllowedOrigins=..., ThrottlingRateLimit=...)
              --concurrency      the most execution environments (processes) a function runs at once, unless the
                                 template reserves its concurrency (default: one per core, as memory allows)
              --over-limit       queue: events beyond that wait for a free environment, up to API Gateway's 29 s (default);
                                 throttle: they are refused as Lambda throttles (API Gateway answers 500)
              --raw-logs         the functions' log lines as they write them (JSON from the zip), not as dev mode prints them
              --idle-timeout     close a connection idle that long (no message either way), as API Gateway does after 10m;
                                 shorter values (30s, 2m) to see it happen
              --max-duration     close any connection open that long, as API Gateway does after 2h; shorter values to see it
              --issuer-port      with --parameter ConnectAuthorization=JWT and no JwtIssuer: the local token issuer's port
                                 (its key set at http://localhost:PORT/.well-known/jwks.json; bin/token prints its tokens)
              port 0 picks a free port""";

    static LocalOptions parse(String[] args, Path project) {
        Mode mode = Mode.DEV;
        int gatewayPort = LocalGateway.DEFAULT_PORT;
        int dynamoPort = DYNAMODB_PORT;
        int devPort = DEV_MODE_PORT;
        int issuerPort = ISSUER_PORT;
        boolean debug = false;
        boolean rawLogs = false;
        Integer concurrency = null;
        OverLimit overLimit = OverLimit.QUEUE;
        Map<String, String> parameters = new LinkedHashMap<>();
        Path template = null;
        Duration idleTimeout = Limits.AWS.idleTimeout();
        Duration maxDuration = Limits.AWS.maxDuration();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "-t", "--template" -> template = TemplateOption.file(value(args, ++i, option), option);
                case "--function" -> mode = choice(Mode.class, value(args, ++i, option), option, "dev, zip or native");
                case "--port" -> gatewayPort = port(value(args, ++i, option), option);
                case "--dynamodb-port" -> dynamoPort = port(value(args, ++i, option), option);
                case "--dev-port" -> devPort = port(value(args, ++i, option), option);
                case "--issuer-port" -> issuerPort = port(value(args, ++i, option), option);
                case "--debug" -> debug = true;
                case "--raw-logs" -> rawLogs = true;
                case "--concurrency" -> concurrency = number(value(args, ++i, option), option, 1, 1000);
                case "--over-limit" -> overLimit = choice(OverLimit.class, value(args, ++i, option), option, "queue or throttle");
                case "--idle-timeout" -> idleTimeout = shorter(value(args, ++i, option), option, Limits.AWS.idleTimeout(), "10m",
                        "30s, 2m or 10m");
                case "--max-duration" -> maxDuration = shorter(value(args, ++i, option), option, Limits.AWS.maxDuration(), "2h",
                        "30s, 5m or 1h");
                case "--parameter" -> {
                    String[] pair = value(args, ++i, option).split("=", 2);
                    if (pair.length != 2) {
                        throw new IllegalArgumentException("--parameter takes Name=Value, e.g. AllowedOrigins=http://localhost:8081");
                    }
                    parameters.put(pair[0], pair[1]);
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new LocalOptions(project, mode, gatewayPort, dynamoPort, devPort, debug, parameters, concurrency, overLimit, rawLogs,
                new Limits(idleTimeout, maxDuration), issuerPort, template);
    }

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("([1-9][0-9]{0,6})(s|m|h)");

    /**
     * A duration such as 30s, 5m or 1h, no longer than API Gateway's {@code quota} (AWS's quotas cannot be
     * raised: a longer one would make bin/local keep connections AWS closes); the refusal's {@code examples}
     * all fit the quota.
     */
    private static Duration shorter(String value, String option, Duration quota, String quotaText, String examples) {
        java.util.regex.Matcher m = DURATION.matcher(value);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            Duration duration = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            if (duration.compareTo(quota) <= 0) {
                return duration;
            }
        }
        throw new IllegalArgumentException(option + " takes a duration from 1s up to API Gateway's " + quotaText
                + " (which cannot be raised), such as " + examples + ", not " + value);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String value, String option, String choices) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " takes " + choices + ", not " + value);
        }
    }

    private static int port(String value, String option) {
        try {
            return number(value, option, 0, 65535);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " takes a port number (0 picks a free one), not " + value);
        }
    }

    private static int number(String value, String option, int min, int max) {
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " takes a whole number from " + min + " to " + max + ", not " + value);
    }
}
