package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The function's Lambda handler: the WebSocket route QUARKUS_LAMBDA_HANDLER names ({@code connect} or
 * {@code disconnect}), chosen once per container. Being the deployment's only handler lets the Lambda
 * extension build the event's JSON reader and the answer's writer during static init, which a native
 * build runs at build time; among several handlers it builds them at every start. The name is read
 * from the configuration directly and both routes are injected as they are: injecting the property
 * or looking a bean up by name would bring CDI's config injection and dynamic lookup into the image.
 */
@Singleton
@Startup // an unknown route name stops the start, as the extension's own choice among handlers did
public class WebSocketLambda implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private final RouteHandler route;

    WebSocketLambda(ConnectHandler connect, DisconnectHandler disconnect) {
        String name = ConfigProvider.getConfig().getValue("quarkus.lambda.handler", String.class);
        this.route = switch (name) {
            case ConnectHandler.NAME -> connect;
            case DisconnectHandler.NAME -> disconnect;
            default -> throw new IllegalStateException("QUARKUS_LAMBDA_HANDLER: no route named \"" + name + "\" ("
                    + ConnectHandler.NAME + " or " + DisconnectHandler.NAME + ")");
        };
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return route.handleRequest(event, context);
    }
}
