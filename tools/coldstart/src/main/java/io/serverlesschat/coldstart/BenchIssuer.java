package io.serverlesschat.coldstart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * The issuer the authorizer's cold start checks tokens against, as a Cognito user pool is to it on AWS: an
 * RSA-2048 key made for the run (RS256, Cognito's algorithm), its public half served as a JSON Web Key Set on
 * the loopback, over HTTPS with the run's chain when DynamoDB is reached over HTTPS (the authorizer fetches
 * the set in its init, as on AWS), and ID-token-shaped tokens signed with it, one per cold start.
 */
final class BenchIssuer implements AutoCloseable {

    /** The tokens' iss: an issuer URL shaped like a user pool's; the key set's address is given apart (JWT_JWKS_URL). */
    static final String ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_BenchPool";
    static final String AUDIENCE = "bench-app-client";

    private final RsaJsonWebKey key;
    private final HttpServer server;
    private final URI keySetUrl;
    private final AtomicInteger fetches = new AtomicInteger();

    private BenchIssuer(RsaJsonWebKey key, HttpServer server, String scheme) {
        this.key = key;
        this.server = server;
        this.keySetUrl = URI.create(scheme + "://" + TlsChain.HOST + ":" + server.getAddress().getPort() + "/.well-known/jwks.json");
    }

    /**
     * @param tls the HTTPS endpoint's context (the run's chain, which the function's trust store holds), or null
     *            for plain HTTP (the authorizer takes http:// key sets on the loopback only)
     */
    static BenchIssuer start(SSLContext tls) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("bench-" + UUID.randomUUID().toString().substring(0, 8));
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            HttpServer server;
            if (tls != null) {
                HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            } else {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            }
            BenchIssuer issuer = new BenchIssuer(key, server, tls != null ? "https" : "http");
            String keySet = new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            server.createContext("/.well-known/jwks.json", exchange -> issuer.serve(exchange, keySet));
            server.start();
            return issuer;
        } catch (JoseException e) {
            throw new IllegalStateException("cannot make the local issuer's key: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the local issuer's port", e);
        }
    }

    private void serve(HttpExchange exchange, String keySet) throws IOException {
        try (exchange) {
            fetches.incrementAndGet();
            byte[] body = keySet.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** JWT_JWKS_URL for the authorizer. */
    URI keySetUrl() {
        return keySetUrl;
    }

    /** How often the key set was fetched so far (once per cold start: in the authorizer's init). */
    int fetches() {
        return fetches.get();
    }

    /** A token for {@code subject}, valid for 10 minutes, shaped like a Cognito ID token. */
    String token(String subject) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject(subject);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(10);
        claims.setClaim("token_use", "id");
        claims.setClaim("cognito:username", "bench-user");
        claims.setClaim("email", "bench-user@example.com");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
