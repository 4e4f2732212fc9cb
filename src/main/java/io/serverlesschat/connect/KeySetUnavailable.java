package io.serverlesschat.connect;

/** The issuer's key set could not be fetched or read: no token can be checked, the handshake fails with 500. */
public class KeySetUnavailable extends RuntimeException {

    public KeySetUnavailable(String message) {
        super(message, null, false, false);
    }
}
