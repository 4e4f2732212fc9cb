package io.serverlesschat.connect;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The sendmessage route's settings (QUARKUS_LAMBDA_HANDLER=sendmessage): where the @connections API is and how
 * long the broadcast may take. Unused by the other routes.
 */
@ConfigMapping(prefix = "sendmessage")
public interface SendMessageSettings {

    /**
     * The @connections API's base URL, {@code http://localhost:3001/dev} locally: the AWS SDKs' standard variable
     * for this service, AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI. Unset (on AWS): the API the message came through,
     * {@code https://API_ID.execute-api.REGION.amazonaws.com/STAGE} (ConnectionsApiClients).
     */
    Optional<String> connectionsEndpoint();

    /** Bound on one post to a connection, retries included (SENDMESSAGE_POST_TIMEOUT). */
    @WithDefault("2s")
    Duration postTimeout();

    /** How many posts run at once (SENDMESSAGE_CONCURRENCY). */
    @WithDefault("8")
    int concurrency();

    /**
     * Bound on the whole broadcast (SENDMESSAGE_TIMEOUT): posts not done by then are cancelled and the message is
     * answered with 500. Below the function's Timeout.
     */
    @WithDefault("8s")
    Duration timeout();
}
