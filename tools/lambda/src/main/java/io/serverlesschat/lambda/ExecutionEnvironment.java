package io.serverlesschat.lambda;

import java.util.concurrent.CompletableFuture;

/**
 * One execution environment of a function: a process that runs its init once, then takes one event at a
 * time. An {@link EnvironmentPool} starts them, hands them events and drops those that exit;
 * {@link ZipExecutionEnvironment} is the one that runs a function.zip.
 */
public interface ExecutionEnvironment {

    long pid();

    /** Completes when the function's init is done (its first poll for an event); fails with {@link InitFailure}. */
    CompletableFuture<Void> initialised();

    /** Hands the event to the function; completes with its answer, or with why there is none. */
    CompletableFuture<InvokeResult> invoke(String event);

    /** Completes with the exit status when the process ends. */
    CompletableFuture<Integer> exited();

    /** Stops the process (SIGTERM, then SIGKILL) and what serves it. */
    void stop();
}
