package io.serverlesschat.apigateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * $connect's AuthorizationType AWS_IAM, played locally: a handshake connects only when it carries a
 * Signature Version 4 signature for {@value #SERVICE} in the gateway's region, made with credentials the
 * gateway knows, no older (or newer) than API Gateway allows. The signature is in the Authorization header
 * (with X-Amz-Date), or in the query string of a presigned URL (X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature), which is what WebSocket clients that
 * cannot set headers use. The expected signature is recomputed from the request as received, over the
 * headers the client says it signed, and compared in constant time. What AWS would check beyond the
 * signature (the caller's IAM policy allowing execute-api:Invoke) has no local counterpart: a valid
 * signature by known credentials is allowed.
 */
public final class SigV4Handshake {

    /** An access key id and its secret. */
    public record Credentials(String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "Credentials[" + accessKeyId + "]"; // never the secret
        }
    }

    /** What bin/local gives its functions and moto, and what its banner's aws commands use. */
    public static final Credentials LOCAL = new Credentials("local", "local");

    static final String SERVICE = "execute-api";
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** How far X-Amz-Date may be from the gateway's clock (API Gateway's 5 minutes). */
    static final Duration SKEW = Duration.ofMinutes(5);
    /** The longest X-Amz-Expires SigV4 allows: 7 days. */
    public static final long MAX_EXPIRES_SECONDS = 604_800;
    /** How much of a client's own text (a region, a header's name) a refusal's log line shows. */
    private static final int SHOWN = 40;

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);
    private static final String EMPTY_PAYLOAD_SHA256 = hex(sha256(new byte[0]));
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    private final String region;
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final Clock clock;

    public SigV4Handshake(String region, List<Credentials> known) {
        this(region, known, Clock.systemUTC());
    }

    SigV4Handshake(String region, List<Credentials> known, Clock clock) {
        this.region = region;
        this.clock = clock;
        known.forEach(c -> secrets.put(c.accessKeyId(), c.secretAccessKey()));
    }

    /** The caller a valid signature names, as API Gateway puts it in $connect's requestContext.identity. */
    public record Identity(String accessKey) {
        void addTo(ObjectNode event) {
            ObjectNode identity = event.with("requestContext").with("identity");
            identity.put("accessKey", accessKey);
            identity.put("accountId", LocalGateway.ACCOUNT_ID);
            identity.put("caller", accessKey);
            identity.put("user", accessKey);
            identity.put("userArn", "arn:aws:iam::" + LocalGateway.ACCOUNT_ID + ":user/" + accessKey);
        }
    }

    /** The caller, or why the handshake is refused (for the gateway's log: never a signature or a secret). */
    record Outcome(Identity identity, String refusal) {
        static Outcome refused(String why) {
            return new Outcome(null, why);
        }
    }

    /**
     * @param uri     the request target as received (raw path and query)
     * @param headers the handshake's headers
     */
    Outcome check(String method, String uri, MultiMap headers) {
        URI target = URI.create(uri);
        List<String[]> query = query(target.getRawQuery());
        String authorization = headers.get("Authorization");
        boolean presigned = query.stream().anyMatch(p -> p[0].equals("X-Amz-Algorithm"));
        Signed signed;
        if (presigned) {
            signed = fromQuery(query);
        } else if (authorization != null && !authorization.isBlank()) {
            signed = fromHeader(authorization, headers.get("X-Amz-Date"));
        } else {
            return Outcome.refused("not signed (no Authorization header, no X-Amz-Signature in the query string)");
        }
        if (signed.refusal != null) {
            return Outcome.refused(signed.refusal);
        }
        String[] scope = signed.credential.split("/", -1);
        if (scope.length != 5) {
            return Outcome.refused("X-Amz-Credential is not KEY/DATE/REGION/SERVICE/aws4_request");
        }
        String accessKey = scope[0];
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(signed.amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Outcome.refused("X-Amz-Date is not YYYYMMDD'T'HHMMSS'Z'");
        }
        if (!scope[1].equals(signed.amzDate.substring(0, 8))) {
            return Outcome.refused("the credential scope's date is not X-Amz-Date's");
        }
        if (!scope[2].equals(region)) {
            return Outcome.refused("signed for region " + ClientText.shown(scope[2], SHOWN) + ", the API's is " + region);
        }
        if (!scope[3].equals(SERVICE) || !scope[4].equals("aws4_request")) {
            return Outcome.refused("signed for service " + ClientText.shown(scope[3], SHOWN) + ", not " + SERVICE);
        }
        String stale = stale(signedAt, signed.expiresSeconds, presigned);
        if (stale != null) {
            return Outcome.refused(stale);
        }
        String secret = secrets.get(accessKey);
        if (secret == null) {
            return Outcome.refused("signed with an access key this gateway does not know");
        }
        List<String> signedHeaders = List.of(signed.signedHeaders.split(";", -1));
        if (!signedHeaders.contains("host")) {
            return Outcome.refused("the signed headers do not include host");
        }
        if (!presigned && !signedHeaders.contains("x-amz-date")) {
            return Outcome.refused("the signed headers do not include x-amz-date");
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = headers.getAll(name);
            if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT)) || values.isEmpty()) {
                return Outcome.refused("a signed header is not in the request: " + ClientText.shown(name, SHOWN));
            }
            canonicalHeaders.append(name).append(':')
                    .append(String.join(",", values.stream().map(v -> v.trim().replaceAll(" +", " ")).toList()))
                    .append('\n');
        }
        List<String> payloadHashes = headers.contains("X-Amz-Content-Sha256")
                ? List.of(headers.get("X-Amz-Content-Sha256"))
                : presigned ? List.of(EMPTY_PAYLOAD_SHA256, UNSIGNED_PAYLOAD) : List.of(EMPTY_PAYLOAD_SHA256);
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        String canonicalQuery = canonicalQuery(query, presigned);
        String scopeText = String.join("/", scope[1], scope[2], scope[3], scope[4]);
        byte[] key = signingKey(secret, scope[1]);
        boolean matches = false;
        for (String payloadHash : payloadHashes) {
            String canonicalRequest = String.join("\n", method, encode(path, false), canonicalQuery,
                    canonicalHeaders.toString(), signed.signedHeaders, payloadHash);
            String stringToSign = String.join("\n", ALGORITHM, signed.amzDate, scopeText,
                    hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
            String expected = hex(hmac(key, stringToSign));
            // Constant time: how much of a guess was right must not show in the answer's timing.
            matches |= MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    signed.signature.getBytes(StandardCharsets.US_ASCII));
        }
        return matches ? new Outcome(new Identity(accessKey), null)
                : Outcome.refused("the signature does not match (another secret, or a request changed after signing)");
    }

    /** The signature's parts, wherever the request carries them. */
    private record Signed(String credential, String amzDate, String signedHeaders, String signature, Long expiresSeconds,
            String refusal) {
        static Signed refused(String why) {
            return new Signed(null, null, null, null, null, why);
        }
    }

    private static Signed fromQuery(List<String[]> query) {
        Map<String, String> amz = new LinkedHashMap<>();
        for (String[] pair : query) {
            if (pair[0].startsWith("X-Amz-") && amz.put(pair[0], pair[1]) != null) {
                return Signed.refused(ClientText.shown(pair[0], SHOWN) + " appears twice in the query string");
            }
        }
        if (!ALGORITHM.equals(amz.get("X-Amz-Algorithm"))) {
            return Signed.refused("X-Amz-Algorithm is not " + ALGORITHM);
        }
        for (String name : List.of("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature")) {
            if (amz.get(name) == null || amz.get(name).isEmpty()) {
                return Signed.refused("a presigned URL needs " + name);
            }
        }
        Long expires = null;
        if (amz.containsKey("X-Amz-Expires")) {
            try {
                expires = Long.parseLong(amz.get("X-Amz-Expires"));
            } catch (NumberFormatException e) {
                return Signed.refused("X-Amz-Expires is not a number of seconds");
            }
            if (expires < 1 || expires > MAX_EXPIRES_SECONDS) {
                return Signed.refused("X-Amz-Expires must be 1 to " + MAX_EXPIRES_SECONDS + " seconds");
            }
        }
        return new Signed(amz.get("X-Amz-Credential"), amz.get("X-Amz-Date"), amz.get("X-Amz-SignedHeaders"),
                amz.get("X-Amz-Signature"), expires, null);
    }

    /** {@code AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...}. */
    private static Signed fromHeader(String authorization, String amzDate) {
        String trimmed = authorization.trim();
        if (!trimmed.startsWith(ALGORITHM + " ")) {
            return Signed.refused("the Authorization header is not " + ALGORITHM);
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : trimmed.substring(ALGORITHM.length()).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        for (String name : List.of("Credential", "SignedHeaders", "Signature")) {
            if (parts.get(name) == null || parts.get(name).isEmpty()) {
                return Signed.refused("the Authorization header has no " + name);
            }
        }
        if (amzDate == null) {
            return Signed.refused("a signed Authorization header needs X-Amz-Date");
        }
        return new Signed(parts.get("Credential"), amzDate.trim(), parts.get("SignedHeaders"), parts.get("Signature"),
                null, null);
    }

    /** Why a signature made at {@code signedAt} is no longer (or not yet) accepted; null when it is. */
    private String stale(Instant signedAt, Long expiresSeconds, boolean presigned) {
        Instant now = clock.instant();
        if (signedAt.isAfter(now.plus(SKEW))) {
            return "X-Amz-Date is more than " + SKEW.toMinutes() + " minutes ahead of this clock";
        }
        if (presigned && expiresSeconds != null) {
            return now.isAfter(signedAt.plusSeconds(expiresSeconds)) ? "the presigned URL expired (X-Amz-Expires)" : null;
        }
        return now.isAfter(signedAt.plus(SKEW)) ? "the signature is more than " + SKEW.toMinutes() + " minutes old" : null;
    }

    /** Name-value pairs as received, decoded (a presigned URL's own parameters included). */
    private static List<String[]> query(String raw) {
        List<String[]> pairs = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return pairs;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            pairs.add(new String[] {decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1))});
        }
        return pairs;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Every parameter but the signature itself, names and values encoded, sorted by name, then value. */
    private static String canonicalQuery(List<String[]> query, boolean presigned) {
        return query.stream()
                .filter(p -> !(presigned && p[0].equals("X-Amz-Signature")))
                .map(p -> new String[] {encode(p[0], true), encode(p[1], true)})
                .sorted(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]))
                .map(p -> p[0] + "=" + p[1])
                .reduce((a, b) -> a + "&" + b)
                .orElse("");
    }

    /**
     * SigV4's URI encoding: RFC 3986's unreserved characters as they are, every other byte %XX. The path
     * (as received, already encoded once) is encoded again, slashes kept, as every service but S3 expects.
     */
    static String encode(String text, boolean slashToo) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
                    || c == '~' || c == '/' && !slashToo) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
    private byte[] signingKey(String secret, String date) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        return hmac(hmac(hmac(key, region), SERVICE), "aws4_request");
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
