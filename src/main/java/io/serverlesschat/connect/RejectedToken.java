package io.serverlesschat.connect;

/** A token that does not pass (forged, expired, another issuer's or audience's...): denied, 403. The reason names no part of it. */
public class RejectedToken extends RuntimeException {

    public RejectedToken(String reason) {
        super(reason, null, false, false);
    }
}
