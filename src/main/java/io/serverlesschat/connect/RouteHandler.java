package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import jakarta.inject.Inject;

/**
 * What every WebSocket route does around its one step: map the step's outcome to an answer
 * (200, 400 for a {@link RejectedEvent}, 403 for a {@link RefusedOrigin}, 500 for anything else) and
 * log one structured line ({@link InvocationLog}). This is the only place that builds a route's answers,
 * and no exception text ever reaches the client.
 */
abstract class RouteHandler implements Route {

    @Inject
    InvocationLog log;

    /** The table the route's step works on. */
    final ConnectionTable table;
    private final String routeKey;
    private final String okBody;
    private final String failedBody;

    RouteHandler(ConnectionTable table, String routeKey, String okBody, String failedBody) {
        this.table = table;
        this.routeKey = routeKey;
        this.okBody = okBody;
        this.failedBody = failedBody;
    }

    /** Primes the table's client: only a WebSocket route's function builds one. */
    @Override
    public void start() {
        table.prime();
    }

    /**
     * The route's step: returns normally when done, throws {@link RejectedEvent}, {@link RefusedOrigin},
     * {@link TableFailure} or {@link BroadcastFailure}.
     */
    abstract void handle(GatewayEvent event);

    /** The route's answer to one event ({@link WebSocketLambda} hands it over). */
    @Override
    public final GatewayAnswer handleRequest(GatewayEvent event, Context context) {
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
        } catch (BroadcastFailure e) {
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
        log.write(routeKey, event, context, start, coldStart, status, outcome, reason, detail, failure);
        return GatewayAnswer.route(status, switch (status) {
            case 200 -> okBody;
            case 400 -> "Bad request.";
            case 403 -> "Forbidden.";
            default -> failedBody;
        });
    }
}
