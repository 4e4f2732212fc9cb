package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import io.quarkus.runtime.Startup;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * The $connect route, step by step as in the original lab, with the origin check before the write:
 * take the connection from the event, check the page it comes from, put it in the table, answer
 * "Connected.". API Gateway refuses the handshake on any status but 2xx.
 */
@Named(ConnectHandler.NAME)
@Singleton
@Startup // one per container, built at start-up: a bad ALLOWED_ORIGINS stops the start, not each handshake
public class ConnectHandler extends RouteHandler {

    /** Its QUARKUS_LAMBDA_HANDLER name. */
    static final String NAME = "connect";

    private final ConnectionTable table;
    private final ConnectionSettings settings;
    private final OriginPolicy origins;

    ConnectHandler(ConnectionTable table, ConnectionSettings settings) {
        super("$connect", "Connected.", "Failed to connect.");
        this.table = table;
        this.settings = settings;
        this.origins = OriginPolicy.of(settings.allowedOrigins().orElse(""), settings.requireOrigin());
    }

    @Override
    void handle(APIGatewayV2WebSocketEvent event) {
        Connection connection = Connection.fromConnectEvent(event, System.currentTimeMillis(), settings.ttlSeconds());
        origins.check(event);
        table.put(connection);
    }
}
