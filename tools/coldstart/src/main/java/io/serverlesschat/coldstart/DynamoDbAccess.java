package io.serverlesschat.coldstart;

import io.serverlesschat.lambda.FunctionZip;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the function reaches the local DynamoDB (the option --dynamodb): over HTTPS on a connection kept open, as
 * on AWS (the default: {@link HttpsDynamoDb} in front of moto, a chain made for the run, and a trust store the
 * function is told about through {@code javax.net.ssl.trustStore}); or over plain HTTP to moto, the figure
 * published before, kept for comparison.
 */
final class DynamoDbAccess implements AutoCloseable {

    private final String protocol;
    private final URI endpoint;
    private final HttpsDynamoDb https;
    private final TrustStores trustStores;
    private final SSLContext serverContext;

    private DynamoDbAccess(String protocol, URI endpoint, HttpsDynamoDb https, TrustStores trustStores, SSLContext serverContext) {
        this.protocol = protocol;
        this.endpoint = endpoint;
        this.https = https;
        this.trustStores = trustStores;
        this.serverContext = serverContext;
    }

    /** Plain HTTP to moto, which closes every connection after its answer. */
    static DynamoDbAccess http(URI moto) {
        return new DynamoDbAccess("http", moto, null, null, null);
    }

    /** HTTPS, connections kept open, relayed to moto; the trust stores are written to {@code dir} as needed. */
    static DynamoDbAccess https(URI moto, Path dir) {
        TlsChain chain = TlsChain.forLocalhost();
        return https(moto, dir, chain, chain.root(), true);
    }

    /**
     * HTTPS with the chain {@code served} and a trust store holding {@code trusted}; with {@code keepAlive} false
     * each answer closes its connection, as moto does. For the tests: a chain the function must refuse, moto's way.
     */
    static DynamoDbAccess https(URI moto, Path dir, TlsChain served, X509Certificate trusted, boolean keepAlive) {
        SSLContext context = served.serverContext();
        HttpsDynamoDb endpoint = HttpsDynamoDb.start(moto, context, keepAlive);
        return new DynamoDbAccess("https", endpoint.endpoint(), endpoint, new TrustStores(trusted, dir), context);
    }

    static DynamoDbAccess of(String protocol, URI moto, Path dir) {
        return "http".equals(protocol) ? http(moto) : https(moto, dir);
    }

    String protocol() {
        return protocol;
    }

    /** DYNAMODB_ENDPOINT for the function. */
    URI endpoint() {
        return endpoint;
    }

    /** Over HTTPS, the server side of the run's chain, which the function's trust store holds: for other local endpoints. */
    Optional<SSLContext> serverContext() {
        return Optional.ofNullable(serverContext);
    }

    /** The endpoint that counts connections, over HTTPS. */
    Optional<HttpsDynamoDb> counted() {
        return Optional.ofNullable(https);
    }

    /** The system properties {@code target} needs to trust the endpoint: its trust store, over HTTPS. */
    List<String> systemProperties(Target target) {
        if (trustStores == null) {
            return List.of();
        }
        Path store = target.kind() == FunctionZip.Kind.NATIVE ? trustStores.forNative() : trustStores.forJvm(target.jdk().home());
        return List.of("-Djavax.net.ssl.trustStore=" + store);
    }

    /** For results.json: the protocol, what serves it and the trust stores given to the function. */
    Map<String, Object> describe(Path project, String server) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("protocol", protocol);
        if (https == null) {
            described.put("endpoint", server + ", over plain HTTP; it closes every connection after its answer");
        } else {
            described.put("endpoint", "HTTPS on the loopback, connections kept open (HTTP/1.1 keep-alive), each request relayed"
                    + " to " + server + " over plain HTTP");
            described.put("certificates", "made for the run: RSA-2048 root, intermediate (path length 0) and server certificate"
                    + " (SAN localhost, 127.0.0.1), SHA-256 with RSA; the server sends its certificate and the intermediate");
            described.put("trustStores", "given with -Djavax.net.ssl.trustStore: JVM, the JDK's cacerts plus the root, in the"
                    + " format of that cacerts, without a password (as the JVM loads cacerts on Lambda); native, a JKS with the root"
                    + " alone (a native image embeds its default store at build time and loads none at start-up)");
            described.put("trustStoreFiles", trustStores.describe(project));
        }
        return described;
    }

    @Override
    public void close() {
        if (https != null) {
            https.close();
        }
    }
}
