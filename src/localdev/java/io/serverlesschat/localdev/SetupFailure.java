package io.serverlesschat.localdev;

/**
 * An expected failure to set up a local run (a port taken, no moto_server, a DynamoDB endpoint that
 * does not answer, a package not built): its message is one line that names the cause and what fixes
 * it, so a command-line tool prints it as it is, without a stack trace, and exits non-zero.
 */
public class SetupFailure extends RuntimeException {

    public SetupFailure(String message) {
        super(message);
    }
}
