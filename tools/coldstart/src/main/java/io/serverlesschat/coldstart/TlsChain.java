package io.serverlesschat.coldstart;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate chain shaped like the one DynamoDB's endpoints serve (Amazon Root CA 1, an Amazon RSA 2048
 * intermediate, the endpoint's certificate): three RSA-2048 keys, SHA-256 with RSA signatures, a root that
 * signs an intermediate (path length 0) that signs a server certificate for {@code localhost} and
 * {@code 127.0.0.1} (server authentication only). Made anew for each run and kept in memory: no key is
 * ever written to disk; only the root's certificate leaves, in the function's trust store ({@link TrustStores}).
 */
final class TlsChain {

    static final String HOST = "localhost";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final X509Certificate root;
    private final X509Certificate intermediate;
    private final X509Certificate server;
    private final PrivateKey serverKey;

    private TlsChain(X509Certificate root, X509Certificate intermediate, X509Certificate server, PrivateKey serverKey) {
        this.root = root;
        this.intermediate = intermediate;
        this.server = server;
        this.serverKey = serverKey;
    }

    /** A new chain whose server certificate names {@code hostNames} (DNS names, or IP addresses in digits). */
    static TlsChain create(String... hostNames) {
        try {
            KeyPair rootKeys = rsa2048();
            KeyPair intermediateKeys = rsa2048();
            KeyPair serverKeys = rsa2048();
            X500Principal rootName = new X500Principal("CN=serverless-chat local root CA, O=serverless-chat bench");
            X500Principal intermediateName = new X500Principal("CN=serverless-chat local RSA 2048 CA, O=serverless-chat bench");
            X509Certificate root = sign(builder(rootName, rootName, rootKeys, rootKeys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), rootKeys);
            X509Certificate intermediate = sign(builder(rootName, intermediateName, intermediateKeys, rootKeys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                    rootKeys);
            GeneralName[] names = new GeneralName[hostNames.length];
            for (int i = 0; i < hostNames.length; i++) {
                boolean ip = hostNames[i].matches("[0-9.]+|.*:.*");
                names[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, hostNames[i]);
            }
            X509Certificate server = sign(builder(intermediateName, new X500Principal("CN=" + hostNames[0]), serverKeys, intermediateKeys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names)), intermediateKeys);
            return new TlsChain(root, intermediate, server, serverKeys.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the local DynamoDB's certificate chain: " + e, e);
        }
    }

    /** The chain for the local DynamoDB's names: localhost and 127.0.0.1. */
    static TlsChain forLocalhost() {
        return create(HOST, "127.0.0.1");
    }

    X509Certificate root() {
        return root;
    }

    X509Certificate server() {
        return server;
    }

    /** A server's TLS context that presents the server certificate and the intermediate, as AWS's endpoints do. */
    SSLContext serverContext() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "in-memory".toCharArray();
            keys.setKeyEntry("server", serverKey, password, new Certificate[] {server, intermediate});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the local DynamoDB's TLS context: " + e, e);
        }
    }

    private static KeyPair rsa2048() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair subjectKeys,
            KeyPair issuerKeys) throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic())
                .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(subjectKeys.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    }
}
