package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The function's Lambda handler: the route QUARKUS_LAMBDA_HANDLER names ({@code connect}, {@code disconnect},
 * {@code sendmessage} or {@code authorize}, the $connect authorizer), chosen once per container, whose start-up work alone runs.
 * Being the deployment's only handler lets the Lambda extension build the event's JSON reader and the
 * answer's writer during static init, which a native build runs at build time; among several handlers it
 * builds them at every start. So every route shares one event type and one answer type ({@link GatewayEvent},
 * {@link GatewayAnswer}). The name is read from the configuration directly and the routes are injected as
 * they are: injecting the property or looking a bean up by name would bring CDI's config injection and
 * dynamic lookup into the image.
 */
@Singleton
@Startup // an unknown route name stops the start, as the extension's own choice among handlers did
public class WebSocketLambda implements RequestHandler<GatewayEvent, GatewayAnswer> {

    private final Route route;

    WebSocketLambda(ConnectHandler connect, DisconnectHandler disconnect, SendMessageHandler sendMessage, TokenAuthorizer authorize) {
        String name = ConfigProvider.getConfig().getValue("quarkus.lambda.handler", String.class);
        this.route = switch (name) {
            case ConnectHandler.NAME -> connect;
            case DisconnectHandler.NAME -> disconnect;
            case SendMessageHandler.NAME -> sendMessage;
            case TokenAuthorizer.NAME -> authorize;
            default -> throw new IllegalStateException("QUARKUS_LAMBDA_HANDLER: no route named \"" + name + "\" ("
                    + ConnectHandler.NAME + ", " + DisconnectHandler.NAME + ", " + SendMessageHandler.NAME + " or "
                    + TokenAuthorizer.NAME + ")");
        };
        route.start();
    }

    @Override
    public GatewayAnswer handleRequest(GatewayEvent event, Context context) {
        return route.handleRequest(event, context);
    }
}
