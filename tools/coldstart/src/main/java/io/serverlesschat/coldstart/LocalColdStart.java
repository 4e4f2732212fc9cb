package io.serverlesschat.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.lambda.Cgroups;
import io.serverlesschat.lambda.FunctionCgroup;
import io.serverlesschat.lambda.FunctionLauncher;
import io.serverlesschat.lambda.FunctionProcess;
import io.serverlesschat.lambda.FunctionZip;
import io.serverlesschat.lambda.RuntimeApiServer;
import io.serverlesschat.lambda.RuntimeApiServer.Invocation;
import io.serverlesschat.lambda.RuntimeApiServer.Submission;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One cold start, as Lambda does it: a Runtime API holding a $connect event, a fresh function process
 * in a cgroup of its own with Lambda's CPU share and memory limit for the memory setting, the first
 * poll, the answer, the process killed and its cgroup removed. The clock starts just before exec; the
 * cgroup's CPU accounting is read at the first poll (init) and at the answer (the whole cold start).
 */
public final class LocalColdStart {

    static final String TABLE = "connections";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DynamoDbAccess dynamoDb;
    private final ConnectEvents events;
    private final Predicate<String> itemExists;
    private final Cgroups cgroups;
    private final Duration timeout;
    private final Map<String, String> environment = new LinkedHashMap<>();
    /** For the authorizer: its issuer and its REQUEST events. */
    private BenchIssuer issuer;
    private ConnectEvents authorizerEvents;

    /**
     * @param itemExists whether the table holds an item for a connection id, to check that a 200 wrote one
     * @param cgroups    where the limits are imposed; null when no run enforces any
     */
    public LocalColdStart(DynamoDbAccess dynamoDb, ConnectEvents events, Predicate<String> itemExists, Cgroups cgroups,
            Duration timeout) {
        this.dynamoDb = dynamoDb;
        this.events = events;
        this.itemExists = itemExists;
        this.cgroups = cgroups;
        this.timeout = timeout;
    }

    /** One more variable of the function's environment for every run (e.g. DYNAMODB_PRIMING=false). */
    LocalColdStart env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** What the authorizer's cold starts need: the issuer whose key set it fetches in init, and its REQUEST events. */
    LocalColdStart authorizer(BenchIssuer issuer, ConnectEvents events) {
        this.issuer = issuer;
        this.authorizerEvents = events;
        return this;
    }

    /** The launcher for {@code target} against {@code api}, with the function's own environment. */
    FunctionLauncher launcher(Target target, RuntimeApiServer api, int memoryMb, List<String> jvmOptions, Path log) {
        FunctionLauncher launcher = FunctionLauncher.of(target.kind(), target.taskRoot())
                .runtimeApi(api.runtimeApiAddress())
                .functionName("serverless-chat-" + target.function())
                .memoryMb(memoryMb)
                .env("TABLE_NAME", TABLE)
                .env("DYNAMODB_ENDPOINT", dynamoDb.endpoint().toString())
                .jvmOptions(jvmOptions)
                .output(log);
        environment.forEach(launcher::env);
        if (target.authorizes()) {
            // As the template's AuthorizerFunction sets them (JWT_IDENTITY_SOURCE: the default, the query's token).
            launcher.env("QUARKUS_LAMBDA_HANDLER", "authorize")
                    .env("JWT_ISSUER", BenchIssuer.ISSUER)
                    .env("JWT_AUDIENCE", BenchIssuer.AUDIENCE)
                    .env("JWT_JWKS_URL", issuer.keySetUrl().toString());
        }
        List<String> trust = dynamoDb.systemProperties(target);
        if (target.kind() == FunctionZip.Kind.NATIVE) {
            // As the deployment sets it for the native function (see the Quarkus Lambda guide).
            launcher.env("DISABLE_SIGNAL_HANDLERS", "true");
            launcher.bootstrapArguments(trust);
        } else {
            launcher.javaHome(target.jdk().home());
            launcher.jvmOptions(trust);
        }
        return launcher;
    }

    /** Measures one cold start; never throws for a failure of the function, it records it. */
    public Variant.Run run(Target target, LambdaLimits limits, List<String> jvmOptions, int index, boolean warmup, Path log) {
        return run(target, limits, jvmOptions, index, warmup, log, Duration.ZERO);
    }

    /**
     * As {@link #run(Target, LambdaLimits, List, int, boolean, Path)}; with a non-zero {@code gracefulStop}
     * the process is stopped with SIGTERM and given that long to exit (a class-data archive is written at exit).
     */
    public Variant.Run run(Target target, LambdaLimits limits, List<String> jvmOptions, int index, boolean warmup, Path log,
            Duration gracefulStop) {
        String connectionId = events.newConnectionId();
        Double load = Machine.loadAverage1m();
        FunctionCgroup cgroup = null;
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("serverless-chat-" + target.function())) {
            if (limits.enforced()) {
                cgroup = cgroups.create();
                cgroup.limitMemory(limits.memoryMb());
                cgroup.prioritiseCpu();
                if (limits.initCpu() == LambdaLimits.InitCpu.SHARE) {
                    cgroup.limitCpu(limits.vcpus());
                } else {
                    cgroup.unlimitCpu();
                }
            }
            CpuReadings cpu = new CpuReadings(cgroup, limits);
            api.onFirstPoll(cpu::atFirstPoll);
            api.onAnswer(cpu::atAnswer);
            Submission submission = api.submit(target.authorizes()
                    ? authorizerEvents.event(connectionId, issuer.token("bench-" + connectionId))
                    : events.event(connectionId));
            FunctionLauncher launcher = launcher(target, api, limits.memoryMb(), jvmOptions, log);
            if (cgroup != null) {
                launcher.cgroup(cgroup);
            }
            FunctionProcess process = launcher.start();
            cpu.process(process);
            try {
                Invocation answer;
                try {
                    answer = await(submission, process, api);
                } catch (RunFailure e) {
                    throw outOfMemory(cgroup, limits).orElse(e);
                }
                long peakRssKb = process.peakRssKb();
                long start = process.startNanos();
                OptionalLong firstPoll = api.firstPollNanos();
                var timing = answer.timing();
                cpu.failure().ifPresent(e -> {
                    throw new RunFailure("could not apply the CPU share or read the CPU time: " + e);
                });
                Map<String, Double> figures = new LinkedHashMap<>();
                figures.put(Figure.INIT.key(), millis(firstPoll.orElseThrow() - start));
                figures.put(Figure.INVOCATION.key(), millis(timing.answeredNanos() - timing.deliveredNanos()));
                figures.put(Figure.TOTAL.key(), millis(timing.answeredNanos() - start));
                figures.put(Figure.INIT_CPU.key(), millis(cpu.init()));
                figures.put(Figure.TOTAL_CPU.key(), millis(cpu.total()));
                figures.put(Figure.PEAK_RSS.key(), peakRssKb / 1024.0);
                if (cgroup != null) {
                    cgroup.peakMemoryBytes().ifPresent(b -> figures.put(Figure.CGROUP_PEAK.key(), b / 1048576.0));
                }
                dynamoDb.counted().ifPresent(https -> {
                    figures.put(Figure.INIT_CONNECTIONS.key(), (double) https.acceptedBetween(start, firstPoll.orElseThrow()));
                    figures.put(Figure.INVOCATION_CONNECTIONS.key(),
                            (double) https.acceptedBetween(firstPoll.orElseThrow(), timing.answeredNanos()));
                });
                Integer status = target.authorizes() ? authorizerStatus(answer.body()) : statusCode(answer.body());
                String error = null;
                if (answer.httpStatus() != 200) {
                    error = outOfMemory(cgroup, limits).map(RunFailure::getMessage)
                            .orElse("the function posted an error: " + abbreviate(answer.body()));
                } else if (status == null || status != 200) {
                    error = "the function answered statusCode " + status;
                } else if (target.writesItem() && !itemExists.test(connectionId)) {
                    error = "answered 200 but wrote no item";
                }
                if (!gracefulStop.isZero()) {
                    process.stop(gracefulStop);
                }
                return new Variant.Run(index, warmup, figures, status, error == null, error, load);
            } finally {
                process.close();
            }
        } catch (RunFailure e) {
            return new Variant.Run(index, warmup, Map.of(), null, false, e.getMessage(), load);
        } catch (RuntimeException e) {
            return new Variant.Run(index, warmup, Map.of(), null, false, e.toString(), load);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Variant.Run(index, warmup, Map.of(), null, false, "interrupted", load);
        } finally {
            if (cgroup != null) {
                cgroup.close();
            }
        }
    }

    /** A failure that names the memory limit, when the kernel's OOM killer acted in the group. */
    private static Optional<RunFailure> outOfMemory(FunctionCgroup cgroup, LambdaLimits limits) {
        if (cgroup == null) {
            return Optional.empty();
        }
        long kills = cgroup.oomKills();
        return kills == 0 ? Optional.empty() : Optional.of(new RunFailure("out of memory: the kernel killed " + kills
                + " process(es) of the function at its " + limits.memoryMb() + " MB limit (the cgroup's oom_kill count)"));
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

    /** An authorizer's policy as API Gateway turns it into the handshake's status: Allow 200, Deny 403; else null. */
    static Integer authorizerStatus(String body) {
        try {
            JsonNode effect = JSON.readTree(body).path("policyDocument").path("Statement").path(0).path("Effect");
            return "Allow".equals(effect.asText()) ? Integer.valueOf(200) : "Deny".equals(effect.asText()) ? Integer.valueOf(403) : null;
        } catch (Exception e) {
            return null;
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
