package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * What every WebSocket route does around its one step: map the step's outcome to an answer
 * (200, 400 for a {@link RejectedEvent}, 403 for a {@link RefusedOrigin}, 500 for anything else) and
 * log one structured line. This is the only place that builds answers, and no exception text ever
 * reaches the client.
 */
abstract class RouteHandler {

    private static final Logger LOG = Logger.getLogger("io.serverlesschat.connect");
    private static final int MAX_LOGGED_ID = 128;

    private final String routeKey;
    private final String okBody;
    private final String failedBody;

    RouteHandler(String routeKey, String okBody, String failedBody) {
        this.routeKey = routeKey;
        this.okBody = okBody;
        this.failedBody = failedBody;
    }

    /** The route's step: returns normally when done, throws {@link RejectedEvent}, {@link RefusedOrigin} or {@link TableFailure}. */
    abstract void handle(APIGatewayV2WebSocketEvent event);

    /** The route's answer to one event ({@link WebSocketLambda} hands it over). */
    public final APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        long start = System.nanoTime();
        int status;
        String outcome;
        String reason = null;
        Throwable failure = null;
        try {
            handle(event);
            status = 200;
            outcome = "ok";
        } catch (RejectedEvent e) {
            status = 400;
            outcome = "rejected";
            reason = e.getMessage();
        } catch (RefusedOrigin e) {
            status = 403;
            outcome = "forbidden";
            reason = e.getMessage();
        } catch (TableFailure e) {
            status = 500;
            outcome = "failed";
            reason = e.getMessage();
        } catch (RuntimeException e) {
            status = 500;
            outcome = "error";
            reason = e.toString();
            failure = e;
        }
        log(event, status, outcome, reason, failure, (System.nanoTime() - start) / 1_000_000);
        return answer(status, switch (status) {
            case 200 -> okBody;
            case 400 -> "Bad request.";
            case 403 -> "Forbidden.";
            default -> failedBody;
        });
    }

    /** One line per invocation; Quarkus already puts the AWSRequestId in the MDC of every line. */
    private void log(APIGatewayV2WebSocketEvent event, int status, String outcome, String reason,
            Throwable failure, long latencyMs) {
        Map<String, Object> fields = new LinkedHashMap<>();
        var requestContext = event == null ? null : event.getRequestContext();
        if (requestContext != null) {
            fields.put("connectionId", truncate(requestContext.getConnectionId()));
            fields.put("routeKey", truncate(requestContext.getRouteKey()));
        }
        fields.put("route", routeKey);
        fields.put("status", status);
        fields.put("outcome", outcome);
        fields.put("latencyMs", latencyMs);
        fields.values().removeIf(Objects::isNull);
        fields.forEach(MDC::put);
        try {
            Logger.Level level = status == 200 ? Logger.Level.INFO : status < 500 ? Logger.Level.WARN : Logger.Level.ERROR;
            LOG.logf(level, failure, "%s %d %s%s in %d ms", routeKey, status, outcome,
                    reason == null ? "" : ": " + reason, latencyMs);
        } finally {
            fields.keySet().forEach(MDC::remove);
        }
    }

    private static String truncate(String value) {
        return value == null || value.length() <= MAX_LOGGED_ID ? value : value.substring(0, MAX_LOGGED_ID) + "...";
    }

    private static APIGatewayV2WebSocketResponse answer(int status, String body) {
        var response = new APIGatewayV2WebSocketResponse();
        response.setStatusCode(status);
        response.setHeaders(Map.of("Content-Type", "text/plain"));
        response.setBody(body);
        return response;
    }
}
