package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The function's trust stores: as close to production's as a local run can be, and each trusting the local root. */
class TrustStoresTest {

    private static final TlsChain CHAIN = TlsChain.forLocalhost();

    @TempDir
    Path dir;

    @Test
    void aJvmGetsItsJdksCacertsPlusTheRootInTheFormatOfThatCacerts() throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        KeyStore cacerts = KeyStore.getInstance(javaHome.resolve("lib/security/cacerts").toFile(), (char[]) null);
        Path file = new TrustStores(CHAIN.root(), dir).forJvm(javaHome);

        // Opened as the JVM opens cacerts: by content, without a password.
        KeyStore store = KeyStore.getInstance(file.toFile(), (char[]) null);
        assertEquals(cacerts.getType(), store.getType());
        Set<String> aliases = Set.copyOf(Collections.list(store.aliases()));
        assertTrue(aliases.containsAll(Collections.list(cacerts.aliases())), "every root of the JDK's cacerts is kept");
        assertEquals(cacerts.size() + 1, store.size());
        assertTrue(cacerts.size() > 80, "a JDK's cacerts holds about 140 roots: " + cacerts.size());
        assertEquals(CHAIN.root(), store.getCertificate(store.getCertificateAlias(CHAIN.root())));
    }

    @Test
    void aNativeImageGetsAJksWithTheRootAlone() throws Exception {
        Path file = new TrustStores(CHAIN.root(), dir).forNative();
        KeyStore store = KeyStore.getInstance(file.toFile(), (char[]) null);
        assertEquals("JKS", store.getType());
        assertEquals(1, store.size());
        assertEquals(CHAIN.root(), store.getCertificate(store.getCertificateAlias(CHAIN.root())));
    }

    @Test
    void theChainIsShapedLikeAwssAndNoKeyIsWritten() throws Exception {
        TrustStores stores = new TrustStores(CHAIN.root(), dir);
        stores.forNative();
        stores.forJvm(Path.of(System.getProperty("java.home")));
        assertEquals("SHA256withRSA", CHAIN.server().getSigAlgName());
        assertEquals(2048, ((java.security.interfaces.RSAPublicKey) CHAIN.server().getPublicKey()).getModulus().bitLength());
        assertEquals(Set.of("localhost", "127.0.0.1"), CHAIN.server().getSubjectAlternativeNames().stream()
                .map(name -> String.valueOf(name.get(1))).collect(Collectors.toSet()));
        assertEquals(-1, CHAIN.server().getBasicConstraints(), "the server certificate is no CA");
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                KeyStore store = KeyStore.getInstance(f.toFile(), (char[]) null);
                for (String alias : Collections.list(store.aliases())) {
                    assertTrue(store.isCertificateEntry(alias), f + " holds certificates only: " + alias);
                }
            }
        }
    }
}
