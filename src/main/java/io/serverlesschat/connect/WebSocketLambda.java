package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The function's Lambda handler: the WebSocket route QUARKUS_LAMBDA_HANDLER names ({@code connect} or
 * {@code disconnect}), chosen once per container. Being the deployment's only handler lets the Lambda
 * extension build the event's JSON reader and the answer's writer during static init, which a native
 * build runs at build time; among several handlers it builds them at every start.
 */
@Singleton
@Startup // an unknown route name stops the start, as the extension's own choice among handlers did
public class WebSocketLambda implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private final RouteHandler route;

    WebSocketLambda(@Any Instance<RouteHandler> routes, @ConfigProperty(name = "quarkus.lambda.handler") String name) {
        Instance<RouteHandler> named = routes.select(NamedLiteral.of(name));
        if (!named.isResolvable()) {
            throw new IllegalStateException("QUARKUS_LAMBDA_HANDLER: no route named \"" + name + "\" (connect or disconnect)");
        }
        this.route = named.get();
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return route.handleRequest(event, context);
    }
}
