package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.Context;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The $connect authorizer (API Gateway's Lambda REQUEST authorizer), step by step: take the token from where
 * the identity source says, check it against the issuer's key set, answer a policy for this handshake. Its
 * three answers become the handshake's status at API Gateway:
 * <ul>
 * <li>a valid token: Allow execute-api:Invoke on exactly the event's methodArn, principalId its subject and a
 * context with the user's name, e-mail and scopes, which $connect and every later route of the connection
 * get in requestContext.authorizer;</li>
 * <li>a bad token (forged, expired, another issuer's or audience's): an explicit Deny, 403;</li>
 * <li>no token: the invocation fails with "Unauthorized", 401;</li>
 * </ul>
 * and when it cannot decide (the key set unreachable, a fault) the invocation fails otherwise: 500. Every
 * invocation writes one line (the route {@value #ROUTE}); no line ever holds the token or its claims.
 */
@Named(TokenAuthorizer.NAME)
@Singleton
public class TokenAuthorizer implements Route {

    /** Its QUARKUS_LAMBDA_HANDLER name. */
    static final String NAME = "authorize";
    /** Its line's route, and its metrics' dimension. */
    static final String ROUTE = "authorizer";

    private static final Logger LOG = Logger.getLogger(InvocationLog.LOGGER);

    private final AuthorizerSettings settings;
    private final InvocationLog log;
    // Made by start(), only in the authorizer's function.
    private IdentitySource identitySource;
    private TokenVerifier verifier;

    TokenAuthorizer(AuthorizerSettings settings, InvocationLog log) {
        this.settings = settings;
        this.log = log;
    }

    /**
     * Checks the settings (a missing or plain-HTTP issuer, no audience, a bad identity source stop the start)
     * and fetches the issuer's key set, bounded by its timeout: one that does not answer costs that and one
     * line, and the first token fetches it again.
     */
    @Override
    public void start() {
        String issuer = settings.issuer().orElseThrow(() -> new IllegalStateException(
                "JWT_ISSUER: required by the authorizer (QUARKUS_LAMBDA_HANDLER=" + NAME + "), e.g. https://cognito-idp.REGION.amazonaws.com/POOL_ID"));
        List<String> audiences = settings.audience().map(a -> a.stream().map(String::strip).filter(s -> !s.isEmpty()).toList())
                .filter(a -> !a.isEmpty())
                .orElseThrow(() -> new IllegalStateException("JWT_AUDIENCE: required by the authorizer, the app client id(s)"
                        + " or audience(s) its tokens are for (comma-separated)"));
        KeySet.requireSecure(URI.create(issuer), "JWT_ISSUER");
        URI keySetUrl = URI.create(settings.keySetUrl().orElse(issuer.replaceAll("/+$", "") + "/.well-known/jwks.json"));
        KeySet keys = new KeySet(keySetUrl, settings.keySetTimeout(), settings.keySetRefetchInterval(), System::nanoTime);
        identitySource = IdentitySource.parse(settings.identitySource());
        verifier = new TokenVerifier(issuer, audiences, settings.clockSkew(), keys);
        long start = System.nanoTime();
        try {
            int count = keys.load();
            LOG.infof("Key set of %s: %d signature key(s), fetched in %d ms", issuer, count, (System.nanoTime() - start) / 1_000_000);
        } catch (KeySetUnavailable e) {
            LOG.warnf("Key set not fetched at start-up (%s); the first token fetches it", e.getMessage());
        }
    }

    @Override
    public GatewayAnswer handleRequest(GatewayEvent event, Context context) {
        long start = System.nanoTime();
        boolean coldStart = log.coldStart();
        GatewayAnswer answer = null;
        RuntimeException refusal = null; // the invocation's failure: Unauthorized (401) or any other (500)
        int status;
        String outcome;
        String reason = null; // short, to count by
        String detail = null; // what the line's message says
        Throwable failure = null;
        try {
            String methodArn = event == null ? null : event.getMethodArn();
            if (methodArn == null || methodArn.isBlank()) {
                throw new RejectedEvent("event has no methodArn");
            }
            String token = identitySource.tokenOf(event);
            if (token == null) {
                status = 401;
                outcome = "unauthorized";
                reason = detail = "no token in " + identitySource;
                refusal = new Unauthorized();
            } else {
                try {
                    TokenVerifier.VerifiedToken user = verifier.verify(token);
                    answer = GatewayAnswer.policy(user.subject(), "Allow", methodArn, user.context());
                    status = 200;
                    outcome = "allowed";
                } catch (RejectedToken e) {
                    // Not the token's subject: nothing in a refused token is to be trusted.
                    answer = GatewayAnswer.policy("anonymous", "Deny", methodArn, null);
                    status = 403;
                    outcome = "denied";
                    reason = detail = e.getMessage();
                }
            }
        } catch (RejectedEvent e) {
            status = 500; // an authorizer has no 400: not an authorizer's event, so no decision
            outcome = "rejected";
            reason = detail = e.getMessage();
            refusal = new AuthorizerFailure();
        } catch (KeySetUnavailable e) {
            status = 500;
            outcome = "failed";
            reason = "key set unavailable";
            detail = e.getMessage();
            refusal = new AuthorizerFailure();
        } catch (RuntimeException e) {
            status = 500;
            outcome = "error";
            reason = e.getClass().getName();
            detail = e.toString();
            failure = e;
            refusal = new AuthorizerFailure();
        }
        log.write(ROUTE, event, context, start, coldStart, status, outcome, reason, detail, failure);
        if (refusal != null) {
            throw refusal;
        }
        return answer;
    }
}
