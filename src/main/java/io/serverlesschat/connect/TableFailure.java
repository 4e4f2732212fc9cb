package io.serverlesschat.connect;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** DynamoDB did not take the write (unreachable, throttled, missing table, denied): answered with 500. */
public class TableFailure extends RuntimeException {

    private final String code;

    /** @param endpoint where the client sends its calls, named when no answer came from there */
    public TableFailure(String operation, Exception cause, String endpoint) {
        super(operation + " failed: " + (errorCode(cause) == null ? "" : errorCode(cause) + ": ") + cause
                + (cause instanceof SdkClientException ? " [no answer from DynamoDB at " + endpoint + "]" : ""), cause);
        this.code = errorCode(cause) != null ? errorCode(cause) : cause.getClass().getSimpleName();
    }

    /** What went wrong, in a word: DynamoDB's error code, or the client's exception when no answer came. */
    public String code() {
        return code;
    }

    // The SDK has no exception class for some codes (AccessDeniedException among them): name the code.
    private static String errorCode(Exception cause) {
        return cause instanceof AwsServiceException e && e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
    }
}
