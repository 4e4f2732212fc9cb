package io.serverlesschat.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.local.FunctionLauncher;
import io.serverlesschat.local.FunctionProcess;
import io.serverlesschat.local.FunctionZip;
import io.serverlesschat.local.RuntimeApiServer;
import io.serverlesschat.local.RuntimeApiServer.Invocation;
import io.serverlesschat.local.RuntimeApiServer.Submission;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One cold start, as Lambda does it: a Runtime API holding a $connect event, a fresh function process,
 * the first poll, the answer, the process killed. The clock starts just before exec.
 */
public final class LocalColdStart {

    static final String TABLE = "connections";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI dynamoDbEndpoint;
    private final ConnectEvents events;
    private final Predicate<String> itemExists;
    private final int memoryMb;
    private final Duration timeout;

    /**
     * @param itemExists whether the table holds an item for a connection id, to check that a 200 wrote one
     */
    public LocalColdStart(URI dynamoDbEndpoint, ConnectEvents events, Predicate<String> itemExists, int memoryMb,
            Duration timeout) {
        this.dynamoDbEndpoint = dynamoDbEndpoint;
        this.events = events;
        this.itemExists = itemExists;
        this.memoryMb = memoryMb;
        this.timeout = timeout;
    }

    /** The launcher for {@code target} against {@code api}, with the function's own environment. */
    FunctionLauncher launcher(Target target, RuntimeApiServer api, List<String> jvmOptions, Path log) {
        FunctionLauncher launcher = FunctionLauncher.of(target.kind(), target.taskRoot())
                .runtimeApi(api.runtimeApiAddress())
                .functionName("serverless-chat-" + target.function())
                .memoryMb(memoryMb)
                .env("TABLE_NAME", TABLE)
                .env("DYNAMODB_ENDPOINT", dynamoDbEndpoint.toString())
                .jvmOptions(jvmOptions)
                .output(log);
        if (target.kind() == FunctionZip.Kind.NATIVE) {
            // As the deployment sets it for the native function (see the Quarkus Lambda guide).
            launcher.env("DISABLE_SIGNAL_HANDLERS", "true");
        } else {
            launcher.javaHome(target.jdk().home());
        }
        return launcher;
    }

    /** Measures one cold start; never throws for a failure of the function, it records it. */
    public Results.Run run(Target target, List<String> jvmOptions, int index, boolean warmup, Path log) {
        return run(target, jvmOptions, index, warmup, log, Duration.ZERO);
    }

    /**
     * As {@link #run(Target, List, int, boolean, Path)}; with a non-zero {@code gracefulStop} the process is
     * stopped with SIGTERM and given that long to exit (a class-data archive is written at exit).
     */
    public Results.Run run(Target target, List<String> jvmOptions, int index, boolean warmup, Path log, Duration gracefulStop) {
        String connectionId = events.newConnectionId();
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("serverless-chat-" + target.function())) {
            Submission submission = api.submit(events.event(connectionId));
            FunctionProcess process = launcher(target, api, jvmOptions, log).start();
            try {
                Invocation answer = await(submission, process, api);
                long peakRssKb = process.peakRssKb();
                long start = process.startNanos();
                OptionalLong firstPoll = api.firstPollNanos();
                var timing = answer.timing();
                Map<String, Double> figures = new LinkedHashMap<>();
                figures.put(Figure.INIT.key(), millis(firstPoll.orElseThrow() - start));
                figures.put(Figure.INVOCATION.key(), millis(timing.answeredNanos() - timing.deliveredNanos()));
                figures.put(Figure.TOTAL.key(), millis(timing.answeredNanos() - start));
                figures.put(Figure.PEAK_RSS.key(), peakRssKb / 1024.0);
                Integer status = statusCode(answer.body());
                String error = null;
                if (answer.httpStatus() != 200) {
                    error = "the function posted an error: " + abbreviate(answer.body());
                } else if (status == null || status != 200) {
                    error = "the function answered statusCode " + status;
                } else if (target.writesItem() && !itemExists.test(connectionId)) {
                    error = "answered 200 but wrote no item";
                }
                if (!gracefulStop.isZero()) {
                    process.stop(gracefulStop);
                }
                return new Results.Run(index, warmup, figures, status, error == null, error);
            } finally {
                process.close();
            }
        } catch (RunFailure e) {
            return new Results.Run(index, warmup, Map.of(), null, false, e.getMessage());
        } catch (RuntimeException e) {
            return new Results.Run(index, warmup, Map.of(), null, false, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Results.Run(index, warmup, Map.of(), null, false, "interrupted");
        }
    }

    /** The answer, or a failure as soon as the process exits, reports an init error or runs out of time. */
    private Invocation await(Submission submission, FunctionProcess process, RuntimeApiServer api) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!submission.isAnswered()) {
            if (api.initError().isPresent()) {
                throw new RunFailure("init error: " + abbreviate(api.initError().get()) + "\n" + process.outputTail(15));
            }
            if (!process.isAlive()) {
                throw new RunFailure("the function exited with " + process.exitCode().orElse(-1)
                        + " before answering; its output ends:\n" + process.outputTail(15));
            }
            if (System.nanoTime() > deadline) {
                throw new RunFailure("no answer within " + timeout.toSeconds() + " s; output ends:\n" + process.outputTail(15));
            }
            try {
                return submission.answer(Duration.ofMillis(20));
            } catch (TimeoutException notYet) {
                // look at the process again
            }
        }
        try {
            return submission.answer(Duration.ofSeconds(1));
        } catch (TimeoutException e) {
            throw new RunFailure("answered but unreadable");
        }
    }

    static Integer statusCode(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node.path("statusCode").isInt() ? node.get("statusCode").asInt() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    /** A run that failed for a reason worth printing as is. */
    static final class RunFailure extends RuntimeException {
        RunFailure(String message) {
            super(message);
        }
    }
}
