package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ColdStartForcerTest {

    private final FakeLambda lambda = new FakeLambda();
    private final List<Duration> sleeps = new ArrayList<>();
    private final ColdStartForcer forcer = new ColdStartForcer(lambda, sleeps::add, Duration.ofSeconds(1), Duration.ofSeconds(10));

    @Test
    void setsANewNonceKeepingEveryOtherVariableAndWaitsForTheUpdate() throws Exception {
        Map<String, String> original = forcer.originalEnvironment("f");
        forcer.force("f", original, "n1");
        assertEquals(Map.of("TABLE_NAME", "connections", "QUARKUS_LAMBDA_HANDLER", "connect", ColdStartForcer.VARIABLE, "n1"),
                lambda.updates.get(0));
        assertEquals("Successful", lambda.lastUpdateStatus, "it returned only once the update was done");
        assertEquals(1, sleeps.size(), "one poll found it InProgress");

        forcer.force("f", original, "n2");
        assertEquals("n2", lambda.updates.get(1).get(ColdStartForcer.VARIABLE), "every run a new value");
    }

    @Test
    void aNonceLeftByAnInterruptedRunIsNotTakenForTheFunctionsOwn() {
        lambda.environment.put(ColdStartForcer.VARIABLE, "left-over");
        assertEquals(Map.of("TABLE_NAME", "connections", "QUARKUS_LAMBDA_HANDLER", "connect"), forcer.originalEnvironment("f"));
    }

    @Test
    void restorePutsTheOriginalEnvironmentBack() throws Exception {
        Map<String, String> original = forcer.originalEnvironment("f");
        forcer.force("f", original, "n1");
        forcer.restore("f", original);
        assertEquals(original, lambda.environment);
    }

    @Test
    void aFailedUpdateStopsTheBenchmark() {
        lambda.lastUpdateStatus = "Failed";
        var e = assertThrows(IllegalStateException.class, () -> forcer.force("f", Map.of(), "n1"));
        assertTrue(e.getMessage().contains("bad role"), e.getMessage());
        assertTrue(lambda.updates.isEmpty(), "nothing updated on top of a failed update");
    }

    @Test
    void anUpdateThatNeverFinishesTimesOut() {
        lambda.lastUpdateStatus = "InProgress";
        var e = assertThrows(IllegalStateException.class, () -> forcer.force("f", Map.of(), "n1"));
        assertTrue(e.getMessage().contains("after 10 s"), e.getMessage());
        assertEquals(10, sleeps.size());
    }
}
