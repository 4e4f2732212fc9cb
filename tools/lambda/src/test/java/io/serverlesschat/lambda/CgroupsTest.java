package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real cgroups of this machine (the tests that need them say so and stop where there are none: not
 * root, not Linux): limits that act, exact CPU time, OOM kills seen, and no group left behind after a
 * close, a SIGTERM, a SIGINT or, once cleaned up, a SIGKILL of the process that made it. The v2 file
 * formats and the mount detection run everywhere, on stand-in files.
 */
class CgroupsTest {

    private static Cgroups cgroups;
    private static String unavailable;

    @TempDir
    Path dir;

    @BeforeAll
    static void detect() {
        try {
            cgroups = Cgroups.detect();
        } catch (Cgroups.Unavailable e) {
            unavailable = e.getMessage();
        }
    }

    private static Cgroups requireCgroups() {
        Assumptions.assumeTrue(cgroups != null, "NOT RUN: no usable cgroups here: " + unavailable);
        return cgroups;
    }

    private static Path groupDir(Cgroups cgroups, FunctionCgroup group) {
        return cgroups.roots().values().iterator().next().resolve(group.name());
    }

    @Test
    void theQuotaThrottlesAndTheAccountingCountsExactly() throws Exception {
        Cgroups c = requireCgroups();
        try (FunctionCgroup group = c.create()) {
            group.limitCpu(0.1);
            group.limitMemory(128);
            // A second of busy loop: at a tenth of a CPU it gets about 100 ms of CPU, and never more than
            // its quota of each 100 ms period that passed.
            long start = System.nanoTime();
            Process busy = new ProcessBuilder(group.wrap(List.of("python3", "-c",
                    "import time\nend = time.time() + 1\nwhile time.time() < end: pass"))).start();
            assertTrue(busy.waitFor(20, TimeUnit.SECONDS));
            double wallMs = (System.nanoTime() - start) / 1e6;
            double cpuMs = group.cpuNanos() / 1e6;
            assertTrue(cpuMs > 40, "it ran: " + cpuMs + " ms");
            // CFS enforces the quota to within a few percent (it throttles at the scheduler tick).
            assertTrue(cpuMs <= wallMs * 0.1 * 1.15 + 10, "throttled: " + cpuMs + " ms of CPU in " + wallMs + " ms");
            assertTrue(group.peakMemoryBytes().orElseThrow() > 0);
            assertEquals(0, group.oomKills());
        }
    }

    @Test
    void aPrioritisedGroupKeepsItsCpuBesideTheMachinesOtherWork() throws Exception {
        Cgroups c = requireCgroups();
        String loop = "import time\nend = time.time() + %s\nwhile time.time() < end: pass";
        // One busy loop per core, each in a group of its own at the default weight (the kernel's
        // autogroups would otherwise pool loops started here into one entity), and one loop in the
        // prioritised group: at equal weight it would get about cores / (cores + 1) of a CPU (0.6 to
        // 0.67 measured on two cores), prioritised nearly all of one.
        List<FunctionCgroup> others = new ArrayList<>();
        List<Process> loops = new ArrayList<>();
        try (FunctionCgroup group = c.create()) {
            group.prioritiseCpu();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                FunctionCgroup other = c.create();
                others.add(other);
                loops.add(new ProcessBuilder(other.wrap(List.of("python3", "-c", loop.formatted(4)))).start());
            }
            Thread.sleep(300);
            long start = System.nanoTime();
            Process busy = new ProcessBuilder(group.wrap(List.of("python3", "-c", loop.formatted(1)))).start();
            assertTrue(busy.waitFor(20, TimeUnit.SECONDS));
            double wallMs = (System.nanoTime() - start) / 1e6;
            double cpuMs = group.cpuNanos() / 1e6;
            assertTrue(cpuMs > wallMs * 0.8, "prioritised: " + cpuMs + " ms of CPU in " + wallMs + " ms");
        } finally {
            loops.forEach(Process::destroyForcibly);
            for (FunctionCgroup other : others) {
                other.close();
            }
        }
    }

    @Test
    void aProcessOverItsMemoryLimitIsKilledAndTheKillIsSeen() throws Exception {
        Cgroups c = requireCgroups();
        try (FunctionCgroup group = c.create()) {
            group.limitMemory(128);
            Process hog = new ProcessBuilder(group.wrap(List.of("python3", "-c", "b = bytearray(400 * 1024 * 1024); print(len(b))")))
                    .redirectErrorStream(true).start();
            assertTrue(hog.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, hog.exitValue(), "SIGKILL from the OOM killer");
            assertEquals(1, group.oomKills());
            assertTrue(group.peakMemoryBytes().orElseThrow() <= 128L * 1024 * 1024);
        }
    }

    @Test
    void closeKillsWhatRunsInTheGroupAndRemovesItEverywhere() throws Exception {
        Cgroups c = requireCgroups();
        FunctionCgroup group = c.create();
        Process sleeper = new ProcessBuilder(group.wrap(List.of("sleep", "600"))).start();
        while (group.pids().isEmpty()) {
            Thread.sleep(10);
        }
        assertEquals(java.util.Set.of(sleeper.pid()), group.pids(), "the wrapped command runs in the group with the shell's pid");
        assertTrue(c.existing().contains(group.name()));
        group.close();
        assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS));
        for (Path root : c.roots().values()) {
            assertFalse(Files.exists(root.resolve(group.name())), root + " still has " + group.name());
        }
        group.close(); // idempotent
    }

    @Test
    void sigtermAndSigintOfTheProcessThatMadeAGroupRemoveIt() throws Exception {
        requireCgroups();
        for (String signal : List.of("TERM", "INT")) {
            Holder holder = Holder.start();
            try {
                new ProcessBuilder("kill", "-" + signal, Long.toString(holder.process.pid())).start().waitFor();
                assertTrue(holder.process.waitFor(20, TimeUnit.SECONDS), "SIG" + signal + " ends it");
                assertFalse(cgroups.existing().contains(holder.group), "SIG" + signal + ": " + holder.group + " is gone");
                assertTrue(dead(holder.sleeper), "SIG" + signal + ": its process is dead");
            } finally {
                holder.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // whatever the outcome, nothing stays
                cgroups.removeStale();
            }
        }
    }

    @Test
    void afterASigkillTheNextStartRemovesTheStaleGroupAndKillsWhatRanInIt() throws Exception {
        requireCgroups();
        Holder holder = Holder.start();
        holder.process.destroyForcibly(); // no shutdown hook runs; removeStale below is also the clean-up
        assertTrue(holder.process.waitFor(10, TimeUnit.SECONDS));
        assertTrue(cgroups.existing().contains(holder.group), "SIGKILL leaves the group behind");

        List<String> removed = cgroups.removeStale();
        assertTrue(removed.contains(holder.group), removed.toString());
        assertFalse(cgroups.existing().contains(holder.group));
        assertTrue(dead(holder.sleeper), "what ran in it was killed");

        try (FunctionCgroup mine = cgroups.create()) {
            assertFalse(cgroups.removeStale().contains(mine.name()), "a live process' group is left alone");
            assertTrue(cgroups.existing().contains(mine.name()));
        }
    }

    /**
     * The command with SIGINT at its default disposition: started from a script's background job, this JVM
     * (and so its children) inherit SIGINT ignored, and a JVM that starts with SIGINT ignored never handles it.
     */
    static List<String> withDefaultSigint(List<String> command) {
        List<String> wrapped = new java.util.ArrayList<>(List.of("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gone, or a zombie its new parent has not reaped yet. */
    private static boolean dead(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return true;
        }
    }

    /** {@link CgroupHolder} in a JVM of its own, with the group it made and the pid of the process in it. */
    private record Holder(Process process, String group, long sleeper) {
        static Holder start() throws Exception {
            Process p = new ProcessBuilder(withDefaultSigint(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CgroupHolder.class.getName()))).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith(Cgroups.PREFIX), "the holder says what it made: " + line);
            String[] parts = line.split(" ");
            return new Holder(p, parts[0], Long.parseLong(parts[1]));
        }
    }

    // ---- everywhere: stand-in files

    @Test
    void cgroupV2FilesAreWrittenAndReadAsTheKernelDocumentsThem() throws Exception {
        Path group = Files.createDirectory(dir.resolve("serverlesschat-bench-1-1"));
        for (String file : List.of("cpu.max", "cpu.weight", "memory.max", "memory.swap.max", "cgroup.procs")) {
            Files.writeString(group.resolve(file), "");
        }
        Files.writeString(group.resolve("cpu.stat"), "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\nnr_periods 12\n");
        Files.writeString(group.resolve("memory.events"), "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
        Files.writeString(group.resolve("memory.peak"), "99614720\n");
        FunctionCgroup v2 = new FunctionCgroup(CgroupVersion.V2, group.getFileName().toString(), Map.of("unified", group));

        v2.limitCpu(256 / 1769.0);
        assertEquals("14471 100000", Files.readString(group.resolve("cpu.max")));
        v2.unlimitCpu();
        assertEquals("max 100000", Files.readString(group.resolve("cpu.max")));
        v2.prioritiseCpu();
        assertEquals("10000", Files.readString(group.resolve("cpu.weight")), "the most weight v2 allows");
        v2.limitMemory(256);
        assertEquals("268435456", Files.readString(group.resolve("memory.max")));
        assertEquals("0", Files.readString(group.resolve("memory.swap.max")), "no swap, as on Lambda");
        assertEquals(123_456_000, v2.cpuNanos());
        assertEquals(1, v2.oomKills());
        assertEquals(99_614_720, v2.peakMemoryBytes().orElseThrow());
        assertEquals(List.of("/bin/sh", "-c", "echo $$ > '" + group.resolve("cgroup.procs") + "' && exec \"$@\"", "sh", "bootstrap"),
                v2.wrap(List.of("bootstrap")), "one hierarchy, one write, then exec");
    }

    @Test
    void mountsAreReadFromMountinfo() throws Exception {
        Path unified = Files.createDirectory(dir.resolve("unified"));
        Files.writeString(unified.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Path info = dir.resolve("mountinfo");
        Files.writeString(info, "30 24 0:26 / " + unified + " rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
        assertEquals(CgroupVersion.V2, Cgroups.fromMountInfo(info).version());

        Files.writeString(unified.resolve("cgroup.controllers"), "hugetlb\n"); // a hybrid system like this project's CI
        Files.writeString(info, String.join("\n",
                "30 24 0:26 / " + unified + " rw,relatime - cgroup2 cgroup2 rw",
                "36 25 0:31 / /sys/fs/cgroup/cpu rw,relatime shared:11 - cgroup cgroup rw,cpu",
                "37 25 0:32 / /sys/fs/cgroup/cpuacct rw,relatime shared:12 - cgroup cgroup rw,cpuacct",
                "38 25 0:33 / /sys/fs/cgroup/memory rw,relatime shared:13 - cgroup cgroup rw,memory", ""));
        Cgroups v1 = Cgroups.fromMountInfo(info);
        assertEquals(CgroupVersion.V1, v1.version());
        assertEquals(Path.of("/sys/fs/cgroup/cpuacct"), v1.roots().get("cpuacct"));

        Files.writeString(info, "36 25 0:31 / /sys/fs/cgroup/cpu,cpuacct ro,relatime - cgroup cgroup rw,cpu,cpuacct\n"
                + "38 25 0:33 / /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory\n");
        Cgroups.Unavailable readOnly = assertThrows(Cgroups.Unavailable.class, () -> Cgroups.fromMountInfo(info));
        assertTrue(readOnly.getMessage().contains("read-only"), readOnly.getMessage());

        Files.writeString(info, "21 1 0:20 / /proc rw - proc proc rw\n");
        Cgroups.Unavailable none = assertThrows(Cgroups.Unavailable.class, () -> Cgroups.fromMountInfo(info));
        assertTrue(none.getMessage().contains("no cgroup"), none.getMessage());
    }
}
