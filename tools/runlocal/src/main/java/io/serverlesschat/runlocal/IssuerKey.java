package io.serverlesschat.runlocal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The local issuer's signing key: an RSA key (RS256, 2048 bits) made with the JDK on first use and kept in
 * target/local/issuer/ (readable by its owner only), so that tokens stay valid across runs of bin/local.
 * It publishes its public half as a JSON Web Key Set and signs tokens with the JDK's SHA256withRSA; the
 * verifying side (the authorizer) uses a JWT library.
 */
final class IssuerKey {

    static final String FILE = "signing-key.pem";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private final RSAPrivateCrtKey key;
    private final String keyId;

    private IssuerKey(RSAPrivateCrtKey key) {
        this.key = key;
        this.keyId = thumbprint(key);
    }

    /** The key kept in {@code folder}, made there first when there is none. */
    static IssuerKey loadOrCreate(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        if (Files.isRegularFile(file)) {
            return load(folder);
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
            Files.createDirectories(folder);
            Path written = Files.createTempFile(folder, "key", ".tmp");
            Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(written, BEGIN + "\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(key.getEncoded()) + "\n" + END + "\n");
            Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new IssuerKey(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make an RSA key", e);
        }
    }

    /** @throws java.nio.file.NoSuchFileException when bin/local never made one there */
    static IssuerKey load(Path folder) throws IOException {
        String pem = Files.readString(folder.resolve(FILE));
        String body = pem.replace(BEGIN, "").replace(END, "").replaceAll("\\s", "");
        try {
            return new IssuerKey((RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body))));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IOException(folder.resolve(FILE) + " is not an RSA private key: delete it, and bin/local makes a new one");
        }
    }

    /** The public key as a JSON Web Key Set of one key, what ISSUER/.well-known/jwks.json serves. */
    ObjectNode keySet() {
        ObjectNode set = JsonNodeFactory.instance.objectNode();
        set.putArray("keys").addObject()
                .put("kty", "RSA")
                .put("use", "sig")
                .put("alg", "RS256")
                .put("kid", keyId)
                .put("n", unsigned(key.getModulus()))
                .put("e", unsigned(key.getPublicExponent()));
        return set;
    }

    /** A signed token (JWS compact serialization, RS256) with these claims. */
    String sign(ObjectNode claims) {
        ObjectNode header = JsonNodeFactory.instance.objectNode().put("alg", "RS256").put("typ", "JWT").put("kid", keyId);
        String input = BASE64URL.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + BASE64URL.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot sign with SHA256withRSA", e);
        }
    }

    /** RFC 7638's thumbprint of the public key: a key id that changes when the key does. */
    private static String thumbprint(RSAPrivateCrtKey key) {
        String members = "{\"e\":\"" + unsigned(key.getPublicExponent()) + "\",\"kty\":\"RSA\",\"n\":\"" + unsigned(key.getModulus()) + "\"}";
        try {
            return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(members.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWK's integer: big-endian, without a sign byte, base64url. */
    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return BASE64URL.encodeToString(bytes);
    }
}
