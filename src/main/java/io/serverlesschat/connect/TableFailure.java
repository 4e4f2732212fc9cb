package io.serverlesschat.connect;

/** DynamoDB did not take the write (unreachable, throttled, missing table, denied): answered with 500. */
public class TableFailure extends RuntimeException {

    public TableFailure(String operation, Throwable cause) {
        super(operation + " failed: " + cause, cause);
    }
}
