package io.serverlesschat.apigateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The throttle's arithmetic on a clock the test moves. */
class TokenBucketTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void letsABurstThroughThenRefusesUntilTheRateRefillsIt() {
        TokenBucket bucket = new TokenBucket(2, 3, now::get);
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake(), "the burst is spent");
        assertFalse(bucket.tryTake());

        advance(400);
        assertFalse(bucket.tryTake(), "0.8 of a token after 400 ms at 2 per second");
        advance(100);
        assertTrue(bucket.tryTake(), "one token after 500 ms");
        assertFalse(bucket.tryTake());

        advance(60_000);
        for (int i = 0; i < 3; i++) {
            assertTrue(bucket.tryTake(), "refilled up to the burst, not beyond");
        }
        assertFalse(bucket.tryTake());
    }

    @Test
    void refusedRequestsDoNotDelayRecovery() {
        TokenBucket bucket = new TokenBucket(1, 1, now::get);
        assertTrue(bucket.tryTake());
        for (int i = 0; i < 100; i++) {
            advance(9);
            assertFalse(bucket.tryTake());
        }
        advance(100);
        assertTrue(bucket.tryTake(), "a flood of refused requests costs no tokens");
    }

    @Test
    void fractionalRates() {
        TokenBucket bucket = new TokenBucket(0.5, 1, now::get);
        assertTrue(bucket.tryTake());
        advance(1_999);
        assertFalse(bucket.tryTake());
        advance(1);
        assertTrue(bucket.tryTake());
    }

    @Test
    void refusesLimitsThatWouldBlockEverything() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(10, 0));
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
