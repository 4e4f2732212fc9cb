package io.serverlesschat.connect;

/** The handshake comes from a page that may not connect (see {@link OriginPolicy}): 403, nothing written. */
public class RefusedOrigin extends RuntimeException {

    public RefusedOrigin(String reason) {
        super(reason, null, false, false);
    }
}
