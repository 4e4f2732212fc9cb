package io.serverlesschat.local;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An execution environment of a function from its function.zip: the process {@link FunctionLauncher}
 * starts, polling a {@link RuntimeApiServer} of its own, so that each event goes to the environment
 * chosen for it ({@link ExecutionEnvironments}).
 */
public final class FunctionEnvironment implements ExecutionEnvironments.Environment {

    /** Longer than any JVM init here, even on a loaded machine; Lambda's own init limit is 10 s. */
    static final Duration INIT_BOUND = Duration.ofMinutes(2);
    // HTTP/1.1: over h2c, which Vert.x offers, the JDK's client fails requests beyond the server's 100
    // concurrent streams ("too many concurrent streams") instead of waiting.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern CAUSE = Pattern.compile("^\\s*Caused by: [\\w.$]+: (.+)$");
    private static final Pattern ERROR_MESSAGE = Pattern.compile("\"errorMessage\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final RuntimeApiServer api;
    private final FunctionProcess process;
    private final CompletableFuture<Void> initialised = new CompletableFuture<>();

    private FunctionEnvironment(RuntimeApiServer api, FunctionProcess process) {
        this.api = api;
        this.process = process;
    }

    /**
     * Starts the function {@code launcher} describes (set up but for its Runtime API, which is this
     * environment's own), with {@code timeout} as each event's deadline; its init begins now.
     */
    public static FunctionEnvironment start(FunctionLauncher launcher, String functionName, Duration timeout) {
        RuntimeApiServer api = new RuntimeApiServer(timeout,
                "arn:aws:lambda:" + LambdaEnvironment.DEFAULT_REGION + ":000000000000:function:" + functionName);
        api.start(0);
        CompletableFuture<Void> firstPoll = new CompletableFuture<>();
        api.onFirstPoll(() -> firstPoll.complete(null));
        FunctionProcess process;
        try {
            process = launcher.runtimeApi(api.runtimeApiAddress()).start();
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
        FunctionEnvironment environment = new FunctionEnvironment(api, process);
        firstPoll.thenRun(() -> environment.initialised.complete(null));
        process.onExit().thenAccept(status -> {
            // Lambda fails an invocation whose runtime exited.
            api.failPending("the function's process exited");
            environment.initialised.completeExceptionally(new ExecutionEnvironments.InitFailure(
                    initFailureReason(environment.output(), api.initError().orElse(null), status)));
        });
        CompletableFuture.delayedExecutor(INIT_BOUND.toSeconds(), TimeUnit.SECONDS).execute(() ->
                environment.initialised.completeExceptionally(new ExecutionEnvironments.InitFailure(
                        "its init did not end within " + INIT_BOUND.toSeconds() + " s")));
        return environment;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public CompletableFuture<Void> initialised() {
        return initialised;
    }

    @Override
    public CompletableFuture<ExecutionEnvironments.Result> invoke(String event) {
        HttpRequest post = HttpRequest.newBuilder(api.eventsUri())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event))
                .build();
        return HTTP.sendAsync(post, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new ExecutionEnvironments.Result(response.statusCode(), response.body()))
                .exceptionally(e -> new ExecutionEnvironments.Result(ExecutionEnvironments.Result.NO_ANSWER,
                        "the function's Runtime API did not answer: " + e.getCause()));
    }

    @Override
    public CompletableFuture<Integer> exited() {
        return process.onExit();
    }

    /** The file with the process' output. */
    public Path outputFile() {
        return process.output();
    }

    @Override
    public void stop() {
        process.stop(Duration.ofSeconds(2));
        api.close();
    }

    private List<String> output() {
        try {
            return Files.readAllLines(process.output(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * One line that says why a function's init failed: the innermost cause its stack trace names (the
     * function's own message, e.g. a setting it refused), else the error it posted to the Runtime API,
     * else its last line of output.
     */
    public static String initFailureReason(List<String> output, String initError, int status) {
        String cause = null;
        for (String line : output) {
            Matcher m = CAUSE.matcher(line);
            if (m.matches()) {
                cause = m.group(1).strip();
            }
        }
        if (cause != null) {
            return cause;
        }
        if (initError != null) {
            Matcher m = ERROR_MESSAGE.matcher(initError);
            if (m.find()) {
                return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
        }
        for (int i = output.size() - 1; i >= 0; i--) {
            if (!output.get(i).isBlank()) {
                return "its process exited with status " + status + " after: " + output.get(i).strip();
            }
        }
        return "its process exited with status " + status + " without output";
    }
}
