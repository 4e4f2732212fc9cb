package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;

/** One of the routes a function of this zip serves, chosen by {@link WebSocketLambda}. */
interface Route {

    /**
     * Start-up work of the chosen route only, during init, where Lambda gives a cold start more CPU than
     * the invocation gets; throws when the route's configuration is wrong, which stops the start.
     */
    void start();

    GatewayAnswer handleRequest(GatewayEvent event, Context context);
}
