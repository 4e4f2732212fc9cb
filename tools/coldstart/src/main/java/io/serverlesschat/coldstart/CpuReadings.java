package io.serverlesschat.coldstart;

import io.serverlesschat.lambda.FunctionCgroup;
import io.serverlesschat.lambda.FunctionProcess;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The function's CPU time at the first poll and at the answer, read from the Runtime API's hooks; at the
 * first poll the CPU share is applied too when only the invocation is throttled.
 */
final class CpuReadings {
    private final FunctionCgroup cgroup;
    private final LambdaLimits limits;
    private final CompletableFuture<FunctionProcess> process = new CompletableFuture<>();
    private volatile long init = -1;
    private volatile long total = -1;
    private volatile RuntimeException failure;

    CpuReadings(FunctionCgroup cgroup, LambdaLimits limits) {
        this.cgroup = cgroup;
        this.limits = limits;
    }

    void process(FunctionProcess started) {
        process.complete(started);
    }

    private long now() {
        if (cgroup != null) {
            return cgroup.cpuNanos();
        }
        try { // a native bootstrap can poll before start() has returned here
            return process.get(5, TimeUnit.SECONDS).cpuNanos();
        } catch (Exception e) {
            throw new IllegalStateException("no process to read the CPU time of", e);
        }
    }

    void atFirstPoll() {
        try {
            init = now();
            if (cgroup != null && limits.initCpu() == LambdaLimits.InitCpu.BURST) {
                cgroup.limitCpu(limits.vcpus());
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    void atAnswer() {
        try {
            if (total < 0) {
                total = now();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    long init() {
        return init;
    }

    long total() {
        return total;
    }
}
