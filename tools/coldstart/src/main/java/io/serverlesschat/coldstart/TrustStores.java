package io.serverlesschat.coldstart;

import io.serverlesschat.lambda.FunctionLauncher;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trust stores the function is told about ({@code -Djavax.net.ssl.trustStore}), each trusting the local
 * chain's root, and each as close as a local run can be to what the function loads on Lambda:
 * <ul>
 * <li>JVM: the JDK's own {@code cacerts} (about 140 roots, which a JVM on Lambda loads at every start) plus
 * the root, in the format of that JDK's {@code cacerts} (JKS, or PKCS12 without a password or a MAC as some JDKs
 * ship it), opened without a password as the JVM opens {@code cacerts}.</li>
 * <li>Native: a JKS holding the root alone. A native image embeds its default trust store at build time
 * and loads none at start-up; any store named at run time costs more than that, and the smallest JKS costs
 * the least (issue 25 measured the same root in a password-protected PKCS12 store at 20-30 ms more CPU).</li>
 * </ul>
 */
final class TrustStores {

    private static final String ALIAS = "serverless-chat-local-root";
    private static final char[] CACERTS_PASSWORD = "changeit".toCharArray();

    private final X509Certificate root;
    private final Path dir;
    private final Map<String, Path> written = new LinkedHashMap<>();

    TrustStores(X509Certificate root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    /** The store for a JVM on {@code javaHome}: its cacerts plus the root. */
    synchronized Path forJvm(Path javaHome) {
        String name = "jvm-" + FunctionLauncher.javaFeatureVersion(javaHome);
        return written.computeIfAbsent(name, n -> {
            Path cacerts = javaHome.resolve("lib/security/cacerts");
            try {
                KeyStore store = KeyStore.getInstance(cacerts.toFile(), (char[]) null);
                store.setCertificateEntry(ALIAS, root);
                return write(store, n + "-cacerts-and-root." + store.getType().toLowerCase());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot read " + cacerts + " to add the local root to it: " + e, e);
            }
        });
    }

    /** The store for a native image: a JKS with the root alone. */
    synchronized Path forNative() {
        return written.computeIfAbsent("native", n -> {
            try {
                KeyStore store = KeyStore.getInstance("JKS");
                store.load(null, null);
                store.setCertificateEntry(ALIAS, root);
                return write(store, "native-root-only.jks");
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot make the native trust store: " + e, e);
            }
        });
    }

    /** What each store holds, for results.json. */
    synchronized Map<String, String> describe(Path project) {
        Map<String, String> described = new LinkedHashMap<>();
        written.forEach((name, file) -> described.put(name, Output.display(project, file)));
        return described;
    }

    private Path write(KeyStore store, String fileName) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName);
        // A PKCS12 cacerts has neither a MAC nor encrypted certificates: write ours the same way, or the
        // function would pay a password-based key derivation that production does not.
        String mac = System.getProperty("keystore.pkcs12.macAlgorithm");
        String protection = System.getProperty("keystore.pkcs12.certProtectionAlgorithm");
        System.setProperty("keystore.pkcs12.macAlgorithm", "NONE");
        System.setProperty("keystore.pkcs12.certProtectionAlgorithm", "NONE");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, CACERTS_PASSWORD);
        } finally {
            restore("keystore.pkcs12.macAlgorithm", mac);
            restore("keystore.pkcs12.certProtectionAlgorithm", protection);
        }
        return file;
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
