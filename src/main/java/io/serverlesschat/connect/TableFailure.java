package io.serverlesschat.connect;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** DynamoDB did not take the write (unreachable, throttled, missing table, denied): answered with 500. */
public class TableFailure extends RuntimeException {

    public TableFailure(String operation, Exception cause) {
        super(operation + " failed: " + errorCode(cause) + cause, cause);
    }

    // The SDK has no exception class for some codes (AccessDeniedException among them): name the code.
    private static String errorCode(Exception cause) {
        return cause instanceof AwsServiceException e && e.awsErrorDetails() != null
                ? e.awsErrorDetails().errorCode() + ": "
                : "";
    }
}
