package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void nearestRankPercentilesOfTenRuns() {
        Stats s = Stats.of(List.of(10.0, 1.0, 9.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0, 5.0));
        assertEquals(10, s.n());
        assertEquals(1.0, s.min());
        assertEquals(5.0, s.p50(), "rank ceil(0.5 * 10) = 5");
        assertEquals(9.0, s.p90(), "rank ceil(0.9 * 10) = 9");
        assertEquals(10.0, s.p99(), "rank ceil(0.99 * 10) = 10: under 100 runs p99 is the maximum");
        assertEquals(10.0, s.max());
    }

    @Test
    void p99OfTwoHundredIsTheHundredAndNinetyEighth() {
        List<Double> values = new java.util.ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            values.add((double) i);
        }
        assertEquals(198.0, Stats.of(values).p99());
    }

    @Test
    void oneRunIsEveryPercentile() {
        Stats s = Stats.of(List.of(42.0));
        assertEquals(42.0, s.min());
        assertEquals(42.0, s.p50());
        assertEquals(42.0, s.p90());
    }

    @Test
    void threeRuns() {
        Stats s = Stats.of(List.of(300.0, 100.0, 200.0));
        assertEquals(200.0, s.p50());
        assertEquals(300.0, s.p90());
    }

    @Test
    void noRunsNoStats() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(List.of()));
    }
}
