package io.serverlesschat.connect;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Checks a token as a careful API does, with jose4j doing the cryptography: a JWS signed with an asymmetric
 * algorithm by a key of the issuer's set (never {@code none}, never HMAC: the key's type decides, so a public
 * key cannot be used as an HMAC secret), the issuer, the audience (or, in a token without {@code aud} such as
 * a Cognito access token, its {@code client_id}), a subject, an expiry, and {@code exp}/{@code nbf} within the
 * clock skew. A token that fails is a {@link RejectedToken} whose reason names no part of it.
 */
final class TokenVerifier {

    /** The signature algorithms taken: RSA and ECDSA, whose keys are public. */
    static final Set<String> ALGORITHMS = Set.of(
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384, AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512);

    /** Far above any real token (Cognito's are 1-2 KB), and above what API Gateway lets through a query string. */
    private static final int MAX_TOKEN_LENGTH = 16 * 1024;

    /** What a valid token says about its user: what a chat needs, and no more. */
    record VerifiedToken(String subject, String userName, String email, String scope) {

        /**
         * The authorizer's context: strings only (API Gateway takes no objects or lists), the absent ones left
         * out; the user's name under the key $connect stores it by.
         */
        Map<String, Object> context() {
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("sub", subject);
            if (userName != null) {
                context.put(Connection.USER_NAME, userName);
            }
            if (email != null) {
                context.put("email", email);
            }
            if (scope != null) {
                context.put("scope", scope);
            }
            return context;
        }
    }

    /** The resolver's refusal of an algorithm before any key is looked for (so a made-up one fetches nothing). */
    private static final class AlgorithmNotAllowed extends UnresolvableKeyException {
        AlgorithmNotAllowed() {
            super("algorithm not allowed");
        }
    }

    private final JwtConsumer consumer;

    TokenVerifier(String issuer, List<String> audiences, Duration clockSkew, KeySet keys) {
        Set<String> accepted = Set.copyOf(audiences);
        this.consumer = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT, ALGORITHMS.toArray(String[]::new)))
                .setJweAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT)) // no encrypted tokens
                .setVerificationKeyResolver((jws, nesting) -> {
                    if (!ALGORITHMS.contains(jws.getAlgorithmHeaderValue())) {
                        throw new AlgorithmNotAllowed();
                    }
                    JsonWebKey key;
                    try {
                        key = keys.keyFor(jws);
                    } catch (JoseException e) {
                        throw new UnresolvableKeyException("no key", e);
                    }
                    if (key == null) {
                        throw new UnresolvableKeyException("no key of the issuer's set matches");
                    }
                    return key.getKey();
                })
                .setExpectedIssuer(true, issuer)
                .setSkipDefaultAudienceValidation()
                .registerValidator((ErrorCodeValidator) context -> audienceError(context.getJwtClaims(), accepted))
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) clockSkew.toSeconds())
                .build();
    }

    /**
     * @throws RejectedToken when the token does not pass
     * @throws KeySetUnavailable when the issuer's key set, needed to check it, cannot be fetched
     */
    VerifiedToken verify(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new RejectedToken("token too long");
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof KeySetUnavailable unavailable) {
                    throw unavailable; // from the key resolver: no decision, not a refusal
                }
            }
            throw new RejectedToken(reasonOf(e));
        } catch (KeySetUnavailable e) {
            throw e;
        } catch (RuntimeException e) {
            // What the library throws on input it cannot parse; its message may quote the token.
            throw new RejectedToken("malformed token");
        }
        String subject;
        try {
            subject = claims.getSubject();
        } catch (MalformedClaimException e) {
            throw new RejectedToken("malformed claim");
        }
        if (subject.length() > Connection.MAX_USER_LENGTH) {
            throw new RejectedToken("subject too long"); // OpenID Connect's limit; $connect would refuse it
        }
        String userName = string(claims, "cognito:username", "username", "preferred_username");
        return new VerifiedToken(subject, userName == null || userName.length() > Connection.MAX_USER_LENGTH ? null : userName,
                string(claims, "email"), scope(claims));
    }

    private static ErrorCodeValidator.Error audienceError(JwtClaims claims, Set<String> accepted) throws MalformedClaimException {
        if (claims.hasAudience()) {
            return claims.getAudience().stream().anyMatch(accepted::contains) ? null
                    : new ErrorCodeValidator.Error(ErrorCodes.AUDIENCE_INVALID, "wrong audience");
        }
        // Cognito's access tokens name their app client in client_id and carry no aud.
        String clientId = string(claims, "client_id");
        return clientId != null && accepted.contains(clientId) ? null
                : new ErrorCodeValidator.Error(ErrorCodes.AUDIENCE_MISSING, "wrong audience");
    }

    /** A short reason to count refusals by, from the library's error codes, never its message (which quotes claims). */
    private static String reasonOf(InvalidJwtException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof AlgorithmNotAllowed || cause instanceof org.jose4j.lang.InvalidAlgorithmException) {
                return "algorithm not allowed";
            }
            if (cause instanceof UnresolvableKeyException) {
                return "unknown key";
            }
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return "bad signature";
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return "unsigned token";
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRED)) {
            return "token expired";
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return "token not yet valid";
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return "wrong issuer";
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return "wrong audience";
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            return "no expiry";
        }
        if (e.hasErrorCode(ErrorCodes.SUBJECT_MISSING)) {
            return "no subject";
        }
        return "malformed token";
    }

    /** The first of these claims that is a non-blank string. */
    private static String string(JwtClaims claims, String... names) {
        for (String name : names) {
            if (claims.getClaimValue(name) instanceof String value && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /** OAuth scopes, space-separated: {@code scope} as Cognito writes it, or {@code scp} as a list (Okta, Entra ID). */
    private static String scope(JwtClaims claims) {
        String scope = string(claims, "scope", "scp");
        if (scope == null && claims.getClaimValue("scp") instanceof List<?> list && !list.isEmpty()) {
            scope = String.join(" ", list.stream().map(String::valueOf).toList());
        }
        return scope;
    }
}
