package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent.RequestContext;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One open WebSocket connection, as stored in the table. Other routes read these attributes to reach
 * the client, so their names and types are a contract: see the README's item schema.
 */
public record Connection(
        String connectionId,
        long connectedAt,
        long expiresAt,
        String domainName,
        String stage,
        String sourceIp,
        String userAgent,
        String userId,
        String userName) {

    public static final String CONNECTION_ID = "connectionId";
    public static final String CONNECTED_AT = "connectedAt";
    public static final String EXPIRES_AT = "expiresAt";
    public static final String DOMAIN_NAME = "domainName";
    public static final String STAGE = "stage";
    public static final String SOURCE_IP = "sourceIp";
    public static final String USER_AGENT = "userAgent";
    /** The authorizer's principalId (a token's subject): the hash key of the table's byUser index. */
    public static final String USER_ID = "userId";
    /** The user's name, under the same key in the authorizer's context. */
    public static final String USER_NAME = "userName";

    // API Gateway's ids are 16 characters; anything far longer is not from API Gateway.
    private static final int MAX_ID_LENGTH = 128;
    /** OpenID Connect's bound on a subject, and on a user name here (Cognito's are at most 128). */
    static final int MAX_USER_LENGTH = 255;

    /**
     * The record of a $connect event. {@code connectedAt} is epoch milliseconds (API Gateway's unit),
     * {@code expiresAt} epoch seconds (DynamoDB TTL's unit).
     *
     * @param nowMillis the clock, used when the event carries no connectedAt
     * @throws RejectedEvent when the event is not a $connect this function can record
     */
    public static Connection fromConnectEvent(APIGatewayV2WebSocketEvent event, long nowMillis, long ttlSeconds) {
        RequestContext context = requireRoute(event, "$connect");
        long connectedAt = context.getConnectedAt() > 0 ? context.getConnectedAt() : nowMillis;
        var identity = context.getIdentity();
        Map<String, Object> authorizer = context.getAuthorizer() == null ? Map.of() : context.getAuthorizer();
        return new Connection(
                context.getConnectionId(),
                connectedAt,
                expiresAt(connectedAt, ttlSeconds),
                require(context.getDomainName(), "requestContext.domainName"),
                require(context.getStage(), "requestContext.stage"),
                identity == null ? null : blankToNull(identity.getSourceIp()),
                identity == null ? null : blankToNull(identity.getUserAgent()),
                user(authorizer, "principalId"),
                user(authorizer, USER_NAME));
    }

    /** The connection id of an event for {@code routeKey}, or a rejection saying what is wrong with it. */
    public static String connectionIdOf(APIGatewayV2WebSocketEvent event, String routeKey) {
        return requireRoute(event, routeKey).getConnectionId();
    }

    /** Epoch seconds at which DynamoDB may delete the item: connectedAt (ms) / 1000 + ttl (s). */
    static long expiresAt(long connectedAtMillis, long ttlSeconds) {
        return Math.floorDiv(connectedAtMillis, 1000L) + ttlSeconds;
    }

    /** The DynamoDB item; optional attributes are left out rather than stored empty. */
    public Map<String, AttributeValue> toItem() {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(CONNECTION_ID, AttributeValue.fromS(connectionId));
        item.put(CONNECTED_AT, AttributeValue.fromN(Long.toString(connectedAt)));
        item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(expiresAt)));
        item.put(DOMAIN_NAME, AttributeValue.fromS(domainName));
        item.put(STAGE, AttributeValue.fromS(stage));
        if (sourceIp != null) {
            item.put(SOURCE_IP, AttributeValue.fromS(sourceIp));
        }
        if (userAgent != null) {
            item.put(USER_AGENT, AttributeValue.fromS(userAgent));
        }
        if (userId != null) {
            item.put(USER_ID, AttributeValue.fromS(userId));
        }
        if (userName != null) {
            item.put(USER_NAME, AttributeValue.fromS(userName));
        }
        return item;
    }

    private static RequestContext requireRoute(APIGatewayV2WebSocketEvent event, String routeKey) {
        if (event == null || event.getRequestContext() == null) {
            throw new RejectedEvent("event has no requestContext");
        }
        RequestContext context = event.getRequestContext();
        if (!routeKey.equals(context.getRouteKey())) {
            throw new RejectedEvent("routeKey is " + quoted(context.getRouteKey()) + ", this function handles " + routeKey);
        }
        String id = require(context.getConnectionId(), "requestContext.connectionId");
        if (id.length() > MAX_ID_LENGTH) {
            throw new RejectedEvent("requestContext.connectionId is " + id.length() + " characters long");
        }
        return context;
    }

    /**
     * A value of requestContext.authorizer (what the authorizer of the handshake answered), or null without
     * one: without an authorizer, or under AWS_IAM, the event has none.
     */
    private static String user(Map<String, Object> authorizer, String name) {
        String value = authorizer.get(name) instanceof String s ? blankToNull(s) : null;
        if (value != null && value.length() > MAX_USER_LENGTH) {
            throw new RejectedEvent("requestContext.authorizer." + name + " is " + value.length() + " characters long");
        }
        return value;
    }

    private static String require(String value, String name) {
        if (blankToNull(value) == null) {
            throw new RejectedEvent("event has no " + name);
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String quoted(String value) {
        return value == null ? "missing" : '"' + value + '"';
    }
}
