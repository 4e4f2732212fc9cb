package io.serverlesschat.apigateway;

/**
 * The line the gateway logs for a message that reaches no function: its body selects no route of the API
 * (or a route key the API does not have) and there is no $default route. API Gateway then answers the client
 * {"message": "Forbidden", "connectionId": ..., "requestId": ...} and runs nothing; without this line the
 * only trace would be that answer, on the client's side.
 */
final class NoRoute {

    /** Longer route keys are cut: the key comes from the client's message. */
    static final int SHOWN = 40;

    private NoRoute() {
    }

    /**
     * @param selected the route key the message's body selected, or null (none, or a binary message)
     */
    static String line(String connectionId, String selected, boolean binary) {
        String why = binary ? "a binary message selects no route"
                : selected == null ? "its body selects no route key"
                : "no route has its route key \"" + ClientText.shown(selected, SHOWN) + "\"";
        return String.format("%-11s %s -> Forbidden: %s and the API has no $default route", "(no route)", connectionId, why);
    }
}
