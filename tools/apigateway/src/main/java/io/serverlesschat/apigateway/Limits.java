package io.serverlesschat.apigateway;

import java.time.Duration;

/**
 * API Gateway's quotas on one WebSocket connection ("Quotas for configuring and running a WebSocket API";
 * none can be raised): frames and messages no larger than {@link #FRAME_BYTES} and {@link #MESSAGE_BYTES},
 * and how long a connection may stay idle (no message either way) and open at all: AWS's, or shorter ones
 * to see them happen (bin/local --idle-timeout and --max-duration, tests).
 */
public record Limits(Duration idleTimeout, Duration maxDuration) {

    /** The WebSocket frame size quota: a larger frame closes the connection with 1009. */
    public static final int FRAME_BYTES = 32 * 1024;
    /** The message payload quota, for a client's messages and for @connections posts alike. */
    public static final int MESSAGE_BYTES = 128 * 1024;

    public static final Limits AWS = new Limits(Duration.ofMinutes(10), Duration.ofHours(2));
}
