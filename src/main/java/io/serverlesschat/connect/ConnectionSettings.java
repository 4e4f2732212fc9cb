package io.serverlesschat.connect;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** What the function needs to know: its table, and who may connect; set in application.properties, overridden by env vars. */
@ConfigMapping(prefix = "connections")
public interface ConnectionSettings {

    /** The DynamoDB table with one item per open connection (TABLE_NAME, as in the original lab). */
    String tableName();

    /**
     * How long an item outlives its connection's start, in seconds. API Gateway closes every
     * connection after 2 hours and $disconnect is best effort, so the table's TTL cleans up after it.
     */
    @WithDefault("10800")
    long ttlSeconds();

    /** DynamoDB attempts per write, the first included; every attempt also fits in the call timeout. */
    @WithDefault("3")
    int maxAttempts();

    /**
     * The origins browser pages may connect from, comma-separated (ALLOWED_ORIGINS), e.g.
     * {@code https://chat.example.com}; unset or empty: any origin, as in the original lab.
     */
    Optional<String> allowedOrigins();

    /** Whether a handshake without an Origin header (native apps, wscat) is refused too (REQUIRE_ORIGIN). */
    @WithDefault("false")
    boolean requireOrigin();

    /** The start-up priming of the DynamoDB client (see ConnectionTable#prime). */
    Priming priming();

    interface Priming {

        /** Whether init runs the first write's pipeline and opens the connection. */
        @WithDefault("true")
        boolean enabled();

        /** Bound on the priming's connection step: a dead DynamoDB delays init by at most this. */
        @WithDefault("1s")
        Duration timeout();
    }
}
