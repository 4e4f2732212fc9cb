package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessTreeCpuTest {

    @Test
    void countsTheCpuOfATreeIncludingChildrenItWaitedFor() throws Exception {
        // A shell that runs a busy child to its end, then waits: the child's CPU is in the shell's cutime.
        Process shell = new ProcessBuilder("sh", "-c",
                "python3 -c 'import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass'; sleep 5").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long cpu = 0;
            while (System.nanoTime() < deadline && (cpu = ProcessTreeCpu.cpuNanos(shell.toHandle())) < 300_000_000L) {
                Thread.sleep(50);
            }
            assertTrue(cpu >= 300_000_000L, "0.3 s of the child's CPU counted, in 10 ms ticks: " + cpu);
            assertTrue(cpu < 2_000_000_000L, "and not much more: " + cpu);
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }
}
