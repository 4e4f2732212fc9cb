package io.serverlesschat.connect;

/**
 * The handshake carries no token: the authorizer fails its invocation with exactly this message, which
 * API Gateway answers with 401 Unauthorized. An expected outcome, so Quarkus does not log it again
 * (quarkus.lambda.expected-exceptions); the authorizer's own line says it.
 */
public class Unauthorized extends RuntimeException {

    public Unauthorized() {
        super("Unauthorized", null, false, false);
    }
}
