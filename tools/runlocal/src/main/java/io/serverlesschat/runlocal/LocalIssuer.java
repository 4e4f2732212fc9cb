package io.serverlesschat.runlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A token issuer on this machine, for the JWT authorizer without any cloud account: it serves its key set at
 * http://localhost:PORT/.well-known/jwks.json (loopback only; the authorizer takes a plain-HTTP issuer on
 * loopback only) and signs tokens for any user ({@link #token}). Its key ({@link IssuerKey}) and what bin/token
 * needs to sign ({@value #SETTINGS}: the issuer's URL and audience) are kept in target/local/issuer/.
 */
final class LocalIssuer implements AutoCloseable {

    /** The audience of local tokens when JwtAudience is not given. */
    static final String AUDIENCE = "local";
    static final String SETTINGS = "issuer.json";
    static final String KEY_SET_PATH = "/.well-known/jwks.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IssuerKey key;
    private final URI issuer;
    private final String audience;
    private final List<HttpServer> servers;

    private LocalIssuer(IssuerKey key, URI issuer, String audience, List<HttpServer> servers) {
        this.key = key;
        this.issuer = issuer;
        this.audience = audience;
        this.servers = servers;
    }

    static Path folder(Path project) {
        return project.resolve("target/local/issuer");
    }

    /**
     * Serves the project's key (made on first use) on {@code port} (0: a free one) and records the issuer for bin/token.
     *
     * @throws IOException when the port is taken
     */
    static LocalIssuer start(Path project, int port, String audience) throws IOException {
        IssuerKey key = IssuerKey.loadOrCreate(folder(project));
        byte[] keySet = key.keySet().toString().getBytes(StandardCharsets.UTF_8);
        List<HttpServer> servers = new ArrayList<>();
        HttpServer v4 = serve(InetAddress.getByName("127.0.0.1"), port, keySet);
        servers.add(v4);
        int actual = v4.getAddress().getPort();
        try {
            servers.add(serve(InetAddress.getByName("::1"), actual, keySet));
        } catch (IOException noIpv6) {
            // loopback IPv4 is enough
        }
        URI issuer = URI.create("http://localhost:" + actual);
        ObjectNode settings = JsonNodeFactory.instance.objectNode().put("issuer", issuer.toString()).put("audience", audience);
        Files.writeString(folder(project).resolve(SETTINGS), settings.toPrettyString() + "\n");
        return new LocalIssuer(key, issuer, audience, servers);
    }

    /** The issuer bin/local last served from this project, to sign with (bin/token). */
    static LocalIssuer lastServed(Path project) throws IOException {
        JsonNode settings = JSON.readTree(folder(project).resolve(SETTINGS).toFile());
        return new LocalIssuer(IssuerKey.load(folder(project)), URI.create(settings.get("issuer").asText()),
                settings.get("audience").asText(), List.of());
    }

    private static HttpServer serve(InetAddress address, int port, byte[] keySet) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 0);
        server.createContext("/", exchange -> answer(exchange, keySet));
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange, byte[] keySet) throws IOException {
        try (exchange) {
            boolean found = exchange.getRequestURI().getPath().equals(KEY_SET_PATH) && exchange.getRequestMethod().equals("GET");
            byte[] body = found ? keySet : "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(found ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Its URL, exactly the {@code iss} of its tokens. */
    URI issuer() {
        return issuer;
    }

    String audience() {
        return audience;
    }

    /**
     * A token for {@code subject}, valid from now for {@code lifetime}, with {@code preferred_username} (the
     * authorizer's userName) and, when given, {@code email}.
     */
    String token(String subject, String name, String email, String audience, Duration lifetime) {
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JsonNodeFactory.instance.objectNode()
                .put("iss", issuer.toString())
                .put("sub", subject)
                .put("aud", audience)
                .put("iat", now)
                .put("exp", now + lifetime.toSeconds())
                .put("preferred_username", name);
        if (email != null) {
            claims.put("email", email);
        }
        return key.sign(claims);
    }

    @Override
    public void close() {
        servers.forEach(server -> server.stop(0));
    }
}
