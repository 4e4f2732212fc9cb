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
        assertEquals(10.0, s.max());
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
