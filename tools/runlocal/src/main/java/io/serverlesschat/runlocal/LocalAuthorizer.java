package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.LocalGateway;
import io.serverlesschat.apigateway.RequestAuthorizer;
import io.serverlesschat.lambda.LambdaFunction;
import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.localdev.SetupFailure;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * $connect's authorizer as bin/local plays it: the template's REQUEST authorizer, whose function runs as the
 * others do, called by the gateway on every handshake ({@link RequestAuthorizer}). A JWT authorizer whose
 * issuer is not given (ConnectAuthorization=JWT without JwtIssuer) gets the {@link LocalIssuer}, and the
 * audience {@value LocalIssuer#AUDIENCE} unless JwtAudience is given, so that it can be tried without any
 * cloud account (bin/token prints its tokens).
 */
final class LocalAuthorizer implements AutoCloseable {

    /** The authorizer's variables that name the issuer and the audience (application.properties). */
    static final String ISSUER_VARIABLE = "JWT_ISSUER";
    static final String AUDIENCE_VARIABLE = "JWT_AUDIENCE";

    private final SamTemplate.Authorizer authorizer;
    private final SamTemplate.Function function;
    private final LocalIssuer issuer;

    private LocalAuthorizer(SamTemplate.Authorizer authorizer, SamTemplate.Function function, LocalIssuer issuer) {
        this.authorizer = authorizer;
        this.function = function;
        this.issuer = issuer;
    }

    /** Whether the template's authorizer is a JWT one without an issuer, which the local issuer then plays. */
    static boolean needsLocalIssuer(SamTemplate template) {
        SamTemplate.Authorizer authorizer = template.authorizer();
        if (authorizer == null) {
            return false;
        }
        Map<String, String> environment = template.functions().get(authorizer.functionId()).environment();
        return environment.containsKey(ISSUER_VARIABLE) && environment.get(ISSUER_VARIABLE).isBlank();
    }

    /** The template's authorizer, with the local issuer started when it needs one; null without an authorizer. */
    static LocalAuthorizer of(SamTemplate template, LocalOptions options) {
        SamTemplate.Authorizer authorizer = template.authorizer();
        if (authorizer == null) {
            return null;
        }
        SamTemplate.Function function = template.functions().get(authorizer.functionId());
        Map<String, String> environment = function.environment();
        if (!needsLocalIssuer(template)) {
            return new LocalAuthorizer(authorizer, function, null);
        }
        String audience = environment.getOrDefault(AUDIENCE_VARIABLE, "").isBlank() ? LocalIssuer.AUDIENCE : environment.get(AUDIENCE_VARIABLE);
        try {
            return new LocalAuthorizer(authorizer, function, LocalIssuer.start(options.project(), options.issuerPort(), audience));
        } catch (BindException taken) {
            throw new SetupFailure("port " + options.issuerPort() + " (the local token issuer) is taken: stop what listens there,"
                    + " or choose another with --issuer-port PORT (0 picks a free one)");
        } catch (IOException e) {
            throw new SetupFailure("the local token issuer cannot start: " + e.getMessage());
        }
    }

    String functionId() {
        return authorizer.functionId();
    }

    /** The variables of {@code functionId} that bin/local sets in place of the template's: the local issuer's. */
    Map<String, String> environment(String functionId) {
        return issuer == null || !functionId.equals(authorizer.functionId()) ? Map.of()
                : Map.of(ISSUER_VARIABLE, issuer.issuer().toString(), AUDIENCE_VARIABLE, issuer.audience());
    }

    RequestAuthorizer requestAuthorizer(LambdaFunction function) {
        return new RequestAuthorizer(authorizer.functionId(), function, Duration.ofSeconds(this.function.timeoutSeconds()),
                authorizer.identitySources(), LocalDynamoDb.REGION, LocalGateway.ACCOUNT_ID);
    }

    /** The local issuer, or null when the template names one. */
    LocalIssuer issuer() {
        return issuer;
    }

    /** What the Ready banner says to connect with: wscat with a token where it goes, and a browser where it can. */
    String connectCommand(URI url) {
        String source = authorizer.identitySources().isEmpty() ? "" : authorizer.identitySources().get(0);
        String tokenOfAlice = issuer == null ? ""
                : "\n            (a token of the local issuer " + issuer.issuer() + " for user alice: bin/token --help)";
        if (issuer != null && source.startsWith(QUERY)) {
            String name = source.substring(QUERY.length());
            return "npx wscat -c \"" + url + "?" + name + "=$(bin/token alice)\"" + tokenOfAlice
                    + "\n            or in a browser console: ws = new WebSocket(\"" + url + "?" + name + "=TOKEN\")";
        }
        if (issuer != null && source.startsWith(HEADER)) {
            // Browsers cannot set a handshake's headers: only other clients connect to such an authorizer.
            return "npx wscat -c " + url + " -H \"" + source.substring(HEADER.length()) + ": $(bin/token alice)\"" + tokenOfAlice
                    + "\n            (not from a browser, which cannot set the handshake's headers: the default JwtIdentitySource,"
                    + " route.request.querystring.token, can)";
        }
        return "npx wscat -c " + url + " with what the authorizer " + authorizer.functionId() + " takes in "
                + String.join(", ", authorizer.identitySources());
    }

    private static final String QUERY = "route.request.querystring.";
    private static final String HEADER = "route.request.header.";

    @Override
    public void close() {
        if (issuer != null) {
            issuer.close();
        }
    }
}
