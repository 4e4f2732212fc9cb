package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The verification matrix: real keys (made here), a real key set served over HTTP (TestIssuer), tokens signed
 * the right way and every wrong one. The clock of the key set's refetch interval is the test's.
 */
class TokenVerifierTest {

    private static final Duration SKEW = Duration.ofSeconds(60);
    private static final Duration REFETCH = Duration.ofSeconds(30);

    private final TestIssuer issuer = TestIssuer.start();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final KeySet keys = new KeySet(issuer.keySetUrl(), Duration.ofSeconds(2), REFETCH, clock::get);
    private final TokenVerifier verifier = new TokenVerifier(issuer.url(), List.of(TestIssuer.AUDIENCE, "another-client"), SKEW, keys);

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void anRs256IdTokenPassesWithWhatAChatNeeds() {
        TokenVerifier.VerifiedToken user = verifier.verify(issuer.token());
        assertEquals(TestIssuer.SUBJECT, user.subject());
        assertEquals("alice", user.userName());
        assertEquals("alice@example.com", user.email());
        assertNull(user.scope());
        assertEquals(Map.of("sub", TestIssuer.SUBJECT, "userName", "alice", "email", "alice@example.com"), user.context());
        assertEquals(1, issuer.fetches(), "the key set was fetched once, on the first token");
        verifier.verify(issuer.token(c -> c.setSubject("bob")));
        assertEquals(1, issuer.fetches(), "and kept");
    }

    @Test
    void anEs256TokenPasses() {
        String token = TestIssuer.sign(issuer.ec.getKeyId(), issuer.ec.getPrivateKey(),
                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, issuer.claims(c -> { }));
        assertEquals(TestIssuer.SUBJECT, verifier.verify(token).subject());
    }

    @Test
    void aSecondAudienceIsAcceptedToo() {
        assertEquals(TestIssuer.SUBJECT, verifier.verify(issuer.token(c -> c.setAudience("another-client"))).subject());
    }

    /** Cognito's access tokens carry no aud: their app client is client_id, and the user name is username. */
    @Test
    void aCognitoAccessTokenPassesByItsClientId() {
        Consumer<JwtClaims> access = c -> {
            c.unsetClaim("aud");
            c.unsetClaim("cognito:username");
            c.unsetClaim("email");
            c.setClaim("token_use", "access");
            c.setClaim("client_id", TestIssuer.AUDIENCE);
            c.setClaim("username", "alice");
            c.setClaim("scope", "openid email chat/post");
        };
        TokenVerifier.VerifiedToken user = verifier.verify(issuer.token(access));
        assertEquals("alice", user.userName());
        assertEquals("openid email chat/post", user.scope());
        assertEquals(Map.of("sub", TestIssuer.SUBJECT, "userName", "alice", "scope", "openid email chat/post"), user.context());

        assertRejected("wrong audience", issuer.token(access.andThen(c -> c.setClaim("client_id", "someone-elses-client"))));
        assertRejected("wrong audience", issuer.token(access.andThen(c -> c.unsetClaim("client_id"))));
    }

    @Test
    void scopesAsAListAreJoinedWithSpaces() {
        assertEquals("chat.read chat.write", verifier.verify(issuer.token(c -> c.setStringListClaim("scp", "chat.read", "chat.write"))).scope());
    }

    @Test
    void aTokenSignedWithAnotherKeyUnderAKnownKidIsRefused() {
        var forger = TestIssuer.key("forger", "RSA", null);
        assertRejected("bad signature", TestIssuer.sign(issuer.rsa.getKeyId(), forger.getPrivateKey(),
                AlgorithmIdentifiers.RSA_USING_SHA256, issuer.claims(c -> { })));
    }

    @Test
    void anAlteredPayloadIsRefused() {
        String[] parts = issuer.token().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("alice", "mallory");
        assertRejected("bad signature", parts[0] + "." + base64(payload) + "." + parts[2]);
    }

    @Test
    void algNoneIsRefused() {
        String header = base64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}");
        String payload = base64(issuer.claims(c -> { }).toJson());
        assertRejected("algorithm not allowed", header + "." + payload + ".");
        assertRejected("malformed token", header + "." + payload);
        assertEquals(0, issuer.fetches(), "refused before any key is looked for");
    }

    /** Key confusion: the RSA public key (which anyone can fetch) used as an HMAC secret. */
    @Test
    void hs256SignedWithThePublicKeyIsRefused() {
        for (byte[] secret : List.of(issuer.rsa.getPublicKey().getEncoded(),
                issuer.rsa.toJson().getBytes(StandardCharsets.UTF_8))) {
            assertRejected("algorithm not allowed", TestIssuer.sign(issuer.rsa.getKeyId(), new HmacKey(secret),
                    AlgorithmIdentifiers.HMAC_SHA256, issuer.claims(c -> { })));
        }
        assertEquals(0, issuer.fetches(), "a made-up algorithm fetches nothing");
    }

    /** The algorithm comes from the key: an EC key never verifies an RSA-signed token, nor a key declared for another algorithm. */
    @Test
    void aKeyOfAnotherTypeOrDeclaredForAnotherAlgorithmVerifiesNothing() {
        String rsaSignedUnderEcKid = TestIssuer.sign(issuer.ec.getKeyId(), issuer.rsa.getPrivateKey(),
                AlgorithmIdentifiers.RSA_USING_SHA256, issuer.claims(c -> { }));
        assertRejected("unknown key", rsaSignedUnderEcKid);

        issuer.rsa.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA512); // published so from now on
        TokenVerifier fresh = new TokenVerifier(issuer.url(), List.of(TestIssuer.AUDIENCE), SKEW,
                new KeySet(issuer.keySetUrl(), Duration.ofSeconds(2), REFETCH, clock::get));
        assertEquals("unknown key", assertThrows(RejectedToken.class, () -> fresh.verify(issuer.token())).getMessage(),
                "a key declared for RS512 does not verify RS256");
    }

    @Test
    void anExpiredTokenIsRefusedBeyondTheClockSkewOnly() {
        assertRejected("token expired", issuer.token(expiredSecondsAgo(SKEW.toSeconds() + 5)));
        assertEquals(TestIssuer.SUBJECT, verifier.verify(issuer.token(expiredSecondsAgo(30))).subject(),
                "30 s past exp is within the 60 s skew");
    }

    /** An hour-long token that ended {@code seconds} ago. */
    private static Consumer<JwtClaims> expiredSecondsAgo(long seconds) {
        return c -> {
            c.setIssuedAt(TestIssuer.inSeconds(-seconds - 3600));
            c.setExpirationTime(TestIssuer.inSeconds(-seconds));
        };
    }

    @Test
    void aTokenNotYetValidIsRefusedBeyondTheClockSkewOnly() {
        assertRejected("token not yet valid", issuer.token(c -> c.setNotBefore(TestIssuer.inSeconds(SKEW.toSeconds() + 5))));
        assertEquals(TestIssuer.SUBJECT, verifier.verify(issuer.token(c -> c.setNotBefore(TestIssuer.inSeconds(30)))).subject());
    }

    @Test
    void anotherIssuersTokenIsRefused() {
        assertRejected("wrong issuer", issuer.token(c -> c.setIssuer("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other")));
        assertRejected("wrong issuer", issuer.token(c -> c.setIssuer(issuer.url() + "/")));
        assertRejected("wrong issuer", issuer.token(c -> c.unsetClaim("iss")));
    }

    @Test
    void anotherAudiencesTokenIsRefused() {
        assertRejected("wrong audience", issuer.token(c -> c.setAudience("someone-elses-app")));
        assertRejected("wrong audience", issuer.token(c -> c.unsetClaim("aud")));
    }

    @Test
    void aTokenWithoutExpiryOrSubjectIsRefused() {
        assertRejected("no expiry", issuer.token(c -> c.unsetClaim("exp")));
        assertRejected("no subject", issuer.token(c -> c.unsetClaim("sub")));
    }

    /** What $connect could not store is not allowed through: a subject beyond OpenID Connect's 255 characters; a name that long is left out. */
    @Test
    void aSubjectTooLongForTheItemIsRefusedAndSuchANameLeftOut() {
        assertRejected("subject too long", issuer.token(c -> c.setSubject("s".repeat(256))));
        assertNull(verifier.verify(issuer.token(c -> c.setClaim("cognito:username", "n".repeat(256)))).userName());
    }

    @Test
    void whatIsNotATokenIsRefused() {
        assertRejected("malformed token", "not-a-token");
        assertRejected("malformed token", "a.b.c");
        assertRejected("token too long", "x".repeat(17_000));
    }

    /** A token naming a key the set lacks fetches it again once, then is denied; the next within the interval fetches nothing. */
    @Test
    void anUnknownKidFetchesTheSetAgainAtMostOncePerInterval() {
        verifier.verify(issuer.token());
        assertEquals(1, issuer.fetches());

        var stranger = TestIssuer.key("never-published", "RSA", null);
        String unknown = TestIssuer.sign(stranger.getKeyId(), stranger.getPrivateKey(), AlgorithmIdentifiers.RSA_USING_SHA256,
                issuer.claims(c -> { }));
        clock.addAndGet(REFETCH.toNanos());
        assertRejected("unknown key", unknown);
        assertEquals(2, issuer.fetches(), "one refetch");
        assertRejected("unknown key", unknown);
        assertRejected("unknown key", TestIssuer.sign("another-made-up-kid", stranger.getPrivateKey(),
                AlgorithmIdentifiers.RSA_USING_SHA256, issuer.claims(c -> { })));
        assertEquals(2, issuer.fetches(), "within the interval: no fetch, however many made-up kids");

        clock.addAndGet(REFETCH.toNanos() - 1);
        assertRejected("unknown key", unknown);
        assertEquals(2, issuer.fetches());
        clock.addAndGet(1);
        assertRejected("unknown key", unknown);
        assertEquals(3, issuer.fetches(), "the interval passed: one more");
    }

    /** The issuer rotates its keys: a token of the new key fetches the set again and passes. */
    @Test
    void aRotatedKeyIsFoundByRefetching() {
        verifier.verify(issuer.token());
        var next = issuer.rotate("rsa-2");
        clock.addAndGet(REFETCH.toNanos());
        String token = TestIssuer.sign("rsa-2", next.getPrivateKey(), AlgorithmIdentifiers.RSA_USING_SHA256, issuer.claims(c -> { }));
        assertEquals(TestIssuer.SUBJECT, verifier.verify(token).subject());
        assertEquals(2, issuer.fetches());
    }

    @Test
    void aKeySetThatCannotBeFetchedIsAFailureNotARefusal() throws Exception {
        issuer.answer(TestIssuer.Answer.ERROR);
        KeySetUnavailable failure = assertThrows(KeySetUnavailable.class, () -> verifier.verify(issuer.token()));
        assertEquals(issuer.keySetUrl() + " answered HTTP 503", failure.getMessage());

        issuer.answer(TestIssuer.Answer.KEYS);
        assertEquals(TestIssuer.SUBJECT, verifier.verify(issuer.token()).subject(), "a set never fetched is tried again by the next token");

        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        KeySet closed = new KeySet(URI.create("http://127.0.0.1:" + port + "/.well-known/jwks.json"), Duration.ofSeconds(2), REFETCH, clock::get);
        assertTrue(assertThrows(KeySetUnavailable.class, closed::load).getMessage().contains("Connection refused"));
    }

    /** An issuer that never answers costs the timeout (twice at most), not the Lambda timeout. */
    @Test
    void aKeySetThatNeverAnswersGivesUpWithinTheTimeout() {
        issuer.answer(TestIssuer.Answer.NOTHING);
        KeySet slow = new KeySet(issuer.keySetUrl(), Duration.ofMillis(500), REFETCH, clock::get);
        long start = System.nanoTime();
        KeySetUnavailable failure = assertThrows(KeySetUnavailable.class, slow::load);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 450 && millis < 1500, "gave up after " + millis + " ms");
        assertTrue(failure.getMessage().contains("within 500 ms (JWT_JWKS_TIMEOUT)"), failure.getMessage());
    }

    @Test
    void onlyHttpsOrALoopbackHostIsTrusted() {
        for (String ok : List.of("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", "http://localhost:9000",
                "http://127.0.0.1:9000/realms/chat", "http://[::1]:9000")) {
            assertEquals(URI.create(ok), KeySet.requireSecure(URI.create(ok), "JWT_ISSUER"));
        }
        for (String bad : List.of("http://issuer.example.com", "http://10.0.0.5", "ftp://issuer.example.com", "issuer.example.com",
                "http://localhost.evil.example")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> KeySet.requireSecure(URI.create(bad), "JWT_ISSUER"), bad);
            assertTrue(refused.getMessage().startsWith("JWT_ISSUER: \"" + bad + "\" must be an https:// URL"), refused.getMessage());
        }
    }

    private void assertRejected(String reason, String token) {
        assertEquals(reason, assertThrows(RejectedToken.class, () -> verifier.verify(token)).getMessage());
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
