package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import jakarta.inject.Named;

/**
 * The $connect route, step by step as in the original lab: take the connection from the event, put
 * it in the table, answer "Connected.". API Gateway refuses the handshake on any status but 2xx.
 */
@Named("connect")
public class ConnectHandler extends RouteHandler {

    private final ConnectionTable table;
    private final ConnectionSettings settings;

    ConnectHandler(ConnectionTable table, ConnectionSettings settings) {
        super("$connect", "Connected.", "Failed to connect.");
        this.table = table;
        this.settings = settings;
    }

    @Override
    void handle(APIGatewayV2WebSocketEvent event) {
        Connection connection = Connection.fromConnectEvent(event, System.currentTimeMillis(), settings.ttlSeconds());
        table.put(connection);
    }
}
