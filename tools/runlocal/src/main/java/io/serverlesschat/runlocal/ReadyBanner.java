package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.Limits;
import io.serverlesschat.lambda.EnvironmentPool;
import io.serverlesschat.localdev.LocalDynamoDb;

/** The banner bin/local prints once {@link RunLocal} is ready (the tests read it too). */
final class ReadyBanner {

    private ReadyBanner() {
    }

    /** What bin/local says once it is ready: how to connect, look, send to a client, and call a function directly. */
    static String of(RunLocal local) {
        StringBuilder direct = new StringBuilder();
        local.eventUris().forEach((route, uri) -> direct.append(String.format("%n            %-12s curl -d @%s %s",
                route, SampleEvents.fileFor(local.project(), route), uri)));
        StringBuilder environments = new StringBuilder();
        for (EnvironmentPool pool : local.environments().values()) {
            environments.append(String.format("%n            %-22s up to %d at once (1 running), more started as events need them",
                    pool.name(), pool.limit()));
        }
        Limits limits = local.limits();
        return String.format("""

                Ready. WebSocket API: %s   (Ctrl-C stops everything)

                Connect:    %s
                See it:     AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb scan --table-name %s --endpoint-url %s --region %s
                Send:       AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws apigatewaymanagementapi post-to-connection --endpoint-url %s --region %s --connection-id ID --data '{"message":"hello"}'
                            (ID: a connectionId from the scan or a $connect line; with the AWS CLI v2, add --cli-binary-format raw-in-base64-out)
                %sDisconnect: Ctrl-C in wscat (or ws.close()), then scan again: the item is gone.
                Limits:     a connection idle for %s is closed, any connection after %s (%s)
                Execution environments (bin/local --concurrency N changes the limit):%s
                Events straight to a function, without a WebSocket:%s
                %s""", local.url(), connect(local), RunLocal.TABLE, local.dynamo().endpoint(), LocalDynamoDb.REGION,
                local.connectionsEndpoint(), LocalDynamoDb.REGION, messages(local),
                human(limits.idleTimeout()), human(limits.maxDuration()),
                limits.equals(Limits.AWS) ? "API Gateway's; --idle-timeout and --max-duration shorten them"
                        : "shortened: API Gateway's are 10 min and 2 h",
                environments, direct,
                local.dynamo().ownsServer() ? "If moto_server exits, bin/local starts it again.\n" : "");
    }

    /** How to connect: a plain handshake, or under ConnectAuthorization=AWS_IAM a presigned one (bin/presign). */
    static String connect(RunLocal local) {
        if (local.signedConnectsOnly()) {
            String url = local.url().toString();
            return String.format("""
                    npx wscat -c "$(bin/presign%s)"
                                ConnectAuthorization=AWS_IAM: only SigV4-signed handshakes connect (access key local, secret local,
                                execute-api, %s); an unsigned or badly signed one gets 403. bin/presign presigns the URL.""",
                    url.equals("ws://localhost:3001/dev") ? "" : " " + url, LocalDynamoDb.REGION);
        }
        if (local.authorizer() != null) {
            return local.authorizer().connectCommand(local.url());
        }
        return String.format("""
                npx wscat -c %s
                            or in a browser console: ws = new WebSocket("%s")""", local.url(), local.url());
    }

    /**
     * How a message reaches each of the template's message routes, when the API selects routes by a property of a
     * JSON body (as the lab's $request.body.action does); empty otherwise, or without such routes.
     */
    static String messages(RunLocal local) {
        String expression = local.routeSelectionExpression();
        if (expression == null || !expression.matches("\\$request\\.body\\.[A-Za-z0-9_]+")) {
            return "";
        }
        String property = expression.substring("$request.body.".length());
        StringBuilder lines = new StringBuilder();
        for (String route : local.eventUris().keySet()) {
            if (!route.startsWith("$")) {
                lines.append(String.format("%-12s{\"%s\":\"%s\", ...} from a client goes to the route %s%n",
                        lines.isEmpty() ? "Messages:" : "", property, route, route));
            }
        }
        return lines.toString();
    }

    /** 2 h, 10 min, 30 s. */
    static String human(java.time.Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 3600 == 0 ? seconds / 3600 + " h" : seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
    }
}
