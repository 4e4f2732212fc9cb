package io.serverlesschat.lambda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One execution environment of a function from its function.zip: the process {@link FunctionLauncher}
 * starts, polling a {@link RuntimeApiServer} of its own, so that each event goes to the environment its
 * {@link EnvironmentPool} chose. An event still crosses one loopback HTTP/1.1 request, into that server:
 * Quarkus' emulator queues events as the HTTP requests that brought them and answers each request with
 * the function's answer, so handing it a Java object would mean replacing the emulator.
 */
public final class ZipExecutionEnvironment implements ExecutionEnvironment {

    /** Longer than any JVM init here, even on a loaded machine; Lambda's own init limit is 10 s. */
    static final Duration INIT_BOUND = Duration.ofMinutes(2);

    private final RuntimeApiServer api;
    private final HttpFunction events;
    private final FunctionProcess process;
    private final CompletableFuture<Void> initialised = new CompletableFuture<>();

    private ZipExecutionEnvironment(RuntimeApiServer api, FunctionProcess process) {
        this.api = api;
        this.events = new HttpFunction(api.eventsUri());
        this.process = process;
    }

    /**
     * Starts the function {@code launcher} describes (set up but for its Runtime API, which is this
     * environment's own), with {@code timeout} as each event's deadline; its init begins now.
     */
    public static ZipExecutionEnvironment start(FunctionLauncher launcher, String functionName, Duration timeout) {
        RuntimeApiServer api = new RuntimeApiServer(timeout,
                "arn:aws:lambda:" + ReservedVariables.DEFAULT_REGION + ":000000000000:function:" + functionName);
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
        ZipExecutionEnvironment environment = new ZipExecutionEnvironment(api, process);
        firstPoll.thenRun(() -> environment.initialised.complete(null));
        process.onExit().thenAccept(status -> {
            // Lambda fails an invocation whose runtime exited.
            api.failPending("the function's process exited");
            environment.initialised.completeExceptionally(new InitFailure(
                    InitFailure.reasonFrom(environment.output(), api.initError().orElse(null), status)));
        });
        CompletableFuture.delayedExecutor(INIT_BOUND.toSeconds(), TimeUnit.SECONDS).execute(() ->
                environment.initialised.completeExceptionally(new InitFailure(
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
    public CompletableFuture<InvokeResult> invoke(String event) {
        return events.invokeUnbounded(event);
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
}
