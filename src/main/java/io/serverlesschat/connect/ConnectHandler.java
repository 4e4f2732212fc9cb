package io.serverlesschat.connect;

import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * The $connect route, step by step as in the original lab, with the origin check before the write:
 * take the connection from the event, check the page it comes from, put it in the table, answer
 * "Connected.". API Gateway refuses the handshake on any status but 2xx.
 */
@Named(ConnectHandler.NAME)
@Singleton // built at start-up with WebSocketLambda: a bad ALLOWED_ORIGINS stops the start, not each handshake
public class ConnectHandler extends RouteHandler {

    /** Its QUARKUS_LAMBDA_HANDLER name. */
    static final String NAME = "connect";

    private final ConnectionSettings settings;
    private final OriginPolicy origins;

    ConnectHandler(ConnectionTable table, ConnectionSettings settings) {
        super(table, "$connect", "Connected.", "Failed to connect.");
        this.settings = settings;
        this.origins = OriginPolicy.of(settings.allowedOrigins().orElse(""), settings.requireOrigin());
    }

    @Override
    void handle(GatewayEvent event) {
        Connection connection = Connection.fromConnectEvent(event, System.currentTimeMillis(), settings.ttlSeconds());
        origins.check(event);
        table.put(connection);
    }
}
