package io.serverlesschat.lambda;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A function as its caller sees it: Lambda's synchronous Invoke. The event goes in as JSON text; what comes
 * back is the function's raw answer or a typed failure ({@link InvokeResult}), never an exception. A zip
 * function's {@link EnvironmentPool} is one, called directly; a function in another process (Quarkus dev
 * mode) is an {@link HttpFunction}.
 */
public interface LambdaFunction {

    /**
     * Invokes the function with {@code event}.
     *
     * @param timeout how long the caller waits (API Gateway's integration timeout, say): without an answer
     *                by then the result is {@link InvokeResult.TimedOut}, and an event still waiting for an
     *                execution environment is withdrawn
     */
    CompletableFuture<InvokeResult> invoke(String event, Duration timeout);
}
