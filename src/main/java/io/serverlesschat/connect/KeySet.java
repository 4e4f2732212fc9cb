package io.serverlesschat.connect;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * The issuer's JSON Web Key Set: fetched once per execution environment (at start-up, or by the first
 * token if that failed), and again when a token names a key it does not have, at most once per refetch
 * interval, so that a flood of made-up key ids costs the issuer one request per interval. Each fetch is
 * bounded. Only public signature keys are kept; a key the set declares for one algorithm verifies that one only.
 */
final class KeySet {

    /** Keys sets are a few kilobytes (Cognito's: two keys, under 1 KB); anything far larger is not one. */
    private static final int MAX_BYTES = 256 * 1024;
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final URI url;
    private final Duration timeout;
    private final long refetchNanos;
    private final LongSupplier nanoTime;
    private final VerificationJwkSelector selector = new VerificationJwkSelector();
    private List<JsonWebKey> keys; // null until a fetch succeeds
    private long lastFetch;

    KeySet(URI url, Duration timeout, Duration refetchInterval, LongSupplier nanoTime) {
        this.url = requireSecure(url, "JWT_JWKS_URL");
        this.timeout = timeout;
        this.refetchNanos = refetchInterval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * An issuer or key set URL this authorizer may trust: HTTPS, or plain HTTP on this machine only (a local
     * issuer for development), since keys fetched over plain HTTP could be anyone's.
     *
     * @throws IllegalArgumentException naming {@code variable}
     */
    static URI requireSecure(URI uri, String variable) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean loopback = uri.getHost() != null && LOOPBACK.contains(uri.getHost().toLowerCase(Locale.ROOT));
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http") && loopback)) {
            throw new IllegalArgumentException(variable + ": \"" + uri + "\" must be an https:// URL (http:// only on"
                    + " localhost, 127.0.0.1 or [::1])");
        }
        return uri;
    }

    URI url() {
        return url;
    }

    /**
     * Fetches the set now, whatever the interval says, and keeps its signature keys.
     *
     * @return how many keys it holds
     * @throws KeySetUnavailable when it cannot be fetched in time, is not a key set, or has no signature key
     */
    synchronized int load() {
        lastFetch = nanoTime.getAsLong();
        String json = fetch();
        List<JsonWebKey> signatureKeys;
        try {
            signatureKeys = new JsonWebKeySet(json).getJsonWebKeys().stream()
                    .filter(key -> key instanceof PublicJsonWebKey && (key.getUse() == null || key.getUse().equals("sig")))
                    .toList();
        } catch (JoseException e) {
            throw new KeySetUnavailable(url + " did not answer a JSON Web Key Set (" + e.getMessage() + ")");
        }
        if (signatureKeys.isEmpty()) {
            throw new KeySetUnavailable(url + " holds no public signature key");
        }
        keys = signatureKeys;
        return keys.size();
    }

    /**
     * The key that verifies this signature, or null when the set has none for it, even after fetching it
     * again (when the last fetch is older than the refetch interval).
     *
     * @throws KeySetUnavailable when the set was never fetched or a refetch fails
     */
    synchronized JsonWebKey keyFor(JsonWebSignature jws) throws JoseException {
        if (keys == null) {
            load(); // never fetched yet: every token needs it
        }
        JsonWebKey key = select(jws);
        if (key == null && nanoTime.getAsLong() - lastFetch >= refetchNanos) {
            load();
            key = select(jws);
        }
        return key;
    }

    private JsonWebKey select(JsonWebSignature jws) throws JoseException {
        // By key id and type (an RSA key never verifies an HMAC or EC token), curve, use, then the signature.
        JsonWebKey key = selector.selectWithVerifySignatureDisambiguate(jws, keys);
        boolean declaredForAnother = key != null && key.getAlgorithm() != null
                && !key.getAlgorithm().equals(jws.getAlgorithmHeaderValue());
        return declaredForAnother ? null : key;
    }

    /** The body of a 200 answer, within the timeout: connecting and each read, and the whole fetch checked after each read. */
    private String fetch() {
        long deadline = System.nanoTime() + timeout.toNanos();
        int millis = (int) Math.max(1, timeout.toMillis());
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) url.toURL().openConnection();
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setRequestProperty("Accept", "application/json");
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new KeySetUnavailable(url + " answered HTTP " + status);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try (InputStream in = connection.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    body.write(buffer, 0, n);
                    if (body.size() > MAX_BYTES) {
                        throw new KeySetUnavailable(url + " answered more than " + MAX_BYTES + " bytes");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new KeySetUnavailable(url + " took longer than " + timeout.toMillis() + " ms (JWT_JWKS_TIMEOUT)");
                    }
                }
            }
            return body.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeySetUnavailable(url + " could not be fetched within " + timeout.toMillis() + " ms (JWT_JWKS_TIMEOUT): " + e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }
}
