package io.serverlesschat.runlocal;

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

    static final String ISSUER = "JWT_ISSUER";
    static final String AUDIENCE = "JWT_AUDIENCE";
    /** The account of the methodArn the authorizer gets, as the local Lambda's function ARNs have it. */
    static final String ACCOUNT = "000000000000";

    private final SamTemplate.Authorizer authorizer;
    private final SamTemplate.Function function;
    private final LocalIssuer issuer;

    private LocalAuthorizer(SamTemplate.Authorizer authorizer, SamTemplate.Function function, LocalIssuer issuer) {
        this.authorizer = authorizer;
        this.function = function;
        this.issuer = issuer;
    }

    /** The template's authorizer, with the local issuer started when it needs one; null without an authorizer. */
    static LocalAuthorizer of(SamTemplate template, LocalOptions options) {
        SamTemplate.Authorizer authorizer = template.authorizer();
        if (authorizer == null) {
            return null;
        }
        SamTemplate.Function function = template.functions().get(authorizer.functionId());
        Map<String, String> environment = function.environment();
        if (!environment.containsKey(ISSUER) || !environment.get(ISSUER).isBlank()) {
            return new LocalAuthorizer(authorizer, function, null);
        }
        String audience = environment.getOrDefault(AUDIENCE, "").isBlank() ? LocalIssuer.AUDIENCE : environment.get(AUDIENCE);
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
                : Map.of(ISSUER, issuer.issuer().toString(), AUDIENCE, issuer.audience());
    }

    RequestAuthorizer requestAuthorizer(LambdaFunction function) {
        return new RequestAuthorizer(authorizer.functionId(), function, Duration.ofSeconds(this.function.timeoutSeconds()),
                authorizer.identitySources(), LocalDynamoDb.REGION, ACCOUNT);
    }

    /** The local issuer, or null when the template names one. */
    LocalIssuer issuer() {
        return issuer;
    }

    /** What the Ready banner says to connect with. */
    String connectCommand(URI url) {
        String source = authorizer.identitySources().isEmpty() ? "" : authorizer.identitySources().get(0);
        String tokenOfAlice = "\n            (a token of the local issuer " + (issuer == null ? null : issuer.issuer()) + " for user alice: bin/token --help)";
        if (issuer != null && source.startsWith("route.request.querystring.")) {
            return "npx wscat -c \"" + url + "?" + source.substring("route.request.querystring.".length()) + "=$(bin/token alice)\""
                    + tokenOfAlice;
        }
        if (issuer != null && source.startsWith("route.request.header.")) {
            return "npx wscat -c " + url + " -H \"" + source.substring("route.request.header.".length()) + ": $(bin/token alice)\""
                    + tokenOfAlice;
        }
        return "npx wscat -c " + url + " with what the authorizer " + authorizer.functionId() + " takes in "
                + String.join(", ", authorizer.identitySources());
    }

    @Override
    public void close() {
        if (issuer != null) {
            issuer.close();
        }
    }
}
