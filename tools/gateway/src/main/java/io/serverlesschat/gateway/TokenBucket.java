package io.serverlesschat.gateway;

import java.util.function.LongSupplier;

/**
 * API Gateway's throttle: a bucket of {@code burst} tokens, full at the start and refilled at
 * {@code rate} tokens per second; a request takes one token or, when none is left, is refused (429).
 */
final class TokenBucket {

    private final double rate;
    private final double burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long refilledAt;

    TokenBucket(SamTemplate.Throttling throttling) {
        this(throttling, System::nanoTime);
    }

    TokenBucket(SamTemplate.Throttling throttling, LongSupplier nanoClock) {
        if (throttling.rateLimit() <= 0 || throttling.burstLimit() < 1) {
            throw new IllegalArgumentException("throttling needs a rate above 0 and a burst of at least 1: " + throttling);
        }
        this.rate = throttling.rateLimit();
        this.burst = throttling.burstLimit();
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.refilledAt = nanoClock.getAsLong();
    }

    /** Takes a token if there is one. */
    synchronized boolean tryTake() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * rate);
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
