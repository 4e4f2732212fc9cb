package io.serverlesschat.lambda;

/**
 * How an invocation ended: the function's answer, untouched ({@link Payload}: a proxy response, an
 * authorizer's policy, anything), its error ({@link FunctionError}), or no answer from it at all, for a
 * reason of Lambda's ({@link Throttled}), of the caller's ({@link TimedOut}) or of its process'
 * ({@link NoAnswer}). Reasons are for a developer's log, never for a client.
 */
public sealed interface InvokeResult {

    /** What the function returned (Lambda's Invoke payload), as it returned it. */
    record Payload(String payload) implements InvokeResult {
    }

    /**
     * The function failed and said so (Lambda's FunctionError): the error document it posted, and its
     * {@code errorType} and {@code errorMessage} ("" where it has none). An authorizer's {@code Unauthorized}
     * comes back this way.
     */
    record FunctionError(String errorType, String errorMessage, String document) implements InvokeResult {
    }

    /** Lambda refused the invocation: the function runs all the execution environments it may (429). */
    record Throttled(String reason) implements InvokeResult {
    }

    /** No answer came within the caller's timeout. */
    record TimedOut(String reason) implements InvokeResult {
    }

    /** No answer will come: the function's process exited, its init failed, or it could not be reached. */
    record NoAnswer(String reason) implements InvokeResult {
    }
}
