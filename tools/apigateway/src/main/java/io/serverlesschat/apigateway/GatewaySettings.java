package io.serverlesschat.apigateway;

import java.util.Set;

/**
 * What the gateway plays of one WebSocket API, as plain values (bin/local reads them from the template):
 * its stage, the stage's throttling of new connections, the route selection expression that routes
 * messages, the routes whose function's answer goes back to the client (a route response), and API
 * Gateway's limits on a connection.
 */
public record GatewaySettings(String stage, Throttling throttling, String routeSelectionExpression,
        Set<String> routeResponses, Limits limits) {

    /** What API Gateway's console proposes, and what the original lab's template sets. */
    public static final String DEFAULT_ROUTE_SELECTION = "$request.body.action";

    /**
     * The stage's DefaultRouteSettings: a token bucket of {@code burstLimit} requests refilled at
     * {@code rateLimit} per second, per route. Without them, the account's limits apply.
     */
    public record Throttling(double rateLimit, int burstLimit) {
        /** API Gateway's default account-level limits (most regions): 10,000 requests per second, burst 5,000. */
        public static final Throttling ACCOUNT = new Throttling(10_000, 5_000);
    }

    /** @throws IllegalArgumentException for a route selection expression API Gateway would refuse */
    public GatewaySettings {
        routeResponses = Set.copyOf(routeResponses);
        RouteSelection.parse(routeSelectionExpression);
    }

    /** A stage throttled at the account's limits, routing by {@value #DEFAULT_ROUTE_SELECTION}, without route responses. */
    public static GatewaySettings of(String stage) {
        return new GatewaySettings(stage, Throttling.ACCOUNT, DEFAULT_ROUTE_SELECTION, Set.of(), Limits.AWS);
    }

    public GatewaySettings withThrottling(Throttling throttling) {
        return new GatewaySettings(stage, throttling, routeSelectionExpression, routeResponses, limits);
    }

    public GatewaySettings withRouteResponses(Set<String> routeResponses) {
        return new GatewaySettings(stage, throttling, routeSelectionExpression, routeResponses, limits);
    }

    public GatewaySettings withLimits(Limits limits) {
        return new GatewaySettings(stage, throttling, routeSelectionExpression, routeResponses, limits);
    }
}
