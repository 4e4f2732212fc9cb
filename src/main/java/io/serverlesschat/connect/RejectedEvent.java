package io.serverlesschat.connect;

/** The event is not one this route can record: the handshake is refused with 400 and nothing is written. */
public class RejectedEvent extends RuntimeException {

    public RejectedEvent(String reason) {
        super(reason, null, false, false);
    }
}
