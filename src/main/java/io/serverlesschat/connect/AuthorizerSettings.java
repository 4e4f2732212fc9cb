package io.serverlesschat.connect;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The $connect authorizer's settings (QUARKUS_LAMBDA_HANDLER=authorize): whose tokens it takes and how it
 * checks them. Unused by the other routes; {@link TokenAuthorizer#start()} checks them when it is the route.
 */
@ConfigMapping(prefix = "authorizer")
public interface AuthorizerSettings {

    /**
     * The tokens' issuer, compared exactly with their {@code iss} (JWT_ISSUER), e.g. a Cognito user pool's
     * {@code https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123}. HTTPS, or HTTP on a loopback host.
     */
    Optional<String> issuer();

    /** The audiences accepted in {@code aud}, or as {@code client_id} in a token without one (JWT_AUDIENCE, comma-separated). */
    Optional<List<String>> audience();

    /** Where the issuer's JSON Web Key Set is (JWT_JWKS_URL); unset: {@code ISSUER/.well-known/jwks.json}. */
    Optional<String> keySetUrl();

    /**
     * Where the token is in the handshake, in API Gateway's terms (JWT_IDENTITY_SOURCE):
     * {@code route.request.querystring.NAME} or {@code route.request.header.NAME} (with or without "Bearer ").
     */
    @WithDefault("route.request.querystring.token")
    String identitySource();

    /** How far exp and nbf may be off this clock (JWT_CLOCK_SKEW). */
    @WithDefault("60s")
    Duration clockSkew();

    /** Bound on fetching the key set (JWT_JWKS_TIMEOUT): connecting, each read, and the whole fetch. */
    @WithDefault("2s")
    Duration keySetTimeout();

    /** A token naming a key the set does not have fetches the set again at most this often (JWT_JWKS_REFETCH_INTERVAL). */
    @WithDefault("30s")
    Duration keySetRefetchInterval();
}
