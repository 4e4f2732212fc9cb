package io.serverlesschat.connect;

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

    DisconnectHandler(ConnectionTable table) {
        super(table, "$disconnect", "Disconnected.", "Failed to disconnect.");
    }

    @Override
    void handle(GatewayEvent event) {
        table.delete(Connection.connectionIdOf(event, "$disconnect"));
    }
}
