package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * The $disconnect route: forget the connection. API Gateway sends it best effort (it may never
 * come; the item's TTL covers that) and ignores the answer, so deleting an absent item is success.
 * Selected with QUARKUS_LAMBDA_HANDLER=disconnect, from the same function.zip as $connect.
 */
@Named(DisconnectHandler.NAME)
@Singleton
public class DisconnectHandler extends RouteHandler {

    /** Its QUARKUS_LAMBDA_HANDLER name. */
    static final String NAME = "disconnect";

    private final ConnectionTable table;

    DisconnectHandler(ConnectionTable table) {
        super("$disconnect", "Disconnected.", "Failed to disconnect.");
        this.table = table;
    }

    @Override
    void handle(APIGatewayV2WebSocketEvent event) {
        table.delete(Connection.connectionIdOf(event, "$disconnect"));
    }
}
