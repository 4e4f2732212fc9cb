package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The authorizer's start-up: wrong settings stop it with a line naming the variable; a dead issuer does not. */
class TokenAuthorizerStartTest {

    /** The settings as the configuration would hand them over. */
    record Settings(Optional<String> issuer, Optional<List<String>> audience, Optional<String> keySetUrl, String identitySource,
            Duration clockSkew, Duration keySetTimeout, Duration keySetRefetchInterval) implements AuthorizerSettings {

        Settings(String issuer, String audience, String keySetUrl, String identitySource) {
            this(Optional.ofNullable(issuer), Optional.ofNullable(audience).map(a -> List.of(a.split(","))), Optional.ofNullable(keySetUrl),
                    identitySource, Duration.ofSeconds(60), Duration.ofMillis(500), Duration.ofSeconds(30));
        }
    }

    private static final String QUERY = "route.request.querystring.token";
    private final TestIssuer issuer = TestIssuer.start();

    @AfterEach
    void stop() {
        issuer.close();
    }

    private static String refusal(Settings settings) {
        return assertThrows(RuntimeException.class, () -> new TokenAuthorizer(settings, null).start()).getMessage();
    }

    @Test
    void anIssuerAndAnAudienceAreRequired() {
        assertTrue(refusal(new Settings(null, "app", null, QUERY)).startsWith("JWT_ISSUER: required by the authorizer"));
        assertTrue(refusal(new Settings(issuer.url(), null, null, QUERY)).startsWith("JWT_AUDIENCE: required by the authorizer"));
        assertTrue(refusal(new Settings(issuer.url(), " , ", null, QUERY)).startsWith("JWT_AUDIENCE: required"), "blanks are none");
    }

    @Test
    void keysAreOnlyTakenOverHttpsOrFromThisMachine() {
        assertEquals("JWT_ISSUER: \"http://issuer.example.com\" must be an https:// URL (http:// only on localhost, 127.0.0.1 or [::1])",
                refusal(new Settings("http://issuer.example.com", "app", null, QUERY)));
        assertTrue(refusal(new Settings(issuer.url(), "app", "http://keys.example.com/jwks.json", QUERY)).startsWith("JWT_JWKS_URL: "));
    }

    @Test
    void aBadIdentitySourceStopsTheStart() {
        assertTrue(refusal(new Settings(issuer.url(), "app", null, "route.request.body.token")).startsWith("JWT_IDENTITY_SOURCE: "));
    }

    /** The key set at ISSUER/.well-known/jwks.json (Cognito's place), fetched once at start-up; one that fails does not stop it. */
    @Test
    void theKeySetIsFetchedAtStartUpFromTheIssuersWellKnownPlace() {
        new TokenAuthorizer(new Settings(issuer.url() + "/", "app", null, QUERY), null).start();
        assertEquals(1, issuer.fetches(), "the trailing slash of an issuer is not doubled");
        issuer.answer(TestIssuer.Answer.ERROR);
        try (CapturedLog log = CapturedLog.start()) {
            new TokenAuthorizer(new Settings(issuer.url(), "app", null, QUERY), null).start();
            assertEquals(1, log.lines().size());
            assertEquals("WARN", log.lines().get(0).level());
            assertEquals("Key set not fetched at start-up (" + issuer.keySetUrl() + " answered HTTP 503); the first token fetches it",
                    log.lines().get(0).message());
        }
    }
}
