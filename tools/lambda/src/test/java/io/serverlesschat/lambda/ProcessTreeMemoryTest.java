package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessTreeMemoryTest {

    @Test
    void readsThePeakOfThisJvmAndCountsAChild() throws Exception {
        long own = ProcessTreeMemory.vmHwmKb(ProcessHandle.current().pid()).orElseThrow();
        assertTrue(own > 10_000, "a JVM uses more than 10 MB: " + own);

        Process sleeper = new ProcessBuilder("sh", "-c", "sleep 5 & wait").start();
        try (ProcessTreeMemory memory = new ProcessTreeMemory(sleeper.toHandle(), Duration.ofMillis(10))) {
            Thread.sleep(200);
            long shell = ProcessTreeMemory.vmHwmKb(sleeper.pid()).orElseThrow();
            assertTrue(memory.peakKb() > shell, "the tree is the shell and its sleep child");
        } finally {
            sleeper.descendants().forEach(ProcessHandle::destroyForcibly);
            sleeper.destroyForcibly();
        }
    }
}
