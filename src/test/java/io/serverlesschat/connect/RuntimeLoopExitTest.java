package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

class RuntimeLoopExitTest {

    @Test
    void aPackagedFunctionThatStopsOnItsOwnAsksToExit() {
        assertTrue(RuntimeLoopExit.shouldExit(LaunchMode.NORMAL, false));
    }

    @Test
    void notWhenTheProcessIsAlreadyOnItsWayOut() {
        assertFalse(RuntimeLoopExit.shouldExit(LaunchMode.NORMAL, true));
    }

    @Test
    void neverInDevOrTestMode() {
        assertFalse(RuntimeLoopExit.shouldExit(LaunchMode.DEVELOPMENT, false));
        assertFalse(RuntimeLoopExit.shouldExit(LaunchMode.TEST, false));
    }
}
