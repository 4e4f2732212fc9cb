package io.serverlesschat.connect;

/**
 * The authorizer could not decide (the key set unreachable, a fault): its invocation fails, and API Gateway
 * answers the handshake with 500. The message says nothing more; the authorizer's own line says why.
 */
public class AuthorizerFailure extends RuntimeException {

    public AuthorizerFailure() {
        super("Authorizer failed", null, false, false);
    }
}
