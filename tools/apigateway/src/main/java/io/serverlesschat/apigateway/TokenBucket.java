package io.serverlesschat.apigateway;

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

    TokenBucket(double rate, int burst) {
        this(rate, burst, System::nanoTime);
    }

    TokenBucket(double rate, int burst, LongSupplier nanoClock) {
        if (rate <= 0 || burst < 1) {
            throw new IllegalArgumentException("throttling needs a rate above 0 and a burst of at least 1: rate " + rate
                    + ", burst " + burst);
        }
        this.rate = rate;
        this.burst = burst;
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
