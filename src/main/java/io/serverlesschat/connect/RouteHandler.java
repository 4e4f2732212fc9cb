package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * What every WebSocket route does around its one step: map the step's outcome to an answer
 * (200, 400 for a {@link RejectedEvent}, 403 for a {@link RefusedOrigin}, 500 for anything else) and
 * log one structured line ({@link InvocationLog}). This is the only place that builds answers, and no
 * exception text ever reaches the client.
 */
abstract class RouteHandler {

    @Inject
    InvocationLog log;

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
        boolean coldStart = log.coldStart();
        int status;
        String outcome;
        String reason = null; // short, to count by
        String detail = null; // what the line's message says
        Throwable failure = null;
        try {
            handle(event);
            status = 200;
            outcome = "ok";
        } catch (RejectedEvent e) {
            status = 400;
            outcome = "rejected";
            reason = detail = e.getMessage();
        } catch (RefusedOrigin e) {
            status = 403;
            outcome = "forbidden";
            reason = detail = e.getMessage();
        } catch (TableFailure e) {
            status = 500;
            outcome = "failed";
            reason = e.code();
            detail = e.getMessage();
        } catch (RuntimeException e) {
            status = 500;
            outcome = "error";
            reason = e.getClass().getName();
            detail = e.toString();
            failure = e;
        }
        var requestContext = event == null ? null : event.getRequestContext();
        log.write(new InvocationLog.Invocation(routeKey,
                requestContext == null ? null : requestContext.getConnectionId(),
                requestContext == null ? null : requestContext.getRouteKey(),
                status, outcome, reason, detail, failure, (System.nanoTime() - start) / 1_000_000, coldStart,
                context == null ? null : context.getAwsRequestId(),
                context == null ? null : context.getFunctionName(),
                context == null ? 0 : context.getMemoryLimitInMB()));
        return answer(status, switch (status) {
            case 200 -> okBody;
            case 400 -> "Bad request.";
            case 403 -> "Forbidden.";
            default -> failedBody;
        });
    }

    private static APIGatewayV2WebSocketResponse answer(int status, String body) {
        var response = new APIGatewayV2WebSocketResponse();
        response.setStatusCode(status);
        response.setHeaders(Map.of("Content-Type", "text/plain"));
        response.setBody(body);
        return response;
    }
}
