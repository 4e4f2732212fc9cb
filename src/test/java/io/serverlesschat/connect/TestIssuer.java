package io.serverlesschat.connect;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * An OpenID issuer for tests: keys made here (the JDK's KeyPairGenerator), their public halves served as a
 * JSON Web Key Set at {@code /.well-known/jwks.json} by the JDK's HTTP server on 127.0.0.1, and tokens
 * signed with them. It counts the key set's fetches and can answer them with an error or not at all.
 */
final class TestIssuer implements AutoCloseable {

    static final String AUDIENCE = "chat-app-client";
    static final String SUBJECT = "5a1f9c2e-7d43-4b8e-9f61-2c0d8e3b7a15";

    /** What the key set's address answers. */
    enum Answer { KEYS, ERROR, NOTHING }

    private final HttpServer server;
    private final List<PublicJsonWebKey> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile Answer answer = Answer.KEYS;
    final PublicJsonWebKey rsa = key("rsa-1", "RSA", null);
    final PublicJsonWebKey ec = key("ec-1", "EC", "secp256r1");

    private TestIssuer() throws IOException {
        published.add(rsa);
        published.add(ec);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/.well-known/jwks.json", exchange -> {
            fetches.incrementAndGet();
            switch (answer) {
                case NOTHING -> {
                    return; // never answers: the client's timeout must end it
                }
                case ERROR -> {
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                }
                case KEYS -> {
                    byte[] body = new JsonWebKeySet(List.<JsonWebKey>copyOf(published)).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-issuer");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    static TestIssuer start() {
        try {
            return new TestIssuer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The issuer: its {@code iss}, and where its key set is found below. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    URI keySetUrl() {
        return URI.create(url() + "/.well-known/jwks.json");
    }

    /** How many times the key set was asked for. */
    int fetches() {
        return fetches.get();
    }

    void answer(Answer answer) {
        this.answer = answer;
    }

    /** A key of this issuer's, published in its key set from now on. */
    PublicJsonWebKey rotate(String kid) {
        PublicJsonWebKey key = key(kid, "RSA", null);
        published.add(key);
        return key;
    }

    /** A key pair of the given type, made here; its public half is what a key set holds. */
    static PublicJsonWebKey key(String kid, String type, String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
            if (curve != null) {
                generator.initialize(new ECGenParameterSpec(curve));
            } else {
                generator.initialize(2048);
            }
            KeyPair pair = generator.generateKeyPair();
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
            jwk.setPrivateKey(pair.getPrivate());
            jwk.setKeyId(kid);
            return jwk;
        } catch (java.security.GeneralSecurityException | JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims of a valid ID token of this issuer for {@link #AUDIENCE}, valid for 5 minutes; {@code change} adjusts them. */
    JwtClaims claims(Consumer<JwtClaims> change) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(url());
        claims.setAudience(AUDIENCE);
        claims.setSubject(SUBJECT);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setClaim("cognito:username", "alice");
        claims.setClaim("email", "alice@example.com");
        change.accept(claims);
        return claims;
    }

    /** A valid RS256 token. */
    String token() {
        return token(c -> { });
    }

    /** An RS256 token of its RSA key with these claims. */
    String token(Consumer<JwtClaims> change) {
        return sign(rsa.getKeyId(), rsa.getPrivateKey(), AlgorithmIdentifiers.RSA_USING_SHA256, claims(change));
    }

    /** The claims signed with {@code key} by {@code algorithm}, {@code kid} in the header. */
    static String sign(String kid, Key key, String algorithm, JwtClaims claims) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setKeyIdHeaderValue(kid);
        jws.setKey(key);
        jws.setDoKeyValidation(false); // some tests sign on purpose with what no verifier should take
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seconds from now as a NumericDate. */
    static NumericDate inSeconds(long seconds) {
        NumericDate date = NumericDate.now();
        date.addSeconds(seconds);
        return date;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
