package io.serverlesschat.connect;

/**
 * A message did not reach every recorded connection that is still there (a post refused, timed out, or the
 * broadcast ran out of time): answered with 500. Its message counts what happened; no exception text.
 */
public class BroadcastFailure extends RuntimeException {

    private final String code;

    BroadcastFailure(String message, String code) {
        super(message, null, false, false);
        this.code = code;
    }

    /** What went wrong first, in a word: the @connections API's error code, or the client's exception. */
    public String code() {
        return code;
    }
}
